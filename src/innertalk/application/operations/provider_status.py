"""``ProviderStatus``: how each provider of the model chain is doing, for the operators'
providers page — breaker state, recent latency, errors by class and fallbacks. Numbers only:
nothing of any request or reply."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ProviderHealth:
    name: str
    state: str
    """``closed``, ``open`` or ``half_open`` (as the breaker, shared flags included, says)."""
    open_until: datetime | None
    """When an open breaker lets a call through again."""
    p50_ms: float | None
    p95_ms: float | None
    samples: int
    """Recent successful calls the percentiles are taken over."""
    errors: Mapping[str, int] = field(default_factory=dict)
    """Failed calls by error class (``transient``, ``rate_limited``, ``auth``…)."""
    replies: int = 0
    fallbacks: int = 0
    """Replies it served although another provider was asked first."""


@dataclass(frozen=True, slots=True)
class ProviderReport:
    providers: tuple[ProviderHealth, ...]
    """The chain in order."""
    offline_replies: int
    """Replies the offline responder served (every provider failed, or the deadline passed)."""
    since: datetime
    """When counting began (the process's start: the figures are in memory)."""


class ProviderStatus(Protocol):
    async def report(self) -> ProviderReport: ...
