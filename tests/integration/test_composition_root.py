"""The composition root hands the bot one set of services, its metrics and production screen
state, with no step to add afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from innertalk.infrastructure.fsm import StoreFsmStorage
from tests.fakes.metrics import RecordingMetrics
from tests.integration.bot_harness import running_bot


async def test_the_bot_runs_on_the_apps_services_and_the_metrics_it_was_given(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Handlers see the app's own ``Services`` and admin use case, and a first /start is
    counted by the metrics passed to the builder."""
    metrics = RecordingMetrics()
    async with running_bot(monkeypatch, tmp_path, metrics=metrics) as running:
        data = running.bot.dispatcher.workflow_data
        assert data["services"] is running.app.services
        assert data["admin_console"].admin is running.app.services.admin
        alex = running.telegram.user()
        alex.send("/start")
        await alex.wait_for_messages(1)
        await running.idle()
        assert ("message", "handled") in {(kind, outcome) for kind, outcome, _ in metrics.updates}


async def test_screen_state_is_kept_in_the_database_without_redis(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without REDIS_URL the built bot keeps FSM state in the app's storage, as production."""
    async with running_bot(monkeypatch, tmp_path) as running:
        storage = running.bot.dispatcher.fsm.storage
        assert isinstance(storage, StoreFsmStorage)
