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
    "Tokens spent, by provider and type (input, output).",
    ["provider", "type"],
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
