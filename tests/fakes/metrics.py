"""``BotMetrics`` that remembers what it was told, for tests to read."""

from __future__ import annotations


class RecordingMetrics:
    """Every update reported, as (type, outcome, seconds)."""

    def __init__(self) -> None:
        self.updates: list[tuple[str, str, float]] = []

    def update_handled(self, update_type: str, outcome: str, seconds: float) -> None:
        self.updates.append((update_type, outcome, seconds))
