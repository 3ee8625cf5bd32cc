"""Every use case as one group (``Services``), and the wiring that builds it from adapters.

The composition root (``bootstrap.build_app``) calls ``wire_services`` with the adapters
``Settings`` choose; the tests call it with in-process adapters and fakes
(``tests/fakes/core.py``), so both get the use cases wired the same way. It reads no settings,
opens nothing and starts nothing. The bot (``dp.workflow_data["services"]``), the console and
the HTTP server are given the group: a new use case is a field and a line here, nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from innertalk.application.conversation.contexts import ContextLoader
from innertalk.application.conversation.feedback import FeedbackService
from innertalk.application.conversation.folding import HistoryFolding
from innertalk.application.conversation.memory import MemoryService
from innertalk.application.conversation.sessions import SessionLifecycle, SessionService
from innertalk.application.conversation.talk import TalkPolicy, TalkService
from innertalk.application.operations.admin import AdminService
from innertalk.application.operations.alerts import AlertService
from innertalk.application.operations.health import HealthService, Probe
from innertalk.application.ports import (
    Clock,
    JobLocks,
    LanguageModel,
    RateLimiter,
    Storage,
    TokenBudget,
    UpdateDedupe,
    UserLocks,
)
from innertalk.application.privacy import PrivacyService
from innertalk.application.profiles import ProfileService
from innertalk.application.safety import SafetyService
from innertalk.application.safety_opinion import SecondOpinion
from innertalk.application.tenancy import TenantDirectory
from innertalk.application.tenant_limits import (
    RateLimiters,
    TenantRateLimiter,
    TenantTokenBudget,
    TokenBudgets,
)
from innertalk.application.tenant_policy import TenantModels, TenantPolicies
from innertalk.application.wellbeing.diary import ChartRenderer, DiaryService
from innertalk.application.wellbeing.portraits import PortraitService
from innertalk.application.wellbeing.questionnaires import QuestionnaireService
from innertalk.application.wellbeing.reminders import ReminderService
from innertalk.domain.sessions import SessionPolicy
from innertalk.domain.stats import ModelSpend
from innertalk.domain.users import Language, Pseudonyms


@dataclass(frozen=True, slots=True)
class Services:
    """Every use case, and the few ports handlers use directly (clock, limits, dedupe)."""

    talk: TalkService
    sessions: SessionService
    profiles: ProfileService
    feedback: FeedbackService
    privacy: PrivacyService
    diary: DiaryService
    questionnaires: QuestionnaireService
    portraits: PortraitService
    safety: SafetyService
    admin: AdminService
    reminders: ReminderService
    """Reminder settings; the bot runs ``reminders.run(sender)`` with its Telegram sender."""
    alerts: AlertService
    health: HealthService
    """Storage and model probes; entry points add their own (Telegram adds ``getMe``)."""
    memory: MemoryService
    """What the companion remembers (/memory) and forgetting parts of it (/forget)."""
    rate_limiter: RateLimiter
    """Per person: their tenant's rate (``TenantSettings.rate``), else ``RATE_LIMIT``."""
    dedupe: UpdateDedupe
    clock: Clock
    pseudonyms: Pseudonyms
    """Stand-ins for people in logs and alerts (``LOG_PSEUDONYM_KEY``)."""
    tenants: TenantPolicies
    """What each person's tenant changes (entry points ask it for hotline countries)."""


@dataclass(frozen=True, slots=True)
class CoreAdapters:
    """What the use cases are made of: ports' adapters, the few services adapters report into
    (``alerts``, ``safety``: built first) and the presentation's words stored in place of
    withheld text."""

    storage: Storage
    contexts: ContextLoader
    """Each person's loaded context over ``storage`` and a cache; its ``turn_limit`` also
    bounds history folding."""
    model: LanguageModel
    fallback: LanguageModel
    """Answers summaries and folds when ``model`` cannot (the offline responder)."""
    clock: Clock
    locks: UserLocks
    job_locks: JobLocks
    rate_limiter: RateLimiter
    dedupe: UpdateDedupe
    pseudonyms: Pseudonyms
    alerts: AlertService
    safety: SafetyService
    withheld_reply: Callable[[Language], str]
    """The words sent and stored instead of a reply that failed the output screen."""
    withheld_summary: Callable[[Language], str]
    """The line stored instead of a session summary that failed the screen."""
    charts: ChartRenderer | None = None
    probes: Mapping[str, Probe] = field(default_factory=dict)
    token_budget: TokenBudget | None = None
    opinion: SecondOpinion | None = None
    """Asked about messages the local safety layers are unsure of (``SAFETY_OPINION``)."""
    tenants: TenantDirectory | None = None
    """Which tenant owns each realm, with its settings; ``None``: the deployment's settings
    for everyone (the lead plugs the tenant store in here)."""
    tenant_models: TenantModels | None = None
    """Chains with a tenant's own provider keys; ``None``: every tenant on ``model``."""
    rate_limiters: RateLimiters | None = None
    """Builds a limiter of a tenant's own rate (like ``rate_limiter``, at another rate)."""
    token_budgets: TokenBudgets | None = None
    """Builds a daily budget of a tenant's own size (like ``token_budget``)."""


@dataclass(frozen=True, slots=True)
class CorePolicy:
    """The plain values the use cases are tuned with (``bootstrap.core_policy`` reads them from
    ``Settings``)."""

    talk: TalkPolicy = field(default_factory=TalkPolicy)
    sessions: SessionPolicy = field(default_factory=SessionPolicy)
    summary_max_turns: int | None = None
    """``None``: the lifecycle's own default."""
    mood_cooldown: timedelta = timedelta()
    portrait_cooldown: timedelta = timedelta()
    cost_of: Callable[[ModelSpend], float | None] | None = None
    screen_talk: bool = True
    """Screen conversation with ``safety`` (off only in tests of the plain conversation)."""
    folding: bool = True
    """Fold old history into a summary when it outgrows the window (off in some benchmarks)."""


def wire_services(adapters: CoreAdapters, policy: CorePolicy) -> Services:
    """Every use case, each given the adapters it needs."""
    a = adapters
    tenants = TenantPolicies(a.tenants, timer=a.clock.monotonic)
    lifecycle = _lifecycle(a, policy, tenants)
    profiles = ProfileService(
        store=a.storage, contexts=a.contexts, locks=a.locks, clock=a.clock, tenants=tenants
    )
    reminders = ReminderService(
        store=a.storage, locks=a.locks, clock=a.clock, reachability=profiles
    )
    profiles.on_timezone_change(reminders.timezone_changed)
    return Services(
        talk=_talk(a, policy, lifecycle, tenants),
        sessions=SessionService(lifecycle=lifecycle, contexts=a.contexts, locks=a.locks),
        profiles=profiles,
        feedback=FeedbackService(store=a.storage, clock=a.clock),
        privacy=PrivacyService(store=a.storage, contexts=a.contexts, locks=a.locks, clock=a.clock),
        diary=DiaryService(
            store=a.storage, clock=a.clock, cooldown=policy.mood_cooldown, charts=a.charts
        ),
        questionnaires=QuestionnaireService(store=a.storage, contexts=a.contexts, clock=a.clock),
        portraits=PortraitService(
            store=a.storage, model=a.model, clock=a.clock, cooldown=policy.portrait_cooldown
        ),
        safety=a.safety,
        admin=AdminService(
            a.storage,
            profiles,
            a.clock,
            locks=a.job_locks,
            pseudonyms=a.pseudonyms,
            cost_of=policy.cost_of,
        ),
        reminders=reminders,
        alerts=a.alerts,
        health=HealthService(dict(a.probes)),
        memory=MemoryService(store=a.storage, contexts=a.contexts, locks=a.locks),
        rate_limiter=_rate_limiter(a, tenants),
        dedupe=a.dedupe,
        clock=a.clock,
        pseudonyms=a.pseudonyms,
        tenants=tenants,
    )


def _rate_limiter(a: CoreAdapters, tenants: TenantPolicies) -> RateLimiter:
    # without tenants the deployment's limiter is used as it is: no look-up per message
    if not tenants.enabled:
        return a.rate_limiter
    return TenantRateLimiter(tenants, a.rate_limiter, a.rate_limiters)


def _lifecycle(a: CoreAdapters, policy: CorePolicy, tenants: TenantPolicies) -> SessionLifecycle:
    # only a configured value overrides the lifecycle's own default
    turns = policy.summary_max_turns
    extra = {} if turns is None else {"summary_max_turns": turns}
    return SessionLifecycle(
        store=a.storage,
        contexts=a.contexts,
        model=a.model,
        fallback=a.fallback,
        clock=a.clock,
        withheld_summary=a.withheld_summary,
        policy=policy.sessions,
        tenants=tenants,
        **extra,
    )


def _talk(
    a: CoreAdapters, policy: CorePolicy, lifecycle: SessionLifecycle, tenants: TenantPolicies
) -> TalkService:
    budget = a.token_budget
    if tenants.enabled:  # without tenants the deployment's budget is used as it is
        budget = TenantTokenBudget(tenants, a.token_budget, a.token_budgets)
    folding = HistoryFolding(model=a.model, fallback=a.fallback, turn_limit=a.contexts.turn_limit)
    return TalkService(
        store=a.storage,
        contexts=a.contexts,
        locks=a.locks,
        sessions=lifecycle,
        model=a.model,
        clock=a.clock,
        policy=policy.talk,
        pseudonyms=a.pseudonyms,
        safety=a.safety if policy.screen_talk else None,
        withheld_text=a.withheld_reply,
        budget=budget,
        folding=folding if policy.folding else None,
        opinion=a.opinion,
        tenants=tenants,
        models=a.tenant_models,
    )
