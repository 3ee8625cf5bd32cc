"""Encryption at rest: AES-256-GCM for the most personal fields, with key ids for rotation.

A value is stored as ``itk1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>``. The key id is
the first 8 hex digits of the key's SHA-256, so keys need no names; the associated data binds
each value to its owner and field, so a value copied to another person's row does not decrypt.
Decryption with a wrong or missing key raises ``DecryptionError`` — never garbage.
Values without the prefix were written before encryption was switched on and are returned as
they are, so enabling ``ENCRYPTION_KEY`` needs no migration (``innertalk reencrypt`` seals them).
Bytes (queued update payloads) are sealed the same way by ``seal_bytes``/``open_bytes``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "itk1"
KEY_BYTES = 32
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


class InvalidKeyError(ValueError):
    """A key that is not 32 bytes of URL-safe base64."""


def generate_key() -> str:
    """A new random key, as ``ENCRYPTION_KEY`` expects it."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


def parse_key(text: str) -> bytes:
    """The 32 key bytes in ``text`` (URL-safe or standard base64)."""
    try:
        raw = base64.urlsafe_b64decode(text.strip().replace("+", "-").replace("/", "_") + "==")
    except (binascii.Error, ValueError):
        raise InvalidKeyError("not base64") from None
    if len(raw) != KEY_BYTES:
        raise InvalidKeyError(f"must decode to {KEY_BYTES} bytes, got {len(raw)}")
    return raw


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def sealed_key_id(stored: str) -> str | None:
    """The key id a sealed value names (``None`` for a plain value); needs no key."""
    if not stored.startswith(f"{PREFIX}:"):
        return None
    return stored.split(":", 2)[1]


class FieldCipher:
    """Encrypts with the first key; decrypts with whichever configured key a value names."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        self._current = (key_id(keys[0]), AESGCM(keys[0]))
        self._by_id = {key_id(key): AESGCM(key) for key in keys}

    @property
    def current_key_id(self) -> str:
        return self._current[0]

    def encrypt(self, plaintext: str, context: str) -> str:
        kid, aead = self._current
        nonce = os.urandom(NONCE_BYTES)
        sealed = aead.encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
        return f"{PREFIX}:{kid}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, stored: str, context: str) -> str:
        if not stored.startswith(f"{PREFIX}:"):
            return stored
        return self._open(stored, context).decode("utf-8")

    def _open(self, stored: str, context: str) -> bytes:
        try:
            _, kid, payload = stored.split(":", 2)
            blob = base64.urlsafe_b64decode(payload)
        except (ValueError, binascii.Error):
            raise DecryptionError("malformed encrypted value") from None
        aead = self._by_id.get(kid)
        if aead is None:
            raise DecryptionError(
                f"value encrypted with key {kid}, which is not configured "
                "(add it to ENCRYPTION_KEYS_PREVIOUS)"
            )
        try:
            return aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context.encode("utf-8"))
        except InvalidTag:
            raise DecryptionError(f"value does not decrypt with key {kid}") from None

    def key_of(self, stored: str) -> str | None:
        """The key id an encrypted value names (``None`` for a plain value)."""
        return sealed_key_id(stored)

    def seal_bytes(self, plain: bytes, context: str) -> bytes:
        """``plain`` sealed like ``encrypt`` seals text (for payloads that may not be UTF-8)."""
        kid, aead = self._current
        nonce = os.urandom(NONCE_BYTES)
        sealed = aead.encrypt(nonce, plain, context.encode("utf-8"))
        return f"{PREFIX}:{kid}:".encode() + base64.urlsafe_b64encode(nonce + sealed)

    def open_bytes(self, stored: bytes, context: str) -> bytes:
        """What ``seal_bytes`` sealed; ``DecryptionError`` for anything else."""
        text = stored.decode("ascii", errors="replace")
        if not text.startswith(f"{PREFIX}:"):
            raise DecryptionError("not a sealed value")
        return self._open(text, context)

    def knows(self, key_id: str) -> bool:
        return key_id in self._by_id

    def is_current(self, stored: str) -> bool:
        """Whether ``stored`` is already encrypted with the current key."""
        return stored.startswith(f"{PREFIX}:{self._current[0]}:")
