"""The composition root hands the bot one set of services, its metrics and production screen
state, with no step to add afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from innertalk.application.operations.tenants import TenantAdmin
from innertalk.bootstrap.tenants import setting_rules
from innertalk.domain.tenants import DEFAULT_TENANT
from innertalk.infrastructure.fsm import StoreFsmStorage
from tests.fakes.metrics import RecordingMetrics
from tests.fakes.sleeper import eventually
from tests.integration.application.webhooks.support import receiving
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


async def test_a_crisis_on_the_deployments_bot_reaches_the_default_tenants_care_team(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``build_app`` wires crisis webhooks with no extra step: once the default tenant sets a
    webhook, a Telegram person's crisis message reaches it signed, without any text."""
    secret = "care-team-secret-0123"
    async with receiving(secret) as receiver, running_bot(monkeypatch, tmp_path) as running:
        app = running.app
        admin = TenantAdmin(app.tenancy.directory, app.services.clock, setting_rules(app.settings))
        await admin.set(
            DEFAULT_TENANT,
            [f"crisis_webhook_url={receiver.url}", f"crisis_webhook_secret={secret}"],
        )
        alex = running.telegram.user()
        await running.consent(alex)
        alex.send("I have the pills counted out and tonight I will take them all, zanzibar")
        await eventually(lambda: bool(receiver.deliveries))
    payload = receiver.deliveries[0].payload
    assert payload["person"] == {"telegram_user_id": alex.id, "bot_id": running.bot.bot_id}
    assert payload["tenant"] == DEFAULT_TENANT
    assert "zanzibar" not in receiver.deliveries[0].body.decode()
