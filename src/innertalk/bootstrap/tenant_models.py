"""``TenantModelChains``: the deployment's model chain for each tenant with its own keys."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import structlog

from innertalk.application.ports import Clock, LanguageModel
from innertalk.bootstrap.models import build_model
from innertalk.config import Settings
from innertalk.infrastructure.llm.router import AdminAlert, ModelRouter

log = structlog.get_logger(__name__)


def _fingerprint(keys: Mapping[str, str]) -> str:
    """Tells a tenant's changed keys from its old ones without holding them as a dict key."""
    text = "\n".join(f"{name}={key}" for name, key in sorted(keys.items()))
    return hashlib.sha256(text.encode()).hexdigest()


class TenantModelChains:
    """``TenantModels``: a router over the configured chain (``LLM_PROVIDERS``, breakers,
    timeouts, prices, experiment) with the tenant's keys in place of the deployment's, built
    on first use and rebuilt when the tenant's keys change. Its breakers are its own (a
    tenant's rejected key must not open the deployment's breaker), so they are kept in this
    process. ``aclose`` closes every chain built, the replaced ones too (a reply may still
    have been streaming from one)."""

    def __init__(self, settings: Settings, clock: Clock, *, alert: AdminAlert | None) -> None:
        self._settings = settings
        self._clock = clock
        self._alert = alert
        self._chains: dict[str, tuple[str, ModelRouter]] = {}
        self._replaced: list[ModelRouter] = []

    def model_for(self, tenant: str, keys: Mapping[str, str]) -> LanguageModel:
        fingerprint = _fingerprint(keys)
        held = self._chains.get(tenant)
        if held is not None and held[0] == fingerprint:
            return held[1]
        router = build_model(
            self._settings, self._clock, alert=self._tenant_alert(tenant), keys=keys
        )
        if held is not None:
            self._replaced.append(held[1])
        self._chains[tenant] = (fingerprint, router)
        # the providers' names only: never the keys
        log.info("tenant.model_chain_built", tenant=tenant, own_keys=sorted(keys))
        return router

    def _tenant_alert(self, tenant: str) -> AdminAlert | None:
        alert = self._alert
        if alert is None:
            return None

        async def tenant_alert(kind: str, provider: str) -> None:
            await alert(kind, f"{provider} (tenant {tenant})")

        return tenant_alert

    async def aclose(self) -> None:
        routers = [router for _, router in self._chains.values()] + self._replaced
        self._chains.clear()
        self._replaced.clear()
        for router in routers:
            await router.aclose()
