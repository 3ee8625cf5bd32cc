"""Field encryption: AES-GCM values that only the right key, owner and field can open."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from innertalk.infrastructure.crypto import (
    DecryptionError,
    FieldCipher,
    InvalidKeyError,
    generate_key,
    parse_key,
)

OLD, NEW, STRANGER = (parse_key(generate_key()) for _ in range(3))


@given(st.text())
def test_any_text_round_trips(text: str) -> None:
    """Whatever a person writes comes back exactly after encryption."""
    cipher = FieldCipher([NEW])
    assert cipher.decrypt(cipher.encrypt(text, "bot:1:turn"), "bot:1:turn") == text


def test_the_stored_value_hides_the_text_and_names_its_key() -> None:
    """The stored form carries a key id and no trace of the plaintext; equal texts differ."""
    cipher = FieldCipher([NEW])
    first, second = (cipher.encrypt("мне тревожно", "bot:1:turn") for _ in range(2))
    assert first.startswith(f"itk1:{cipher.current_key_id}:")
    assert "тревожно" not in first
    assert first != second


def test_a_wrong_key_fails_loudly() -> None:
    """A value encrypted with another key raises instead of returning garbage."""
    stored = FieldCipher([STRANGER]).encrypt("secret", "bot:1:turn")
    with pytest.raises(DecryptionError, match="not configured"):
        FieldCipher([NEW]).decrypt(stored, "bot:1:turn")


def test_a_tampered_value_fails_loudly() -> None:
    """Flipping one bit of the stored ciphertext breaks authentication."""
    cipher = FieldCipher([NEW])
    prefix, kid, payload = cipher.encrypt("secret", "bot:1:turn").split(":", 2)
    blob = bytearray(base64.urlsafe_b64decode(payload))
    blob[len(blob) // 2] ^= 0x01  # one bit of the ciphertext
    tampered = f"{prefix}:{kid}:{base64.urlsafe_b64encode(bytes(blob)).decode()}"
    with pytest.raises(DecryptionError):
        cipher.decrypt(tampered, "bot:1:turn")


def test_a_value_moved_to_another_owner_does_not_decrypt() -> None:
    """The owner and field are bound in: a copied value fails for someone else's row."""
    cipher = FieldCipher([NEW])
    stored = cipher.encrypt("secret", "bot:1:turn")
    with pytest.raises(DecryptionError):
        cipher.decrypt(stored, "bot:2:turn")
    with pytest.raises(DecryptionError):
        cipher.decrypt(stored, "bot:1:summary")


def test_rotation_reads_old_values_and_writes_with_the_new_key() -> None:
    """With [new, old] keys, old values still open and new ones use the new key."""
    old_value = FieldCipher([OLD]).encrypt("from last year", "bot:1:turn")
    rotated = FieldCipher([NEW, OLD])
    assert rotated.decrypt(old_value, "bot:1:turn") == "from last year"
    assert not rotated.is_current(old_value)
    assert rotated.is_current(rotated.encrypt("today", "bot:1:turn"))


def test_values_from_before_encryption_are_read_as_they_are() -> None:
    """Plain values written before ENCRYPTION_KEY was set need no migration."""
    assert FieldCipher([NEW]).decrypt("plain old text", "bot:1:turn") == "plain old text"


@pytest.mark.parametrize(
    "bad",
    ["", "short", "!!!not-base64!!!", generate_key()[:20]],
    # fixed ids: a random key in a test id differs between pytest-xdist workers
    ids=["empty", "short", "not-base64", "truncated"],
)
def test_bad_keys_are_refused(bad: str) -> None:
    """A key that is not 32 bytes of base64 is refused with a reason."""
    with pytest.raises(InvalidKeyError):
        parse_key(bad)
