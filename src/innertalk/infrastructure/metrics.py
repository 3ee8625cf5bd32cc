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
