"""A tenant's settings in the bot: the greeting's language and the crisis notice's hotlines."""

from __future__ import annotations

from pathlib import Path

import pytest

from innertalk.application.operations.tenants import TenantAdmin
from innertalk.bootstrap.tenants import setting_rules
from innertalk.domain.tenants import DEFAULT_TENANT
from tests.integration.bot_harness import RunningBot, running_bot


async def as_the_clinic(running: RunningBot) -> None:
    """The bot's tenant (the default one, as in a single-bot deployment) sets Russian and
    Ukraine's hotlines, the way ``innertalk tenant set`` does."""
    app = running.app
    admin = TenantAdmin(app.tenancy.directory, app.services.clock, setting_rules(app.settings))
    await admin.set(DEFAULT_TENANT, ["language=ru", "hotline_country=UA"])


async def test_a_language_we_do_not_speak_gets_the_tenants_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A German Telegram app is greeted in the clinic's Russian; an English one stays English."""
    async with running_bot(monkeypatch, tmp_path) as running:
        await as_the_clinic(running)
        hans = running.telegram.user(first_name="Hans", language_code="de")
        alex = running.telegram.user(first_name="Alex", language_code="en")
        hans.send("/start")
        alex.send("/start")
        [to_hans] = await hans.wait_for_messages(1)
        [to_alex] = await alex.wait_for_messages(1)
    assert [b["text"] for b in to_hans.buttons()] == ["✓ Русский", "English"]
    assert [b["text"] for b in to_alex.buttons()] == ["Русский", "✓ English"]


async def test_a_crisis_before_consent_gets_the_tenants_hotlines(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Someone of the clinic's bot who writes of suicide before consenting gets Ukraine's lines
    (the clinic's hotline country), not the international list their English would get."""
    async with running_bot(monkeypatch, tmp_path) as running:
        await as_the_clinic(running)
        alex = running.telegram.user(first_name="Alex", language_code="en")
        alex.send("I want to die")
        notice, *_ = await alex.wait_for_messages(2)
    assert "7333" in notice.text
