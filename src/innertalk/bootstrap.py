"""The composition root: builds every adapter and service from ``Settings`` and closes them.

It is the only module that sees settings, adapters and use cases at once. Entry points
(console, and later the bot and the HTTP server) get one frozen ``App`` from ``build_app``.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import astuple, dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import structlog
from redis.asyncio import Redis

from innertalk.application.admin import AdminService
from innertalk.application.alerts import AlertKind, AlertService
from innertalk.application.contexts import ContextLoader
from innertalk.application.diary import ChartWords, DiaryService
from innertalk.application.feedback import FeedbackService
from innertalk.application.folding import FOLDED_WINDOW, HistoryFolding
from innertalk.application.health import ComponentHealth, HealthService, Probe
from innertalk.application.inbox import InboxUnavailableError, UpdateInbox
from innertalk.application.memory import MemoryService
from innertalk.application.portraits import PortraitService
from innertalk.application.ports import (
    Clock,
    ContextCache,
    DeadLetter,
    JobLocks,
    LanguageModel,
    RateLimiter,
    Storage,
    TokenBudget,
    UpdateDedupe,
)
from innertalk.application.privacy import PrivacyService
from innertalk.application.profiles import ProfileService
from innertalk.application.questionnaires import QuestionnaireService
from innertalk.application.reminders import ReminderService
from innertalk.application.retention import RetentionService
from innertalk.application.safety import SafetyService
from innertalk.application.safety_opinion import CrisisOpinion, SecondOpinion
from innertalk.application.sessions import SessionLifecycle, SessionService
from innertalk.application.talk import TalkPolicy, TalkService
from innertalk.config import ConfigError, LLMSettings, Settings
from innertalk.domain.safety import DEFAULT_HOTLINES, HotlineDirectory
from innertalk.domain.sessions import SessionPolicy
from innertalk.domain.users import Pseudonyms
from innertalk.infrastructure.cache import MemoryContextCache
from innertalk.infrastructure.charts import ChartLabels, render_mood_chart
from innertalk.infrastructure.clock import SystemClock
from innertalk.infrastructure.context_codec import ContextCodec
from innertalk.infrastructure.crypto import FieldCipher
from innertalk.infrastructure.dedupe import LocalUpdateDedupe, RedisUpdateDedupe
from innertalk.infrastructure.hotlines import HotlineFileError, load_hotlines
from innertalk.infrastructure.inbox_seal import PayloadSeal
from innertalk.infrastructure.llm.breaker import BreakerPolicy, BreakerStateStore
from innertalk.infrastructure.llm.crisis_opinion import ModelCrisisOpinion
from innertalk.infrastructure.llm.moderation import OpenAIModerationOpinion
from innertalk.infrastructure.llm.offline import OfflineModel
from innertalk.infrastructure.llm.prices import PriceTable
from innertalk.infrastructure.llm.provider import Provider
from innertalk.infrastructure.llm.redis_breaker import RedisBreakerStateStore
from innertalk.infrastructure.llm.router import AdminAlert, ChainLink, ModelRouter, RouterPolicy
from innertalk.infrastructure.locks import LocalJobLocks, LocalUserLocks
from innertalk.infrastructure.metrics import count_crisis, count_opinion, mark_crisis_encoder
from innertalk.infrastructure.probes import (
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
from innertalk.infrastructure.ratelimit import (
    LimitsRateLimiter,
    LimitsTokenBudget,
    MemoryRateLimiter,
)
from innertalk.infrastructure.redis_cache import RedisContextCache
from innertalk.infrastructure.redis_connection import connect_redis
from innertalk.infrastructure.redis_inbox import RedisUpdateInbox
from innertalk.infrastructure.redis_locks import RedisJobLocks
from innertalk.infrastructure.safety_model.classifier import shipped_classifier
from innertalk.infrastructure.safety_model.encoder import try_load_encoder
from innertalk.infrastructure.storage.key_check import KeyMismatchError, check_keys
from innertalk.infrastructure.storage.mongo import MongoStorage
from innertalk.infrastructure.storage.mongo_client import MongoStartupError
from innertalk.infrastructure.storage.mongo_inbox import MongoUpdateInbox
from innertalk.infrastructure.storage.sqlite import SqliteStorage
from innertalk.infrastructure.storage.sqlite_inbox import SqliteUpdateInbox
from innertalk.infrastructure.storage.write_behind import WriteBehindStorage
from innertalk.presentation.reply_words import cut_off_note, withheld_reply, withheld_summary

log = structlog.get_logger(__name__)

CONTEXT_CACHE_SIZE = 50_000
CONTEXT_CACHE_TTL = 30 * 60.0


@dataclass(frozen=True, slots=True)
class App:
    """Everything an entry point needs, built once per process."""

    settings: Settings
    clock: Clock
    storage: WriteBehindStorage
    model: LanguageModel
    router: ModelRouter | None
    """The provider router (``None`` when a model was injected, e.g. in tests)."""
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
    """Reminder settings; the bot entry point runs ``reminders.run(sender)`` as a task (not
    started here: only the bot has a Telegram sender)."""
    alerts: AlertService
    health: HealthService
    """Storage and model probes; entry points add their own (Telegram adds ``getMe``)."""
    rate_limiter: RateLimiter
    dedupe: UpdateDedupe
    memory: MemoryService
    """What the companion remembers (/memory) and forgetting parts of it (/forget)."""
    pseudonyms: Pseudonyms
    """Stand-ins for people in logs and alerts, keyed by ``LOG_PSEUDONYM_KEY`` or its fallbacks."""
    redis: Redis | None
    """The process's shared Redis client with ``REDIS_URL`` (the bot keeps FSM state in it);
    closed by ``build_app``."""


def _render_chart(
    points: Sequence[tuple[date, float]], *, days: int, end: date, words: ChartWords
) -> bytes:
    """``DiaryService``'s ``ChartRenderer``: the matplotlib chart."""
    return render_mood_chart(points, days=days, end=end, labels=ChartLabels(*astuple(words)))


async def open_storage(settings: Settings, *, migrate: bool | None = None) -> Storage:
    """The storage backend ``DATABASE_URL`` names, migrated when ``AUTO_MIGRATE`` is on.

    A database that cannot be opened is a configuration problem: ``ConfigError`` names it.
    MongoDB without ``AUTO_MIGRATE`` must already have its indexes (``innertalk migrate``).
    """
    migrating = settings.storage.auto_migrate if migrate is None else migrate
    # the adapters' row codecs seal every personal field with it (docs/architecture.md)
    cipher = at_rest_cipher(settings)
    storage: SqliteStorage | MongoStorage
    if settings.storage.backend == "mongodb":
        storage = await _open_mongodb(settings, migrate=migrating, cipher=cipher)
    else:
        path = settings.storage.sqlite_path
        storage = await _open_sqlite(path, migrate=migrating, cipher=cipher)
    try:
        await check_keys(storage, cipher)
    except KeyMismatchError as error:
        await storage.close()
        raise ConfigError(str(error)) from None
    return storage


def at_rest_cipher(settings: Settings) -> FieldCipher | None:
    """The cipher ``ENCRYPTION_KEY`` (then ``ENCRYPTION_KEYS_PREVIOUS``) makes, if set."""
    keys = settings.security.keys()
    return FieldCipher(keys) if keys else None


async def _open_sqlite(
    path: Path, *, migrate: bool, cipher: FieldCipher | None = None
) -> SqliteStorage:
    try:
        storage = await SqliteStorage.open(path, cipher=cipher)
    except (OSError, sqlite3.Error) as error:
        raise ConfigError(f"DATABASE_URL: cannot open {path}: {error}") from None
    if migrate:
        await storage.migrate()
    return storage


async def _open_mongodb(
    settings: Settings, *, migrate: bool, cipher: FieldCipher | None = None
) -> MongoStorage:
    """Connected (or a one-line ``ConfigError`` naming ``DATABASE_URL``), then migrated or
    checked for the indexes ``innertalk migrate`` creates."""
    try:
        storage = await MongoStorage.open(
            settings.storage.database_url,
            settings.storage.mongodb_database,
            retention_days=settings.talk.retention_days,
            cipher=cipher,
        )
        await storage.prepare(migrate=migrate)
    except MongoStartupError as error:
        raise ConfigError(f"DATABASE_URL: {error}") from None
    return storage


def chain_names(llm: LLMSettings) -> list[str]:
    """Providers of the chain, in order: ``LLM_PROVIDERS``, or every SDK provider with a key.

    ``offline`` always ends the chain; listing it ends it there (``LLM_PROVIDERS=offline``
    answers offline even with keys set).
    """
    names = list(llm.llm_providers) or llm.configured_keys()
    return names[: names.index("offline")] if "offline" in names else names


def router_policy(llm: LLMSettings) -> RouterPolicy:
    """The router's timeouts and limits from ``LLM_*`` settings."""
    return RouterPolicy(
        first_token_timeout=llm.llm_first_token_timeout,
        total_timeout=llm.llm_total_timeout,
        hedge_after=llm.llm_hedge_after,
        max_rounds=llm.llm_max_rounds,
        backoff_max=llm.llm_backoff_max,
        auth_cooldown=llm.llm_auth_cooldown,
    )


def price_table(llm: LLMSettings) -> PriceTable:
    """The built-in prices with ``LLM_PRICES`` over them."""
    overrides = {}
    for key, price in llm.llm_prices.items():
        provider, _, model = key.partition("=")
        overrides[(provider, model)] = price
    return PriceTable(overrides)


def breaker_policy(llm: LLMSettings, provider: str) -> BreakerPolicy | None:
    """``LLM_BREAKERS``' rule for ``provider`` (its own, else ``*``); ``None``: built-in."""
    rule = llm.llm_breakers.get(provider) or llm.llm_breakers.get("*")
    return BreakerPolicy(*rule) if rule else None


def build_model(
    settings: Settings,
    clock: Clock,
    *,
    factory: ProviderFactory | None = None,
    alert: AdminAlert | None = None,
    breaker_store: BreakerStateStore | None = None,
) -> ModelRouter:
    """The router over the configured chain, the offline responder last.

    ``factory`` builds one provider by name (tests pass fakes); by default the registry's
    SDK adapters, imported only when some provider is configured (the SDKs take seconds).
    ``alert`` reaches admins when a provider's key is rejected (default: an error log line).
    ``breaker_store`` holds the breakers' open flags (default: in this process).
    """
    llm = settings.llm
    names = chain_names(llm)
    if names and factory is None:
        factory = _registry_factory(llm)
    links = [ChainLink(factory(name), breaker_policy(llm, name)) for name in names if factory]
    try:
        return ModelRouter(
            links,
            clock=clock,
            cut_off_note=cut_off_note,
            policy=router_policy(llm),
            experiment=llm.experiment(),
            alert=alert,
            breaker_store=breaker_store,
            prices=price_table(llm),
        )
    except ValueError as error:  # an experiment naming a provider outside the chain
        raise ConfigError(f"LLM_EXPERIMENT: {error}") from None


ProviderFactory = Callable[[str], Provider]


def _registry_factory(llm: LLMSettings) -> ProviderFactory:
    from innertalk.infrastructure.llm.registry import PROVIDERS, build_provider

    def build(name: str) -> Provider:
        try:
            return build_provider(
                PROVIDERS[name],
                api_key=llm.api_key(name),
                base_url=llm.base_url(name),
                model=llm.model(name),
                fast_model=llm.model(name, fast=True),
                connect_timeout=llm.llm_connect_timeout,
                # the router enforces first-token and total deadlines; the SDK only needs
                # to never give up before them
                read_timeout=llm.llm_total_timeout,
            )
        except ValueError as error:  # a listed provider without its key
            raise ConfigError(f"LLM_PROVIDERS: {error}") from None

    return build


def _hotlines(settings: Settings) -> HotlineDirectory:
    path = settings.wellbeing.hotlines_file
    if path is None:
        return DEFAULT_HOTLINES
    try:
        return load_hotlines(path)
    except HotlineFileError as error:
        raise ConfigError(f"HOTLINES_FILE: {error}") from None


def crisis_opinion(settings: Settings, model: LanguageModel) -> CrisisOpinion | None:
    """Who is asked about messages the local layers are unsure of (``SAFETY_OPINION``).

    ``auto`` sends them only where messages already go: OpenAI's moderation endpoint when
    OpenAI is in the chain, else the chain's fast model, else nobody (offline only).
    """
    choice, llm = settings.wellbeing.safety_opinion, settings.llm
    chain = chain_names(llm)
    key = llm.api_key("openai")
    if choice == "openai" or (choice == "auto" and key and "openai" in chain):
        if key is None:
            raise ConfigError("SAFETY_OPINION: openai needs OPENAI_API_KEY")
        return OpenAIModerationOpinion(
            api_key=key, base_url=llm.base_url("openai"), connect_timeout=llm.llm_connect_timeout
        )
    if choice == "model" and not chain:
        raise ConfigError("SAFETY_OPINION: model needs a provider (LLM_PROVIDERS or an API key)")
    if choice == "off" or not chain:
        return None
    return ModelCrisisOpinion(model)


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


@dataclass(frozen=True, slots=True)
class SharedState:
    """What several instances must share: in Redis with ``REDIS_URL``, else in-process twins.

    Every Redis adapter uses the one client (one bounded pool) and fails open to the
    in-process path while Redis is down or slow.
    """

    redis: Redis | None
    dedupe: UpdateDedupe
    rate_limiter: RateLimiter
    token_budget: TokenBudget | None
    cache: ContextCache
    job_locks: JobLocks
    breakers: RedisBreakerStateStore | None

    async def aclose(self) -> None:
        """Stop background work, then close the client (and its pool)."""
        if isinstance(self.cache, RedisContextCache):
            await self.cache.close()
        if self.breakers is not None:
            await self.breakers.aclose()
        if self.redis is not None:
            await self.redis.aclose()


def shared_state(settings: Settings, clock: Clock) -> SharedState:
    """The shared-state adapters ``REDIS_URL`` asks for (nothing connects yet)."""
    url, talk = settings.storage.redis_url, settings.talk
    tokens = talk.user_daily_tokens
    if url is None:
        return SharedState(
            redis=None,
            dedupe=LocalUpdateDedupe(clock.monotonic),
            rate_limiter=MemoryRateLimiter(talk.rate_limit, timer=clock.monotonic),
            token_budget=LimitsTokenBudget(tokens) if tokens else None,
            cache=MemoryContextCache(
                maxsize=CONTEXT_CACHE_SIZE, ttl=CONTEXT_CACHE_TTL, timer=clock.monotonic
            ),
            job_locks=LocalJobLocks(),
            breakers=None,
        )
    redis = connect_redis(url)
    # the context holds turn texts: sealed with the at-rest key whenever there is one
    codec = ContextCodec(at_rest_cipher(settings))
    pool = redis.connection_pool
    return SharedState(
        redis=redis,
        dedupe=RedisUpdateDedupe(redis, clock.monotonic),
        rate_limiter=LimitsRateLimiter(talk.rate_limit, url, pool=pool),
        token_budget=LimitsTokenBudget(tokens, url, pool=pool) if tokens else None,
        cache=RedisContextCache(
            redis, codec, ttl=CONTEXT_CACHE_TTL, local_size=CONTEXT_CACHE_SIZE
        ),
        job_locks=RedisJobLocks(redis),
        breakers=RedisBreakerStateStore(redis, clock),
    )


@asynccontextmanager
async def build_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    model: LanguageModel | None = None,
    sessions_per_day: int | None = None,
) -> AsyncIterator[App]:
    """Build the app; on exit, flush every queued write and close every connection.

    ``sessions_per_day`` overrides ``SESSIONS_PER_DAY`` (the console chat has no limit).

    Background work that needs an entry point's adapters is not started here: the bot runs
    ``asyncio.create_task(app.reminders.run(sender))`` with its Telegram ``ReminderSender``
    and cancels that task before leaving this context (queued writes are then flushed).
    """
    clock = clock or SystemClock()
    hotlines = _hotlines(settings)
    # the sentence encoder takes seconds to load, the n-gram weights tens of milliseconds:
    # both off the event loop; without the encoder, rules + n-grams still screen every message
    encoder = await asyncio.to_thread(try_load_encoder)
    classifier = await asyncio.to_thread(shipped_classifier, encoder)
    mark_crisis_encoder(classifier.uses_encoder)
    alerts = AlertService(clock)
    shared = shared_state(settings, clock)
    router = (
        None
        if model
        else build_model(settings, clock, alert=_alerting(alerts), breaker_store=shared.breakers)
    )
    model = model or router
    assert model is not None
    storage = WriteBehindStorage(
        await open_storage(settings), clock, on_dead_letter=partial(_dead_letter_alert, alerts)
    )
    await storage.start()
    opinion: CrisisOpinion | None = None
    background: list[asyncio.Task[None]] = []
    if shared.breakers is not None:
        background.append(asyncio.create_task(shared.breakers.run(), name="breaker-flags"))
    if settings.talk.retention_days:
        retention = RetentionService(store=storage, clock=clock, days=settings.talk.retention_days)
        background.append(asyncio.create_task(retention.run(), name="retention"))
    try:
        pseudonyms = await _pseudonyms(settings)
        opinion = crisis_opinion(settings, model)
        offline = OfflineModel()
        locks = LocalUserLocks()
        # a fold keeps the newer half of the loaded turns: CONTEXT_TURNS stay verbatim at least
        contexts = ContextLoader(
            storage, shared.cache, FOLDED_WINDOW * settings.talk.context_turns
        )
        policy = TalkPolicy(
            history_token_budget=settings.talk.history_token_budget,
            reply_max_tokens=settings.talk.reply_max_tokens,
            session_token_budget=settings.talk.session_token_budget,
        )
        lifecycle = SessionLifecycle(
            store=storage,
            contexts=contexts,
            model=model,
            fallback=offline,
            clock=clock,
            withheld_summary=withheld_summary,
            policy=SessionPolicy(
                sessions_per_day=settings.talk.sessions_per_day
                if sessions_per_day is None
                else sessions_per_day,
                idle_timeout=timedelta(minutes=settings.talk.session_idle_minutes),
            ),
            summary_max_turns=settings.talk.summary_max_turns,
        )
        profiles = ProfileService(store=storage, contexts=contexts, locks=locks, clock=clock)
        reminders = ReminderService(store=storage, locks=locks, clock=clock, reachability=profiles)
        profiles.on_timezone_change(reminders.timezone_changed)
        backend = settings.storage.backend
        probes: dict[str, Probe] = {
            "storage": lambda: storage_health(storage, backend),
            "crisis_model": partial(crisis_model_health, classifier),
        }
        wellbeing = settings.wellbeing
        safety = SafetyService(
            directory=hotlines,
            alerts=alerts,
            country=wellbeing.crisis_country,
            on_signal=count_crisis,
            pseudonyms=pseudonyms,
            classifier=classifier,
        )
        if router is not None:
            probes["llm"] = partial(_llm_probe, router)
        if shared.redis is not None:
            probes["redis"] = partial(redis_health, shared.redis)
        yield App(
            settings=settings,
            clock=clock,
            storage=storage,
            model=model,
            router=router,
            alerts=alerts,
            health=HealthService(probes),
            rate_limiter=shared.rate_limiter,
            dedupe=shared.dedupe,
            redis=shared.redis,
            talk=TalkService(
                store=storage,
                contexts=contexts,
                locks=locks,
                sessions=lifecycle,
                model=model,
                clock=clock,
                policy=policy,
                pseudonyms=pseudonyms,
                safety=safety,
                withheld_text=withheld_reply,
                budget=shared.token_budget,
                folding=HistoryFolding(
                    model=model, fallback=offline, turn_limit=contexts.turn_limit
                ),
                opinion=SecondOpinion(
                    opinion,
                    timeout=wellbeing.safety_opinion_timeout,
                    on_outcome=count_opinion,
                )
                if opinion
                else None,
            ),
            sessions=SessionService(lifecycle=lifecycle, contexts=contexts, locks=locks),
            profiles=profiles,
            reminders=reminders,
            feedback=FeedbackService(store=storage, clock=clock),
            privacy=PrivacyService(store=storage, contexts=contexts, locks=locks, clock=clock),
            diary=DiaryService(
                store=storage, clock=clock, cooldown=wellbeing.mood_cooldown, charts=_render_chart
            ),
            memory=MemoryService(store=storage, contexts=contexts, locks=locks),
            questionnaires=QuestionnaireService(store=storage, contexts=contexts, clock=clock),
            portraits=PortraitService(
                store=storage, model=model, clock=clock, cooldown=wellbeing.portrait_cooldown
            ),
            safety=safety,
            admin=AdminService(
                storage,
                profiles,
                clock,
                locks=shared.job_locks,
                pseudonyms=pseudonyms,
                cost_of=price_table(settings.llm).spend_cost,
            ),
            pseudonyms=pseudonyms,
        )
    finally:
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        try:
            await storage.close()
        finally:
            await shared.aclose()
            if router is not None:
                await router.aclose()
            if isinstance(opinion, OpenAIModerationOpinion):
                await opinion.aclose()


@asynccontextmanager
async def open_inbox(settings: Settings, redis: Redis | None) -> AsyncIterator[UpdateInbox]:
    """The bot's durable inbox: a Redis stream with ``REDIS_URL`` (``redis``: the app's
    client), else a table/collection in ``DATABASE_URL``; payloads sealed with the key."""
    keys = settings.security.keys()
    seal = PayloadSeal(FieldCipher(keys) if keys else None)
    inbox: UpdateInbox
    try:
        if redis is not None:
            inbox = RedisUpdateInbox(redis, seal)
        elif settings.storage.backend == "mongodb":
            url, database = settings.storage.database_url, settings.storage.mongodb_database
            inbox = await MongoUpdateInbox.open(url, database, seal)
        else:
            inbox = await SqliteUpdateInbox.open(settings.storage.sqlite_path, seal)
    except InboxUnavailableError as error:
        raise ConfigError(f"DATABASE_URL: the update inbox cannot be used ({error})") from None
    try:
        yield inbox
    finally:
        await inbox.close()
