"""What entry points report about their own work (the composition root supplies Prometheus).

Labels are kinds and outcomes, never people: an update type and its outcome.
"""

from __future__ import annotations

from typing import Protocol


class BotMetrics(Protocol):
    """Counts the bot's updates."""

    def update_handled(self, update_type: str, outcome: str, seconds: float) -> None:
        """One update finished (``outcome``: handled, unhandled, error, unreachable,
        duplicate, rate_limited, ignored) after ``seconds`` in the handlers."""
        ...
