"""What a person's tenant changes about a reply: its policy, the model chain, the session budget.

Without tenants (or for a realm no tenant claims) every answer is the deployment's own.
"""

from __future__ import annotations

from innertalk.application.ports import LanguageModel
from innertalk.application.tenant_policy import (
    DEPLOYMENT_POLICY,
    EffectivePolicy,
    TenantModels,
    TenantPolicies,
)
from innertalk.domain.users import UserKey


class TenantTerms:
    """The tenant look-ups of ``TalkService``: ``model`` and ``session_token_budget`` are the
    deployment's, used wherever the tenant sets nothing of its own."""

    def __init__(
        self,
        model: LanguageModel,
        session_token_budget: int,
        tenants: TenantPolicies | None = None,
        models: TenantModels | None = None,
    ) -> None:
        self._model = model
        self._session_token_budget = session_token_budget
        self._tenants = tenants
        self._models = models

    async def policy_for(self, key: UserKey) -> EffectivePolicy:
        """What the person's tenant changes (``DEPLOYMENT_POLICY`` without tenants)."""
        return DEPLOYMENT_POLICY if self._tenants is None else await self._tenants.for_key(key)

    def model_for(self, tenant: EffectivePolicy) -> LanguageModel:
        """The deployment's chain, or the same chain with the tenant's own provider keys."""
        if self._models is None or tenant.tenant is None or not tenant.provider_keys:
            return self._model
        return self._models.model_for(tenant.tenant, tenant.provider_keys)

    def session_budget(self, tenant: EffectivePolicy) -> int:
        """Tokens a session may spend (0 = no limit): the tenant's, else the deployment's."""
        budget = tenant.session_tokens
        return self._session_token_budget if budget is None else budget
