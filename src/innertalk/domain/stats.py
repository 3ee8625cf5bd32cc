"""What operators see about a bot as a whole: counts only, never anyone's words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum


class Segment(StrEnum):
    """Who a mailing goes to. Only consented, reachable, unblocked people are ever included."""

    ALL = "all"
    ACTIVE_7D = "active7"
    RUSSIAN = "ru"
    ENGLISH = "en"


@dataclass(frozen=True, slots=True)
class VariantOutcome:
    """How one model experiment variant did: replies, latency, tokens and feedback."""

    variant: str
    replies: int
    avg_latency_ms: float | None
    input_tokens: int
    output_tokens: int
    helpful: int
    not_helpful: int

    @property
    def helpful_share(self) -> float | None:
        votes = self.helpful + self.not_helpful
        return self.helpful / votes if votes else None


@dataclass(frozen=True, slots=True)
class ModelSpend:
    """Tokens the replies of one provider's model spent in the last 24 hours."""

    provider: str
    model: str
    input_tokens: int
    output_tokens: int


@dataclass(frozen=True, slots=True)
class BotStats:
    """Activity of one bot. DAU/WAU/MAU count people who wrote within 1/7/30 days."""

    users: int
    consented: int
    new_24h: int
    new_7d: int
    dau: int
    wau: int
    mau: int
    messages: int
    sessions: int
    questionnaires: int
    mood_this_week: float | None
    mood_last_week: float | None
    unreachable: int
    blocked: int
    variants: tuple[VariantOutcome, ...] = field(default_factory=tuple)
    spend_24h: tuple[ModelSpend, ...] = field(default_factory=tuple)
    cost_per_active_person: float | None = None
    """US dollars the last 24 hours' replies cost per person active in them (DAU), at list
    input prices (turns do not keep their cached share: an upper bound); ``None``: unknown."""


def cost_per_active_person(
    stats: BotStats, cost_of: Callable[[ModelSpend], float | None]
) -> float | None:
    """The last 24 hours' reply cost over DAU; models without a price are left out, and
    ``None`` when nothing was priced or nobody was active."""
    costs = [cost for cost in map(cost_of, stats.spend_24h) if cost is not None]
    return sum(costs) / stats.dau if costs and stats.dau else None
