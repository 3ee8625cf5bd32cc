"""Sealing a webhook event's body with the at-rest key, when one is set.

The body names a person (a partner's ref or a Telegram user id) next to a crisis category:
health data about someone identifiable, so it is sealed like every other personal record.
The associated data binds it to the event id, so a body copied onto another event does not
open. Without a key the JSON is stored as it is.
"""

from __future__ import annotations

from innertalk.infrastructure.crypto import PREFIX, DecryptionError, FieldCipher

SEALED = f"{PREFIX}:"


class BodySeal:
    """``seal``/``open`` an event's JSON body (``cipher``: ``None`` = stored clear).

    ``purpose`` names what is sealed (``mailing`` for a mailing job's text), so a value
    copied from one kind of record to another does not open."""

    def __init__(
        self, cipher: FieldCipher | None = None, *, purpose: str = "webhook-outbox"
    ) -> None:
        self._cipher = cipher
        self._purpose = purpose

    def seal(self, event_id: str, body: bytes) -> str:
        text = body.decode("utf-8")
        if self._cipher is None:
            return text
        return self._cipher.encrypt(text, f"{self._purpose}:{event_id}")

    def open(self, event_id: str, stored: str) -> bytes | None:
        """The JSON again; ``None`` when sealed with a key that is not configured."""
        if self._cipher is None:
            return None if stored.startswith(SEALED) else stored.encode("utf-8")
        try:
            return self._cipher.decrypt(stored, f"{self._purpose}:{event_id}").encode("utf-8")
        except DecryptionError:
            return None
