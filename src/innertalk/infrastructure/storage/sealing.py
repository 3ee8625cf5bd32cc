"""What the row codecs use to seal a person's fields at rest, or to leave them plain.

Every field that says something about a person (their name, their words, scores, answers,
severities, mood, the crisis flag, screen state) goes through ``FieldSeal`` on its way into a
row or a document and on its way out. With a ``FieldCipher`` a value becomes
``itk1:<key id>:…`` bound to its owner and field; without one it is stored as it is. Values
that are not text (scores, tags, flags, answers) are sealed as their JSON.

Reading is tolerant of both: a plain value written before the key was set reads as it is, a
sealed one is opened. A sealed value without a key raises ``DecryptionError`` rather than
handing ciphertext on (start-up refuses that case before any read: ``infrastructure.keycheck``).
"""

from __future__ import annotations

import json
from typing import Any

from innertalk.domain.users import UserKey
from innertalk.infrastructure.crypto import PREFIX, DecryptionError, FieldCipher

SEALED = f"{PREFIX}:"
"""How every sealed value begins (a cheap probe for "is this database encrypted")."""


def field_context(key: UserKey, field: str) -> str:
    """The associated data binding a value to its owner and field (kept from the wrapper era,
    so values written by it still open)."""
    return f"{key.bot_id}:{key.user_id}:{field}"


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(SEALED)


class FieldSeal:
    """Seals and opens one person's fields; plain throughout when ``cipher`` is ``None``."""

    def __init__(self, cipher: FieldCipher | None = None) -> None:
        self.cipher = cipher

    @property
    def active(self) -> bool:
        return self.cipher is not None

    def text(self, value: str, key: UserKey, field: str) -> str:
        if self.cipher is None:
            return value
        return self.cipher.encrypt(value, field_context(key, field))

    def optional_text(self, value: str | None, key: UserKey, field: str) -> str | None:
        return None if value is None else self.text(value, key, field)

    def open_text(self, stored: str, key: UserKey, field: str) -> str:
        if not is_sealed(stored):
            return stored
        return self.key_cipher().decrypt(stored, field_context(key, field))

    def open_optional_text(self, stored: str | None, key: UserKey, field: str) -> str | None:
        return None if stored is None else self.open_text(stored, key, field)

    def value(self, value: Any, key: UserKey, field: str) -> Any:
        """``value`` as it is without a key, else its JSON sealed."""
        if self.cipher is None:
            return value
        encoded = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return self.cipher.encrypt(encoded, field_context(key, field))

    def open_value(self, stored: Any, key: UserKey, field: str) -> Any:
        """What ``value`` was given; a plain stored value is returned as it is."""
        if not is_sealed(stored):
            return stored
        return json.loads(self.key_cipher().decrypt(stored, field_context(key, field)))

    def key_cipher(self) -> FieldCipher:
        """The cipher; ``DecryptionError`` without one (a sealed value, but no key)."""
        if self.cipher is None:
            raise DecryptionError("an encrypted value, but no ENCRYPTION_KEY is configured")
        return self.cipher


PLAIN = FieldSeal()
"""No key: every value stored as it is."""


TEXT, VALUE, JSON_TEXT = "text", "value", "json"
"""How a column holds its value in the clear: text, a JSON-able value, or JSON text."""

PROBE_TEXT = "innertalk: sealed at rest"
PROBE_CONTEXT = "at-rest:probe"


def resealed(seal: FieldSeal, stored: Any, key: UserKey, field: str, kind: str) -> Any:
    """``stored`` sealed under the current key, or ``None`` when it already is (or is empty).

    A plain value is sealed as the codec would have sealed it; a value under an older key is
    opened and sealed again. ``seal`` must have a cipher.
    """
    cipher = seal.key_cipher()
    if stored is None or (is_sealed(stored) and cipher.is_current(stored)):
        return None
    if kind == TEXT:
        return seal.text(seal.open_text(stored, key, field), key, field)
    if is_sealed(stored):
        return seal.value(seal.open_value(stored, key, field), key, field)
    return seal.value(json.loads(stored) if kind == JSON_TEXT else stored, key, field)


def weekly_moods(
    seal: FieldSeal, entries: list[tuple[UserKey, Any, str]], week_start: str
) -> tuple[float | None, float | None]:
    """The average mood score since ``week_start`` and in the week before it, from
    (owner, stored score, moment text) of the last fortnight.

    Computed after opening rather than kept as a clear aggregate: an aggregate would need the
    old score on every change of an entry and each erased person's share taken out of it.
    """
    this_week: list[int] = []
    last_week: list[int] = []
    for key, stored, moment in entries:
        score = int(seal.open_value(stored, key, "mood_score"))
        (this_week if moment >= week_start else last_week).append(score)
    return _mean(this_week), _mean(last_week)


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None
