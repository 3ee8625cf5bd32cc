"""Sealing an inbox entry's payload (the update's JSON) with the at-rest key, when one is set.

The associated data binds a sealed payload to its bot and update id, so an entry copied under
another id does not open. Without a key the JSON is stored as it is.
"""

from __future__ import annotations

from innertalk.application.inbox import InboxEntry
from innertalk.infrastructure.crypto import PREFIX, DecryptionError, FieldCipher

SEALED = f"{PREFIX}:"


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
            if stored.startswith(SEALED):  # an update's JSON never starts like this
                raise DecryptionError("a sealed inbox entry, but no ENCRYPTION_KEY is configured")
            return stored.encode("utf-8")
        return self._cipher.decrypt(stored, _context(bot_id, update_id)).encode("utf-8")

    def entry(self, bot_id: str, update_id: int, stored: str, answered: bool) -> InboxEntry:
        """The entry as ``pending`` gives it; not ``opened`` when no configured key opens it
        (one such entry must not keep the others from being replayed)."""
        try:
            return InboxEntry(update_id, self.open(bot_id, update_id, stored), answered)
        except DecryptionError:
            return InboxEntry(update_id, b"", answered, opened=False)

    def reseal(self, bot_id: str, update_id: int, stored: str) -> str | None:
        """``stored`` sealed again with the current key (a clear one sealed), or ``None`` when
        there is nothing to do: no key, already current, or it opens with no configured key
        (it stays as it is: replay reports it, and the right key may still come back)."""
        if self._cipher is None or self._cipher.is_current(stored):
            return None
        try:
            payload = self.open(bot_id, update_id, stored)
        except DecryptionError:
            return None
        return self.seal(bot_id, update_id, payload)


def _context(bot_id: str, update_id: int) -> str:
    return f"inbox:{bot_id}:{update_id}"
