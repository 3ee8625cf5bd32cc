"""Users and their profiles."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum


class Language(StrEnum):
    """Languages the companion speaks."""

    RU = "ru"
    EN = "en"


class Style(StrEnum):
    """How the companion answers: mostly listening, mostly practical, or both."""

    EMPATHY = "empathy"
    ACTION = "action"
    BALANCED = "balanced"


@dataclass(frozen=True, slots=True)
class UserKey:
    """Identifies one person on one bot; every stored record carries both parts."""

    bot_id: str
    user_id: int

    def __str__(self) -> str:
        return f"{self.bot_id}:{self.user_id}"


MIN_PSEUDONYM_KEY_BYTES = 16


@dataclass(frozen=True, slots=True)
class Pseudonyms:
    """Stand-ins for people in logs, alerts and experiments: HMAC-SHA256 of the ``UserKey``
    under a secret key, stable for a given key.

    Keyed because Telegram ids are few enough to hash them all: a bare SHA-256 of
    ``bot:user`` reverses to the id in under a second. The composition root supplies the key.
    """

    key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.key) < MIN_PSEUDONYM_KEY_BYTES:
            raise ValueError(f"a pseudonym key needs at least {MIN_PSEUDONYM_KEY_BYTES} bytes")

    @classmethod
    def ephemeral(cls) -> Pseudonyms:
        """A random key of this process only: never reversible, but new at every start."""
        return cls(secrets.token_bytes(32))

    def of(self, key: UserKey) -> str:
        """The pseudonym of the person ``key`` names (16 hex digits)."""
        return hmac.new(self.key, str(key).encode(), hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Profile:
    """What the companion knows about a person outside of any conversation."""

    key: UserKey
    created_at: datetime
    last_active_at: datetime
    display_name: str = ""
    language: Language = Language.EN
    style: Style = Style.BALANCED
    timezone: str = "UTC"
    consent_at: datetime | None = None
    active: bool = True
    """False once Telegram said the person blocked the bot; nothing is sent to them then."""
    blocked: bool = False
    """True when an administrator blocked the person; their messages are not answered."""

    @property
    def has_consented(self) -> bool:
        return self.consent_at is not None

    def touched(self, now: datetime) -> Profile:
        """The same profile, marked active at ``now``."""
        return replace(self, last_active_at=now)

    def with_consent(self, now: datetime) -> Profile:
        """The same profile with consent recorded at ``now`` (kept if given before)."""
        return self if self.consent_at is not None else replace(self, consent_at=now)


def new_profile(
    key: UserKey,
    now: datetime,
    *,
    language: Language = Language.EN,
    display_name: str = "",
    consent: bool = False,
) -> Profile:
    """A fresh profile created at ``now``."""
    return Profile(
        key=key,
        created_at=now,
        last_active_at=now,
        display_name=display_name,
        language=language,
        consent_at=now if consent else None,
    )
