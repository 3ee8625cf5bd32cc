"""A tenant's settings in the bot: the greeting's language and the crisis notice's hotlines."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from innertalk.domain.tenants import ApiKey, Tenant, TenantSettings
from innertalk.domain.users import Language
from tests.integration.bot_harness import BOT_ID, running_bot

CLINIC = Tenant(
    "clinic",
    datetime(2025, 1, 1, tzinfo=UTC),
    TenantSettings(language=Language.RU, hotline_country="UA"),
)


class FakeTenants:
    """``TenantDirectory``: the bot under test belongs to the clinic."""

    async def tenant(self, name: str) -> Tenant | None:
        return CLINIC if name == CLINIC.name else None

    async def tenant_of(self, realm: str) -> Tenant | None:
        return CLINIC if realm == BOT_ID else None

    async def realms(self, name: str) -> list[str]:
        return [BOT_ID] if name == CLINIC.name else []

    async def authenticate(self, secret: str) -> ApiKey | None:
        return None


async def test_a_language_we_do_not_speak_gets_the_tenants_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A German Telegram app is greeted in the clinic's Russian; an English one stays English."""
    async with running_bot(monkeypatch, tmp_path, tenants=FakeTenants()) as running:
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
    async with running_bot(monkeypatch, tmp_path, tenants=FakeTenants()) as running:
        alex = running.telegram.user(first_name="Alex", language_code="en")
        alex.send("I want to die")
        notice, *_ = await alex.wait_for_messages(2)
    assert "7333" in notice.text
