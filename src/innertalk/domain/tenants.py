"""Tenants: the partners (a clinic, a wellbeing platform) who run the companion for their people.

A tenant owns Telegram bots, API keys and settings. Records stay keyed by ``UserKey`` and its
``bot_id`` names a *realm* that belongs to exactly one tenant:

- a Telegram bot's id (as before tenants existed: the default tenant's bot keeps its records
  without any migration), owned by the tenant that added the bot;
- ``api:<tenant>`` for the people a partner's backend talks for through the integration API.

A query is always scoped to one realm, so no query crosses tenants; a tenant's statistics are
the sum over its realms.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from innertalk.domain.users import Language, UserKey

DEFAULT_TENANT = "default"
"""The tenant of single-bot deployments: ``TELEGRAM_BOT_TOKEN``'s bot belongs to it."""

API_REALM_PREFIX = "api:"

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_REF = re.compile(r"[\x21-\x7e]{1,128}")


class TenantNameError(ValueError):
    """Not a tenant name: 1-40 lowercase letters, digits, ``_`` and ``-``, starting with a
    letter or digit."""


class PersonRefError(ValueError):
    """Not a person reference: 1-128 printable ASCII characters without spaces."""


def tenant_name(value: str) -> str:
    """``value`` as a tenant name, or ``TenantNameError``."""
    if not _NAME.fullmatch(value):
        raise TenantNameError(value)
    return value


def api_realm(tenant: str) -> str:
    """The realm (``UserKey.bot_id``) of the people ``tenant`` talks for through the API."""
    return API_REALM_PREFIX + tenant_name(tenant)


def realm_tenant(realm: str) -> str | None:
    """The tenant an API realm belongs to; ``None`` for a Telegram bot's realm."""
    if realm.startswith(API_REALM_PREFIX):
        return realm.removeprefix(API_REALM_PREFIX)
    return None


def person_key(tenant: str, ref: str) -> UserKey:
    """The ``UserKey`` of the person a partner calls ``ref``: stable, derived from the ref
    (62 bits of BLAKE2b within the tenant's realm, so one lookup less per request)."""
    if not _REF.fullmatch(ref):
        raise PersonRefError(ref)
    digest = hashlib.blake2b(ref.encode(), digest_size=8, person=b"innertalk-ref").digest()
    return UserKey(api_realm(tenant), int.from_bytes(digest, "big") >> 2)


class Scope(StrEnum):
    """What an API key may do."""

    CONVERSATION = "conversation"
    WELLBEING = "wellbeing"
    PRIVACY = "privacy"
    STATS = "stats"


@dataclass(frozen=True, slots=True)
class CrisisWebhook:
    """Where a tenant's care team receives crisis signals, and the secret that signs them."""

    url: str
    secret: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class TenantSettings:
    """What a tenant changes about the companion for its people; ``None``: the deployment's
    own setting."""

    persona: str = ""
    """Added to the system prompt (the tenant's tone, its services, what to refer to)."""
    language: Language | None = None
    """Default language of new people."""
    hotline_country: str | None = None
    """ISO 3166 alpha-2 code of the hotlines shown with crisis notices."""
    sessions_per_day: int | None = None
    rate: str | None = None
    """Messages per person, in the ``limits`` notation (``20/minute``)."""
    daily_tokens: int | None = None
    session_tokens: int | None = None
    provider_keys: dict[str, str] = field(default_factory=dict, repr=False)
    """Provider name → API key the tenant pays with (instead of the deployment's)."""
    crisis_webhook: CrisisWebhook | None = None


@dataclass(frozen=True, slots=True)
class Tenant:
    name: str
    created_at: datetime
    settings: TenantSettings = field(default_factory=TenantSettings)


@dataclass(frozen=True, slots=True)
class ApiKey:
    """An API key as the server knows it: never the key itself, only its hash."""

    id: str
    tenant: str
    scopes: frozenset[Scope]
    created_at: datetime
    rate: str = "600/minute"
    """Requests this key may make, in the ``limits`` notation."""
    revoked_at: datetime | None = None

    def allows(self, scope: Scope) -> bool:
        return self.revoked_at is None and scope in self.scopes
