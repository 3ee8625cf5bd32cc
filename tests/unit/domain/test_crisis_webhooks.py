"""The crisis webhook's signature: what a receiver accepts and what it must refuse."""

from __future__ import annotations

from innertalk.domain.crisis_webhooks import signature, verify

BODY = b'{"id":"e1","type":"crisis.signal"}'
T = 1_800_000_000


def test_a_fresh_signature_verifies() -> None:
    """The right secret, the exact body, within 5 minutes: accepted."""
    assert verify("s", BODY, signature("s", BODY, T), now=T + 299)


def test_a_tampered_body_a_wrong_secret_or_a_stale_one_is_refused() -> None:
    """Any changed byte, another secret, over 5 minutes apart or garbage: refused."""
    header = signature("s", BODY, T)
    assert not verify("s", BODY + b" ", header, now=T)
    assert not verify("other", BODY, header, now=T)
    assert not verify("s", BODY, header, now=T + 301)
    assert not verify("s", BODY, "v1=abc", now=T)
    assert not verify("s", BODY, f"t={T},v1=", now=T)
