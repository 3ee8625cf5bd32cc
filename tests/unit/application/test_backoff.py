"""Capped exponential backoff, the one rule for every retry loop outside the model router."""

from __future__ import annotations

from innertalk.application.backoff import Backoff


def test_waits_double_from_the_first_and_stop_at_the_cap() -> None:
    """Telegram polling waits 1, 2, 4 … s after failures in a row, never more than 30 s."""
    backoff = Backoff(initial=0.5, maximum=30.0)
    assert [backoff.delay(attempt) for attempt in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_a_long_outage_never_overflows() -> None:
    """Thousands of failures in a row still give the cap, not an overflow error."""
    assert Backoff(initial=0.05, maximum=5.0).delay(10_000) == 5.0


def test_jitter_waits_between_the_share_and_the_whole() -> None:
    """With jitter 0.5 each wait lies between half of the capped wait and all of it."""
    backoff = Backoff(initial=0.05, maximum=5.0, jitter=0.5)
    waits = [backoff.delay(3) for _ in range(200)]
    assert all(0.2 <= wait <= 0.4 for wait in waits)
    assert len(set(waits)) > 1
