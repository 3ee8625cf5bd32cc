"""``ProviderStatus`` over the ``ModelRouter``: its breakers (shared "open until" flags from
Redis included, as ``BreakerStateStore`` mirrors them) and its ``ProviderLedger``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from innertalk.application.operations.provider_status import ProviderHealth, ProviderReport
from innertalk.application.ports import Clock
from innertalk.infrastructure.llm.breaker import BreakerState
from innertalk.infrastructure.llm.ledger import OFFLINE
from innertalk.infrastructure.llm.router import ModelRouter


class RouterProviderStatus:
    def __init__(self, router: ModelRouter, clock: Clock) -> None:
        self._router = router
        self._clock = clock
        self._since = clock.now()

    async def report(self) -> ProviderReport:
        now = self._clock.now()
        providers = tuple(self._health(name, now) for name in self._router.provider_names)
        offline = self._router.ledger.figures(OFFLINE).replies
        return ProviderReport(providers, offline, self._since)

    def _health(self, name: str, now: datetime) -> ProviderHealth:
        breaker = self._router.breaker(name)
        state = breaker.state
        remaining = breaker.open_remaining()
        until = now + timedelta(seconds=remaining) if state is BreakerState.OPEN else None
        figures = self._router.ledger.figures(name)
        latencies = sorted(figures.latencies)
        return ProviderHealth(
            name=name,
            state=state.value,
            open_until=until,
            p50_ms=percentile_ms(latencies, 0.50),
            p95_ms=percentile_ms(latencies, 0.95),
            samples=len(latencies),
            errors=figures.errors,
            replies=figures.replies,
            fallbacks=figures.fallbacks,
        )


def percentile_ms(ordered: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile of ``ordered`` seconds, in milliseconds."""
    if not ordered:
        return None
    rank = max(1, math.ceil(share * len(ordered)))
    return round(ordered[rank - 1] * 1000, 1)
