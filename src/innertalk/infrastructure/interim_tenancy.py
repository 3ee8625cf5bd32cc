"""INTERIM adapters of the tenancy ports, for ``innertalk api`` until the tenant stores
(issue 15t: SQLite, MongoDB, in-process; ``innertalk tenant`` / ``innertalk apikey``) land.

- ``SingleKeyDirectory``: one key (``INTEGRATION_API_KEY``) of the default tenant, with every
  scope.
- ``InProcessPersonRefs``: refs in memory (lost on restart: crisis webhooks and exports of
  people created before a restart carry no ref until their next ``PUT``).

At the merge the lead wires 15t's directory and refs in ``bootstrap/api.py`` and deletes this
module with ``INTEGRATION_API_KEY``.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from innertalk.domain.tenants import DEFAULT_TENANT, ApiKey, Scope, Tenant, api_realm
from innertalk.domain.users import UserKey


class SingleKeyDirectory:
    """``TenantDirectory`` of one tenant and one key; ``bot_ids`` are its Telegram realms."""

    def __init__(
        self,
        secret: str,
        *,
        created_at: datetime,
        tenant: str = DEFAULT_TENANT,
        bot_ids: tuple[str, ...] = (),
        rate: str = "600/minute",
    ) -> None:
        # only a digest is kept, compared in constant time
        self._digest = hashlib.sha256(secret.encode()).digest()
        self._tenant = Tenant(tenant, created_at)
        self._realms = [*bot_ids, api_realm(tenant)]
        self._key = ApiKey(
            id="env",
            tenant=tenant,
            scopes=frozenset(Scope),
            created_at=created_at,
            rate=rate,
        )

    async def tenant(self, name: str) -> Tenant | None:
        return self._tenant if name == self._tenant.name else None

    async def tenant_of(self, realm: str) -> Tenant | None:
        return self._tenant if realm in self._realms else None

    async def realms(self, name: str) -> list[str]:
        return list(self._realms) if name == self._tenant.name else []

    async def authenticate(self, secret: str) -> ApiKey | None:
        given = hashlib.sha256(secret.encode()).digest()
        return self._key if hmac.compare_digest(given, self._digest) else None


class InProcessPersonRefs:
    """``PersonRefs`` in a dict."""

    def __init__(self) -> None:
        self._refs: dict[UserKey, str] = {}

    async def remember(self, key: UserKey, ref: str) -> None:
        self._refs[key] = ref

    async def ref_of(self, key: UserKey) -> str | None:
        return self._refs.get(key)

    async def forget(self, key: UserKey) -> None:
        self._refs.pop(key, None)
