"""``build_app``: every adapter from ``Settings``, the core wired over them, all closed on exit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import astuple, dataclass
from datetime import date, timedelta
from functools import partial
from typing import TYPE_CHECKING, cast

import structlog

from innertalk.application.conversation.contexts import ContextLoader
from innertalk.application.conversation.folding import FOLDED_WINDOW
from innertalk.application.conversation.talk import TalkPolicy
from innertalk.application.operations.alerts import AlertKind, AlertService
from innertalk.application.operations.analytics import CrisisSignalLog
from innertalk.application.operations.health import ComponentHealth, Probe
from innertalk.application.operations.retention import RetentionService
from innertalk.application.operations.tenants import TenantRegistry
from innertalk.application.ports import (
    Clock,
    DeadLetter,
    LanguageModel,
)
from innertalk.application.safety import SafetyService
from innertalk.application.safety_opinion import CrisisOpinion, SecondOpinion
from innertalk.application.services import CoreAdapters, CorePolicy, Services, wire_services
from innertalk.application.wellbeing.diary import ChartWords
from innertalk.bootstrap.models import build_model, crisis_classifier, crisis_opinion, price_table
from innertalk.bootstrap.stores import SharedState, open_storage, shared_state
from innertalk.bootstrap.tenant_models import TenantModelChains
from innertalk.bootstrap.tenants import deployment_bot
from innertalk.bootstrap.webhooks import Tenancy, crisis_webhooks
from innertalk.config import ConfigError, Settings
from innertalk.domain.safety import DEFAULT_HOTLINES, HotlineDirectory
from innertalk.domain.sessions import SessionPolicy
from innertalk.domain.users import Pseudonyms
from innertalk.infrastructure.charts import ChartLabels, render_mood_chart
from innertalk.infrastructure.clock import SystemClock
from innertalk.infrastructure.hotlines import HotlineFileError, load_hotlines
from innertalk.infrastructure.llm.moderation import OpenAIModerationOpinion
from innertalk.infrastructure.llm.offline import OfflineModel
from innertalk.infrastructure.llm.router import AdminAlert, ModelRouter
from innertalk.infrastructure.locks import LocalUserLocks
from innertalk.infrastructure.observability.metrics import count_crisis, count_opinion
from innertalk.infrastructure.observability.probes import (
    crisis_model_health,
    llm_health,
    redis_health,
    storage_health,
)
from innertalk.infrastructure.pseudonym_key import (
    KEY_FILE_NAME,
    PseudonymKeyError,
    pseudonym_key,
)
from innertalk.infrastructure.safety_model.classifier import LinearCrisisClassifier
from innertalk.infrastructure.storage.write_behind import WriteBehindStorage
from innertalk.infrastructure.tenant_cache import CachedTenantDirectory
from innertalk.presentation.reply_words import withheld_reply, withheld_summary

if TYPE_CHECKING:  # imported only with REDIS_URL (bootstrap/stores.py)
    from redis.asyncio import Redis

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class App:
    """Everything an entry point needs, built once per process."""

    settings: Settings
    services: Services
    """The use cases the bot, the console and the HTTP server call."""
    storage: WriteBehindStorage
    model: LanguageModel
    router: ModelRouter | None
    """The provider router (``None`` when a model was injected, e.g. in tests)."""
    redis: Redis | None
    """The process's shared Redis client with ``REDIS_URL`` (the bot keeps FSM state in it);
    closed by ``build_app``."""
    tenancy: Tenancy
    """The tenant directory (cached) and the partners' person refs, over ``storage``."""


def _render_chart(
    points: Sequence[tuple[date, float]], *, days: int, end: date, words: ChartWords
) -> bytes:
    """``DiaryService``'s ``ChartRenderer``: the matplotlib chart."""
    return render_mood_chart(points, days=days, end=end, labels=ChartLabels(*astuple(words)))


def _tenancy(settings: Settings, storage: WriteBehindStorage, clock: Clock) -> Tenancy:
    """The tenant directory over the store itself (its records are written at once, never
    behind: a key created or revoked must count in every process within the cache's TTL)."""
    store: TenantRegistry = storage.inner  # type: ignore[assignment]  # every backend has them
    directory = CachedTenantDirectory(
        store, timer=clock.monotonic, deployment_bot=deployment_bot(settings)
    )
    return Tenancy(directory, store)  # type: ignore[arg-type]  # the store keeps the refs


def _hotlines(settings: Settings) -> HotlineDirectory:
    path = settings.wellbeing.hotlines_file
    if path is None:
        return DEFAULT_HOTLINES
    try:
        return load_hotlines(path)
    except HotlineFileError as error:
        raise ConfigError(f"HOTLINES_FILE: {error}") from None


async def _pseudonyms(settings: Settings) -> Pseudonyms:
    configured = settings.log.log_pseudonym_key
    keys = settings.security.keys()
    key_file = settings.storage.data_dir / KEY_FILE_NAME
    try:
        key = await asyncio.to_thread(
            pseudonym_key,
            configured=configured.get_secret_value() if configured else None,
            encryption_key=keys[0] if keys else None,
            key_file=key_file,
        )
    except PseudonymKeyError as error:
        raise ConfigError(f"LOG_PSEUDONYM_KEY: unset, and {error}") from None
    return Pseudonyms(key)


async def _dead_letter_alert(alerts: AlertService, letter: DeadLetter) -> None:
    """Admins hear of a record set aside: its kind and the error class, nothing it says."""
    await alerts.notify(AlertKind.WRITE_BEHIND_DEAD_LETTER, f"{letter.kind}: {letter.error}")


def _alerting(alerts: AlertService) -> AdminAlert:
    async def alert(kind: str, provider: str) -> None:
        await alerts.notify(kind, provider, about=provider)

    return alert


async def _llm_probe(router: ModelRouter) -> list[ComponentHealth]:
    return llm_health(router)


@asynccontextmanager
async def build_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    model: LanguageModel | None = None,
    sessions_per_day: int | None = None,
    tenancy: Tenancy | None = None,
) -> AsyncIterator[App]:
    """Build the app; on exit, flush every queued write and close every connection.

    ``model`` replaces the provider chain (tests); ``sessions_per_day`` overrides
    ``SESSIONS_PER_DAY`` (the console chat has no limit); ``tenancy`` replaces the tenant
    directory over the storage (tests). Each tenant's settings apply to its people, and every
    crisis signal goes to its tenant's crisis webhook (when the tenant set one), delivered by a
    worker running meanwhile.

    Background work that needs an entry point's adapters is not started here: the bot runs
    the reminder dispatcher with its Telegram sender and stops it before leaving this context
    (queued writes are then flushed).
    """
    clock = clock or SystemClock()
    hotlines = _hotlines(settings)
    classifier = await crisis_classifier(settings)
    alerts = AlertService(clock)
    shared = shared_state(settings, clock)
    router = (
        None
        if model
        else build_model(settings, clock, alert=_alerting(alerts), breaker_store=shared.breakers)
    )
    chosen = model or router
    assert chosen is not None
    # a tenant with its own keys gets the configured chain with them (none with a test model)
    chains = (
        None if router is None else TenantModelChains(settings, clock, alert=_alerting(alerts))
    )
    storage = WriteBehindStorage(
        await open_storage(settings), clock, on_dead_letter=partial(_dead_letter_alert, alerts)
    )
    await storage.start()
    opinion: CrisisOpinion | None = None
    background = _background(settings, storage, shared, clock)
    stack = AsyncExitStack()
    try:
        tenancy = tenancy or _tenancy(settings, storage, clock)
        webhooks = await stack.enter_async_context(crisis_webhooks(settings, tenancy, clock))
        pseudonyms = await _pseudonyms(settings)
        opinion = crisis_opinion(settings, chosen)
        adapters = CoreAdapters(
            storage=storage,
            # kept turns fold before they outgrow the loaded window; the pinned opening is
            # chosen among the session's first CONTEXT_TURNS (domain/folding.py)
            contexts=ContextLoader(
                storage,
                shared.cache,
                FOLDED_WINDOW * settings.talk.context_turns,
                opening_limit=settings.talk.context_turns,
            ),
            model=chosen,
            fallback=OfflineModel(),
            clock=clock,
            locks=LocalUserLocks(),
            job_locks=shared.job_locks,
            rate_limiter=shared.rate_limiter,
            dedupe=shared.dedupe,
            pseudonyms=pseudonyms,
            alerts=alerts,
            safety=SafetyService(
                directory=hotlines,
                alerts=alerts,
                country=settings.wellbeing.crisis_country,
                on_signal=count_crisis,
                pseudonyms=pseudonyms,
                classifier=classifier,
                webhooks=webhooks,
                crisis_log=(cast(CrisisSignalLog, storage.inner), clock),
            ),
            withheld_reply=withheld_reply,
            withheld_summary=withheld_summary,
            charts=_render_chart,
            probes=_probes(settings, storage, router, shared.redis, classifier),
            token_budget=shared.token_budget,
            opinion=_second_opinion(settings, opinion),
            tenants=tenancy.directory,
            tenant_models=chains,
            rate_limiters=shared.rate_limiters,
            token_budgets=shared.token_budgets,
        )
        yield App(
            settings=settings,
            services=wire_services(adapters, core_policy(settings, sessions_per_day)),
            storage=storage,
            model=chosen,
            router=router,
            redis=shared.redis,
            tenancy=tenancy,
        )
    finally:
        await stack.aclose()  # the webhook worker: before the storage and clients below
        await _stop(background)
        try:
            await storage.close()
        finally:
            await shared.aclose()
            if router is not None:
                await router.aclose()
            if chains is not None:
                await chains.aclose()
            if isinstance(opinion, OpenAIModerationOpinion):
                await opinion.aclose()


def core_policy(settings: Settings, sessions_per_day: int | None = None) -> CorePolicy:
    """The use cases' tuning from ``TALK_*``-style settings and the wellbeing cooldowns."""
    talk, wellbeing = settings.talk, settings.wellbeing
    per_day = talk.sessions_per_day if sessions_per_day is None else sessions_per_day
    return CorePolicy(
        talk=TalkPolicy(
            history_token_budget=talk.history_token_budget,
            reply_max_tokens=talk.reply_max_tokens,
            session_token_budget=talk.session_token_budget,
        ),
        sessions=SessionPolicy(
            sessions_per_day=per_day, idle_timeout=timedelta(minutes=talk.session_idle_minutes)
        ),
        summary_max_turns=talk.summary_max_turns,
        mood_cooldown=wellbeing.mood_cooldown,
        portrait_cooldown=wellbeing.portrait_cooldown,
        cost_of=price_table(settings.llm).spend_cost,
    )


def _second_opinion(settings: Settings, opinion: CrisisOpinion | None) -> SecondOpinion | None:
    if opinion is None:
        return None
    timeout = settings.wellbeing.safety_opinion_timeout
    return SecondOpinion(opinion, timeout=timeout, on_outcome=count_opinion)


def _probes(
    settings: Settings,
    storage: WriteBehindStorage,
    router: ModelRouter | None,
    redis: Redis | None,
    classifier: LinearCrisisClassifier,
) -> dict[str, Probe]:
    backend = settings.storage.backend
    wanted = settings.wellbeing.safety_encoder == "on"
    probes: dict[str, Probe] = {
        "storage": lambda: storage_health(storage, backend),
        "crisis_model": partial(crisis_model_health, classifier, encoder_wanted=wanted),
    }
    if router is not None:
        probes["llm"] = partial(_llm_probe, router)
    if redis is not None:
        probes["redis"] = partial(redis_health, redis)
    return probes


def _background(
    settings: Settings, storage: WriteBehindStorage, shared: SharedState, clock: Clock
) -> list[asyncio.Task[None]]:
    """The app's own background work: breaker flags from Redis, retention."""
    background: list[asyncio.Task[None]] = []
    if shared.breakers is not None:
        background.append(asyncio.create_task(shared.breakers.run(), name="breaker-flags"))
    if settings.talk.retention_days:
        retention = RetentionService(store=storage, clock=clock, days=settings.talk.retention_days)
        background.append(asyncio.create_task(retention.run(), name="retention"))
    return background


async def _stop(background: list[asyncio.Task[None]]) -> None:
    for task in background:
        task.cancel()
    await asyncio.gather(*background, return_exceptions=True)
