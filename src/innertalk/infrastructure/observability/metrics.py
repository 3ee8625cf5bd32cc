"""Prometheus metrics, all in one place so ``docs/operations.md`` can list them.

Names are prefixed ``innertalk_``; labels never carry user ids or message content.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

WRITE_BEHIND_DEPTH = Gauge(
    "innertalk_write_behind_queue_depth", "Records waiting in the write-behind queue."
)
WRITE_BEHIND_FAILED_FLUSHES = Counter(
    "innertalk_write_behind_failed_flushes_total",
    "Write-behind batches that failed and will retry.",
)
WRITE_BEHIND_DEAD_LETTERS = Counter(
    "innertalk_write_behind_dead_letters_total",
    "Records the write-behind queue gave up on (noted in the dead letters), by record kind.",
    ["kind"],
)
CONTEXT_CACHE = Counter(
    "innertalk_cache_requests_total", "Context cache lookups by result.", ["result"]
)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
STORAGE_SECONDS = Histogram(
    "innertalk_storage_operation_seconds",
    "Storage round trips by operation.",
    ["operation"],
    buckets=LATENCY_BUCKETS,
)
STORAGE_ROUND_TRIPS = Counter(
    "innertalk_storage_round_trips_total",
    "Database round trips by kind (read, write): the adapters' own counters, screen state "
    "(FSM) included.",
    ["kind"],
)
STORAGE_READS = STORAGE_ROUND_TRIPS.labels(kind="read")
STORAGE_WRITES = STORAGE_ROUND_TRIPS.labels(kind="write")

# --- Language models (labels: provider and model names, outcomes, reasons; never users) ---
LLM_REQUESTS = Counter(
    "innertalk_llm_requests_total",
    "Calls to language model providers (one per HTTP request; offline replies included).",
    ["provider", "model", "outcome"],
)
LLM_REQUEST_SECONDS = Histogram(
    "innertalk_llm_request_seconds",
    "Duration of provider calls, from start to last chunk or failure.",
    ["provider", "model"],
    buckets=LATENCY_BUCKETS,
)
LLM_FIRST_TOKEN_SECONDS = Histogram(
    "innertalk_llm_first_token_seconds",
    "Time from starting a provider call to its first text.",
    ["provider", "model"],
    buckets=LATENCY_BUCKETS,
)
LLM_TOKENS = Counter(
    "innertalk_llm_tokens_total",
    "Tokens spent, by provider and type (input, output; cached_input: input read from the "
    "provider's prompt cache, also counted in input).",
    ["provider", "type"],
)
LLM_COST = Counter(
    "innertalk_llm_cost_usd_total",
    "Estimated spend in US dollars by provider and model, at the LLM_PRICES table.",
    ["provider", "model"],
)
LLM_BREAKER_STATE = Gauge(
    "innertalk_llm_breaker_state",
    "Circuit breaker state per provider: 0 closed, 1 half-open, 2 open.",
    ["provider"],
)
LLM_FALLBACKS = Counter(
    "innertalk_llm_fallbacks_total",
    "Times a reply moved past a provider, by reason (error kind, breaker_open, deadline).",
    ["reason"],
)
LLM_HEDGES_STARTED = Counter(
    "innertalk_llm_hedges_started_total",
    "Parallel calls started because the current provider had no first token in time.",
    ["provider"],
)
LLM_HEDGES_WON = Counter(
    "innertalk_llm_hedges_won_total",
    "Hedged calls that produced their first token before the call they hedged.",
    ["provider"],
)
LLM_ROUTING = Counter(
    "innertalk_llm_routing_total",
    "Model choices per call: requested tier and the model class used (fast, standard, "
    "experiment).",
    ["provider", "requested", "used"],
)
RATE_LIMIT_DECISIONS = Counter(
    "innertalk_rate_limit_decisions_total",
    "Rate-limit checks by decision (allowed, rejected, error = limiter unavailable, allowed).",
    ["decision"],
)

# --- The bot and the process (labels: update types, outcomes, error codes, categories) ---
UPDATES = Counter(
    "innertalk_updates_total",
    "Telegram updates by type and outcome (handled, unhandled, error, unreachable, "
    "duplicate, rate_limited, ignored).",
    ["type", "outcome"],
)
HANDLER_SECONDS = Histogram(
    "innertalk_handler_seconds",
    "Time an update spent in the middlewares and handlers.",
    ["type"],
    buckets=LATENCY_BUCKETS,
)
TELEGRAM_API_ERRORS = Counter(
    "innertalk_telegram_api_errors_total",
    "Bot API calls answered with an error, by code (400, 403, 429, 5xx, network, …).",
    ["code"],
)
CRISIS_DETECTIONS = Counter(
    "innertalk_crisis_detections_total",
    "Messages that carried a crisis signal, by category and severity (counts only).",
    ["category", "severity"],
)
SAFETY_OPINIONS = Counter(
    "innertalk_safety_opinions_total",
    "Provider opinions on uncertain messages, by outcome (crisis, clear, error, timeout).",
    ["outcome"],
)
EVENT_LOOP_LAG = Gauge(
    "innertalk_event_loop_lag_seconds",
    "How late the event loop woke a 0.5 s sleep, last measurement.",
)

# --- Crisis webhooks to tenants' care teams (labels: outcomes only; never tenants' people) ---
WEBHOOK_DELIVERIES = Counter(
    "innertalk_crisis_webhook_deliveries_total",
    "Crisis webhook attempts by outcome (delivered, failed_attempt = retried later, dead = "
    "given up on and kept in the outbox).",
    ["outcome"],
)
WEBHOOK_ENQUEUE_FAILURES = Counter(
    "innertalk_crisis_webhook_enqueue_failures_total",
    "Crisis signals whose webhook event could not be stored in the outbox (lost for the "
    "tenant; the admins' alert still went out).",
)
WEBHOOK_PENDING = Gauge(
    "innertalk_crisis_webhook_pending", "Crisis webhook events waiting in the outbox."
)
WEBHOOK_OLDEST_PENDING = Gauge(
    "innertalk_crisis_webhook_oldest_pending_seconds",
    "Age of the oldest crisis webhook event still waiting (0 when none).",
)
WEBHOOK_DEAD = Gauge(
    "innertalk_crisis_webhook_dead", "Crisis webhook events given up on, kept in the outbox."
)


class PrometheusWebhookMetrics:
    """``WebhookMetrics`` on the process-wide Prometheus registry."""

    def delivery(self, outcome: str) -> None:
        WEBHOOK_DELIVERIES.labels(outcome).inc()

    def backlog(self, pending: int, oldest_age: float, dead: int) -> None:
        WEBHOOK_PENDING.set(pending)
        WEBHOOK_OLDEST_PENDING.set(oldest_age)
        WEBHOOK_DEAD.set(dead)


def count_webhook_enqueue_failure() -> None:
    """A crisis event that could not be stored (``CrisisWebhooks``' ``on_failure``)."""
    WEBHOOK_ENQUEUE_FAILURES.inc()


class PrometheusBotMetrics:
    """``BotMetrics`` on the process-wide Prometheus registry."""

    def update_handled(self, update_type: str, outcome: str, seconds: float) -> None:
        UPDATES.labels(update_type, outcome).inc()
        HANDLER_SECONDS.labels(update_type).observe(seconds)


def count_telegram_error(code: str) -> None:
    """Telegram answered a Bot API call with an error (the client's ``on_api_error``)."""
    TELEGRAM_API_ERRORS.labels(code).inc()


def count_crisis(category: str, severity: str) -> None:
    """One crisis signal (``SafetyService``'s ``on_signal``)."""
    CRISIS_DETECTIONS.labels(category, severity).inc()


def count_opinion(outcome: str) -> None:
    """One provider opinion on an uncertain message (``SecondOpinion``'s ``on_outcome``)."""
    SAFETY_OPINIONS.labels(outcome).inc()


DEDUPE_ERRORS = Counter(
    "innertalk_dedupe_unavailable_total",
    "Update de-duplication checks that could not reach Redis and let the update through.",
)

LANE_QUEUE_ERRORS = Counter(
    "innertalk_lane_queue_errors_total",
    "Shared update-queue operations that could not reach Redis, by operation (the update is "
    "then handled on the instance that received it).",
    ["operation"],
)

# --- Shared state in Redis (labels: components; never users or keys) ---
REDIS_ERRORS = Counter(
    "innertalk_redis_errors_total",
    "Redis calls that failed or timed out and fell back to the in-process path, by component "
    "(cache, breaker, job_lock, token_budget, fsm, dedupe, rate_limit).",
    ["component"],
)
TOKEN_BUDGET_REFUSALS = Counter(
    "innertalk_token_budget_exhausted_total",
    "Messages not answered because the person's daily token budget was spent.",
)


CRISIS_ENCODER_LOADED = Gauge(
    "innertalk_crisis_encoder_loaded",
    "1 when the learned crisis layer runs with its sentence encoder, 0 when n-grams decide alone.",
)


def mark_crisis_encoder(loaded: bool) -> None:
    """Whether the crisis layer's sentence encoder loaded (set once at startup)."""
    CRISIS_ENCODER_LOADED.set(1 if loaded else 0)
