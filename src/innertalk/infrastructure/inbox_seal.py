"""Sealing an inbox entry's payload (the update's JSON) with the at-rest key, when one is set.

The associated data binds a sealed payload to its bot and update id, so an entry copied under
another id does not open. Without a key the JSON is stored as it is.
"""

from __future__ import annotations

from innertalk.infrastructure.crypto import FieldCipher


class PayloadSeal:
    """``seal``/``open`` an update's JSON for the inbox's store (``cipher``: ``None`` = clear)."""

    def __init__(self, cipher: FieldCipher | None = None) -> None:
        self._cipher = cipher

    def seal(self, bot_id: str, update_id: int, payload: bytes) -> str:
        text = payload.decode("utf-8")
        if self._cipher is None:
            return text
        return self._cipher.encrypt(text, _context(bot_id, update_id))

    def open(self, bot_id: str, update_id: int, stored: str) -> bytes:
        """The JSON again; ``DecryptionError`` if sealed with a key that is not configured."""
        if self._cipher is None:
            return stored.encode("utf-8")
        return self._cipher.decrypt(stored, _context(bot_id, update_id)).encode("utf-8")


def _context(bot_id: str, update_id: int) -> str:
    return f"inbox:{bot_id}:{update_id}"
