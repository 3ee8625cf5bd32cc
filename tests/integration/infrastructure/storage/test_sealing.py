"""The row codecs' ``FieldSeal``: plain without a key, sealed with one, never ciphertext out."""

from __future__ import annotations

import pytest

from innertalk.domain.users import UserKey
from innertalk.infrastructure.crypto import DecryptionError, FieldCipher, generate_key, parse_key
from innertalk.infrastructure.storage.sealing import (
    JSON_TEXT,
    PLAIN,
    TEXT,
    VALUE,
    FieldSeal,
    resealed,
    weekly_moods,
)

ALICE = UserKey("bot", 1)
BOB = UserKey("bot", 2)


def _seal(*keys: bytes) -> FieldSeal:
    return FieldSeal(FieldCipher(list(keys) or [parse_key(generate_key())]))


def test_without_a_key_values_are_stored_as_they_are() -> None:
    """No key: text and values pass unchanged both ways."""
    assert PLAIN.text("hello", ALICE, "turn") == "hello"
    assert PLAIN.value([1, 2], ALICE, "answers") == [1, 2]
    assert PLAIN.open_value(7, ALICE, "mood_score") == 7


def test_sealed_values_open_only_for_their_owner_and_field() -> None:
    """A score sealed for Alice opens for Alice's score, not for Bob nor another field."""
    seal = _seal()
    stored = seal.value(9, ALICE, "result_score")
    assert str(stored).startswith("itk1:")
    assert seal.open_value(stored, ALICE, "result_score") == 9
    for owner, field in ((BOB, "result_score"), (ALICE, "mood_score")):
        with pytest.raises(DecryptionError):
            seal.open_value(stored, owner, field)


def test_a_sealed_value_without_a_key_raises_instead_of_passing_ciphertext_on() -> None:
    """Never hand ``itk1:…`` to the model as if it were the person's words."""
    stored = _seal().text("secret", ALICE, "turn")
    with pytest.raises(DecryptionError):
        PLAIN.open_text(stored, ALICE, "turn")


def test_resealed_moves_old_and_plain_values_to_the_current_key_once() -> None:
    """Plain text, JSON text and values under an older key are sealed under the current one;
    a value already current needs nothing."""
    old, new = parse_key(generate_key()), parse_key(generate_key())
    before, after = _seal(old), _seal(new, old)
    cases = [
        (before.text("words", ALICE, "turn"), "turn", TEXT, "words"),
        ("plain words", "turn", TEXT, "plain words"),
        ('["calm"]', "mood_tags", JSON_TEXT, ["calm"]),
        (4, "mood_score", VALUE, 4),
    ]
    for stored, field, kind, clear in cases:
        value = resealed(after, stored, ALICE, field, kind)
        assert value is not None
        assert after.cipher is not None
        assert after.cipher.is_current(value)
        opened = after.open_text(value, ALICE, field)
        assert opened == clear if kind == TEXT else after.open_value(value, ALICE, field) == clear
        assert resealed(after, value, ALICE, field, kind) is None


def test_weekly_moods_average_after_opening() -> None:
    """Sealed and plain scores average per week, split at the week's start."""
    seal = _seal()
    entries = [
        (ALICE, seal.value(8, ALICE, "mood_score"), "2026-11-20T00:00:00.000000Z"),
        (BOB, 4, "2026-11-21T00:00:00.000000Z"),
        (ALICE, seal.value(2, ALICE, "mood_score"), "2026-11-10T00:00:00.000000Z"),
    ]
    assert weekly_moods(seal, entries, "2026-11-18T00:00:00.000000Z") == (6.0, 2.0)
