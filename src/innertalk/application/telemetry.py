"""What entry points report about their own work (the composition root supplies Prometheus).

Labels are kinds and outcomes, never people: an update type, an outcome, an error code.
"""

from __future__ import annotations

from typing import Protocol


class BotMetrics(Protocol):
    """Counts the bot's updates and Telegram's refusals."""

    def update_handled(self, update_type: str, outcome: str, seconds: float) -> None:
        """One update finished (``outcome``: handled, unhandled, error, unreachable,
        duplicate, rate_limited, ignored) after ``seconds`` in the handlers."""
        ...

    def telegram_error(self, code: str) -> None:
        """Telegram answered an API call with an error (``code``: ``429``, ``403``, … or
        ``network``)."""
        ...


class NoBotMetrics:
    """Counts nothing (tests, and entry points without a metrics endpoint)."""

    def update_handled(self, update_type: str, outcome: str, seconds: float) -> None:
        return None

    def telegram_error(self, code: str) -> None:
        return None
