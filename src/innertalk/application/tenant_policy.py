"""What a tenant's settings change for its people, looked up per person (``TenantPolicies``).

A person's realm (``UserKey.bot_id``) belongs to one tenant (``TenantDirectory.tenant_of``);
that tenant's ``TenantSettings`` become the person's ``EffectivePolicy``. Every field left
``None`` (or empty) means "the deployment's own setting", so each use case keeps its configured
value as the fallback and a deployment without tenants behaves exactly as before. A realm no
tenant claims (the console's, or any realm without a directory) gets the deployment's settings.

The directory is asked at most once per realm every ``ttl`` seconds: a tenant's change takes
effect within that time on every instance, without a read per message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from innertalk.application.ports import LanguageModel
from innertalk.application.tenancy import TenantDirectory
from innertalk.domain.tenants import Tenant
from innertalk.domain.users import Language, UserKey

POLICY_TTL = 30.0
"""Seconds a realm's policy is reused before the directory is asked again."""


@dataclass(frozen=True, slots=True)
class EffectivePolicy:
    """A person's tenant settings; ``None``: the deployment's own setting applies."""

    tenant: str | None = None
    """The tenant's name; ``None`` for a realm no tenant claims."""
    persona: str = ""
    language: Language | None = None
    hotline_country: str | None = None
    sessions_per_day: int | None = None
    rate: str | None = None
    daily_tokens: int | None = None
    session_tokens: int | None = None
    provider_keys: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({}), repr=False
    )

    @classmethod
    def of(cls, tenant: Tenant) -> EffectivePolicy:
        settings = tenant.settings
        country = settings.hotline_country
        return cls(
            tenant=tenant.name,
            persona=settings.persona.strip(),
            language=settings.language,
            hotline_country=(country.strip().upper() or None) if country else None,
            sessions_per_day=settings.sessions_per_day,
            rate=settings.rate or None,
            daily_tokens=settings.daily_tokens,
            session_tokens=settings.session_tokens,
            provider_keys=MappingProxyType({k: v for k, v in settings.provider_keys.items() if v}),
        )


DEPLOYMENT_POLICY = EffectivePolicy()
"""The policy of a person no tenant claims: every setting the deployment's."""


class TenantPolicies:
    """``for_key(key)``: the person's ``EffectivePolicy``, cached per realm for ``ttl``
    seconds of ``timer`` (the clock's monotonic time). Without a directory, every person
    gets ``DEPLOYMENT_POLICY`` and nothing is looked up."""

    def __init__(
        self,
        directory: TenantDirectory | None,
        *,
        timer: Callable[[], float],
        ttl: float = POLICY_TTL,
    ) -> None:
        self._directory = directory
        self._timer = timer
        self._ttl = ttl
        # realms are bots and tenants' API realms, never people: a plain dict stays small
        self._cached: dict[str, tuple[float, EffectivePolicy]] = {}

    @property
    def enabled(self) -> bool:
        """Whether any tenant can have settings (a directory is plugged in)."""
        return self._directory is not None

    async def for_key(self, key: UserKey) -> EffectivePolicy:
        """The policy of the tenant that owns ``key``'s realm."""
        if self._directory is None:
            return DEPLOYMENT_POLICY
        now = self._timer()
        cached = self._cached.get(key.bot_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        tenant = await self._directory.tenant_of(key.bot_id)
        policy = DEPLOYMENT_POLICY if tenant is None else EffectivePolicy.of(tenant)
        self._cached[key.bot_id] = (now + self._ttl, policy)
        return policy


class TenantModels(Protocol):
    """The model chain a tenant with its own provider keys is answered by: the deployment's
    chain, with the tenant's keys in place of the deployment's (built once, closed on exit
    by the composition root)."""

    def model_for(self, tenant: str, keys: Mapping[str, str]) -> LanguageModel:
        """The chain for ``tenant`` paying with ``keys`` (provider name → API key)."""
        ...
