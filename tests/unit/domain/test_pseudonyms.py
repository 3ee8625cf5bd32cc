"""Pseudonyms of people are keyed: stable for a key, different across keys, never a bare hash."""

from __future__ import annotations

import hashlib

import pytest

from innertalk.domain.users import Pseudonyms, UserKey

KEY = UserKey("7000000001", 123456789)
ONE = Pseudonyms(b"first key, sixteen bytes or more")
OTHER = Pseudonyms(b"other key, sixteen bytes or more")


def _bare_hashes(key: UserKey) -> set[str]:
    """Every unkeyed SHA-256 an attacker would try, in the lengths a pseudonym might take."""
    texts = (
        f"{key.bot_id}:{key.user_id}",
        f"{key.user_id}:{key.bot_id}",
        f"{key.bot_id}{key.user_id}",
        f"{key.bot_id}/{key.user_id}",
        str(key.user_id),
    )
    digests = (hashlib.sha256(text.encode()).hexdigest() for text in texts)
    return {digest[:length] for digest in digests for length in (16, 32, 64)}


def test_a_pseudonym_is_no_bare_hash_of_the_ids() -> None:
    """Hashing a Telegram id (in any formatting) never yields the logged pseudonym."""
    pseudonym = ONE.of(KEY)
    assert len(pseudonym) == 16
    assert pseudonym not in _bare_hashes(KEY)
    assert str(KEY.user_id) not in pseudonym


def test_pseudonyms_are_stable_for_a_key_and_differ_across_keys() -> None:
    """The same key always gives the same pseudonym; another key gives another one."""
    assert ONE.of(KEY) == Pseudonyms(b"first key, sixteen bytes or more").of(KEY)
    assert ONE.of(KEY) != OTHER.of(KEY)
    assert ONE.of(KEY) != ONE.of(UserKey(KEY.bot_id, KEY.user_id + 1))
    assert ONE.of(KEY) != ONE.of(UserKey("7000000002", KEY.user_id))


def test_a_short_key_is_refused_and_never_shown() -> None:
    """A key under 16 bytes is refused; the key is not in the pseudonyms' repr."""
    with pytest.raises(ValueError, match="16 bytes"):
        Pseudonyms(b"short")
    assert "first key" not in repr(ONE)


def test_ephemeral_pseudonyms_use_a_fresh_key() -> None:
    """Without a configured key a service gets a random one: not a bare hash, not shared."""
    assert Pseudonyms.ephemeral().of(KEY) != Pseudonyms.ephemeral().of(KEY)
    assert Pseudonyms.ephemeral().of(KEY) not in _bare_hashes(KEY)
