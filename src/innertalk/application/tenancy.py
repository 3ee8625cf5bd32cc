"""Ports of the tenant directory: which tenant a realm belongs to, and API key look-ups.

The read side (``TenantDirectory``) is what the API, the crisis webhooks and the per-tenant
settings need; the write side (adding tenants, bots and keys) lives with its use cases.
"""

from __future__ import annotations

from typing import Protocol

from innertalk.domain.tenants import ApiKey, Tenant
from innertalk.domain.users import UserKey


class TenantDirectory(Protocol):
    """Read access to tenants, for every request: implementations cache it."""

    async def tenant(self, name: str) -> Tenant | None:
        """The tenant called ``name``."""
        ...

    async def tenant_of(self, realm: str) -> Tenant | None:
        """The tenant that owns ``realm`` (a bot id, or ``api:<tenant>``); ``None`` for a
        realm no tenant claims (a single-bot deployment's bot belongs to the default tenant)."""
        ...

    async def realms(self, name: str) -> list[str]:
        """Every realm ``name`` owns: its bots' ids and its API realm (for its statistics)."""
        ...

    async def authenticate(self, secret: str) -> ApiKey | None:
        """The live (unrevoked) key whose secret is ``secret``."""
        ...


class PersonRefs(Protocol):
    """The partner's own id of each API person (for crisis webhooks and exports)."""

    async def remember(self, key: UserKey, ref: str) -> None: ...

    async def ref_of(self, key: UserKey) -> str | None: ...

    async def forget(self, key: UserKey) -> None: ...
