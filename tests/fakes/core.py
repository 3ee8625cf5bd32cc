"""The application core wired with in-process adapters and fakes by the composition root's own
wiring (``wire_services``): only the adapters differ from ``build_app``'s."""

from __future__ import annotations

from dataclasses import dataclass

from innertalk.application.conversation.contexts import ContextLoader
from innertalk.application.conversation.sessions import SessionService
from innertalk.application.conversation.talk import TalkPolicy, TalkService
from innertalk.application.operations.alerts import AlertService
from innertalk.application.ports import LanguageModel, TokenBudget
from innertalk.application.profiles import ProfileService
from innertalk.application.safety import SafetyService
from innertalk.application.safety_opinion import SecondOpinion
from innertalk.application.services import CoreAdapters, CorePolicy, Services, wire_services
from innertalk.application.tenancy import TenantDirectory
from innertalk.application.tenant_policy import TenantModels
from innertalk.domain.safety import DEFAULT_HOTLINES
from innertalk.domain.sessions import SessionPolicy
from innertalk.domain.users import Pseudonyms
from innertalk.infrastructure.cache import LocalContextCache
from innertalk.infrastructure.dedupe import LocalUpdateDedupe
from innertalk.infrastructure.llm.offline import OfflineModel
from innertalk.infrastructure.locks import LocalJobLocks, LocalUserLocks
from innertalk.infrastructure.ratelimit import LimitsTokenBudget, LocalRateLimiter
from innertalk.infrastructure.storage.local.storage import LocalStorage
from innertalk.presentation.reply_words import withheld_reply, withheld_summary
from tests.fakes.clock import FakeClock

PSEUDONYMS = Pseudonyms(b"the test suite's pseudonym key")
"""The pseudonyms ``build_core`` wires in (a fixed key, so tests can name a person's)."""


@dataclass
class Core:
    storage: LocalStorage
    cache: LocalContextCache
    contexts: ContextLoader
    locks: LocalUserLocks
    services: Services

    @property
    def talk(self) -> TalkService:
        return self.services.talk

    @property
    def sessions(self) -> SessionService:
        return self.services.sessions

    @property
    def profiles(self) -> ProfileService:
        return self.services.profiles


def build_core(
    model: LanguageModel,
    clock: FakeClock,
    *,
    storage: LocalStorage | None = None,
    policy: TalkPolicy | None = None,
    context_turns: int = 20,
    sessions: SessionPolicy | None = None,
    safety: SafetyService | None = None,
    budget: TokenBudget | None = None,
    opinion: SecondOpinion | None = None,
    folding: bool = True,
    tenants: TenantDirectory | None = None,
    tenant_models: TenantModels | None = None,
) -> Core:
    """``safety`` screens the conversation (without one it is not screened); ``folding`` off
    keeps every loaded turn verbatim; ``tenants`` gives people their tenants' settings."""
    storage = storage or LocalStorage()
    cache = LocalContextCache(maxsize=1000, ttl=600, timer=clock.monotonic)
    # as bootstrap wires it with folding: the pinned opening among the first half of the window
    contexts = ContextLoader(storage, cache, context_turns, context_turns // 2 if folding else 0)
    locks = LocalUserLocks()
    alerts = AlertService(clock)
    adapters = CoreAdapters(
        storage=storage,
        contexts=contexts,
        model=model,
        fallback=OfflineModel(),
        clock=clock,
        locks=locks,
        job_locks=LocalJobLocks(),
        rate_limiter=LocalRateLimiter("1000/minute", timer=clock.monotonic),
        dedupe=LocalUpdateDedupe(clock.monotonic),
        pseudonyms=PSEUDONYMS,
        alerts=alerts,
        safety=safety or SafetyService(directory=DEFAULT_HOTLINES, pseudonyms=PSEUDONYMS),
        withheld_reply=withheld_reply,
        withheld_summary=withheld_summary,
        token_budget=budget,
        opinion=opinion,
        tenants=tenants,
        tenant_models=tenant_models,
        rate_limiters=lambda rate: LocalRateLimiter(rate, timer=clock.monotonic),
        token_budgets=LimitsTokenBudget,
    )
    core_policy = CorePolicy(
        talk=policy or TalkPolicy(),
        sessions=sessions or SessionPolicy(sessions_per_day=0),
        screen_talk=safety is not None,
        folding=folding,
    )
    return Core(storage, cache, contexts, locks, wire_services(adapters, core_policy))
