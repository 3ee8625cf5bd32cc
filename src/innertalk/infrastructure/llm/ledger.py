"""What the router saw of each provider in this process, for the panel's providers page:
the latency of recent successful calls (a rolling window), failed calls by error class, and
replies — which of them a later provider or the offline responder served (fallbacks).

Numbers only; kept in memory (Prometheus has the long history), so they start at zero with
the process. Every call is one dict update and one ``deque`` append: no lock, no I/O.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field

OFFLINE = "offline"
"""The name replies of the offline responder are counted under."""
WINDOW = 200
"""Successful calls per provider the latency percentiles are taken over."""
_NOT_ERRORS = frozenset({"ok", "cancelled"})
"""Outcomes that say nothing bad about a provider (a hedge's loser is ``cancelled``)."""


@dataclass(slots=True)
class _Provider:
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=WINDOW))
    errors: Counter[str] = field(default_factory=Counter)
    replies: int = 0
    fallbacks: int = 0


@dataclass(frozen=True, slots=True)
class ProviderFigures:
    latencies: tuple[float, ...]
    """Seconds of the recent successful calls, oldest first."""
    errors: dict[str, int]
    replies: int
    fallbacks: int


class ProviderLedger:
    """Per-provider call outcomes and replies (``ModelRouter.ledger``)."""

    def __init__(self, window: int = WINDOW) -> None:
        self._window = window
        self._providers: dict[str, _Provider] = {}

    def call(self, provider: str, outcome: str, seconds: float) -> None:
        """One call ended with ``outcome`` (``ok`` or an error kind) after ``seconds``."""
        entry = self._entry(provider)
        if outcome == "ok":
            entry.latencies.append(seconds)
        elif outcome not in _NOT_ERRORS:
            entry.errors[outcome] += 1

    def reply(self, provider: str, *, fallback: bool) -> None:
        """``provider`` (or ``OFFLINE``) served a reply; ``fallback``: not the first asked."""
        entry = self._entry(provider)
        entry.replies += 1
        entry.fallbacks += fallback

    def figures(self, provider: str) -> ProviderFigures:
        entry = self._providers.get(provider) or _Provider()
        return ProviderFigures(
            tuple(entry.latencies), dict(entry.errors), entry.replies, entry.fallbacks
        )

    def _entry(self, provider: str) -> _Provider:
        entry = self._providers.get(provider)
        if entry is None:
            entry = self._providers[provider] = _Provider(deque(maxlen=self._window))
        return entry
