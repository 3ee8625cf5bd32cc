"""The real bot (dispatcher, middlewares, lanes, long polling) over the loopback Bot API fake,
on a real app (``build_app`` on a temporary SQLite file) with a scripted model, built by the
composition root's own ``telegram_bot`` (screen state in the database, as in production)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from innertalk.application.ports import LanguageModel
from innertalk.application.telemetry import BotMetrics
from innertalk.application.tenancy import TenantDirectory
from innertalk.bootstrap import App, build_app
from innertalk.bootstrap.bot import bot_options, telegram_bot
from innertalk.config import load_settings
from innertalk.domain.conversation import Role
from innertalk.domain.users import UserKey
from innertalk.presentation.telegram.options import BotOptions
from innertalk.presentation.telegram.transport.client import create_bot
from innertalk.presentation.telegram.transport.runtime import TelegramBot
from tests.fakes.models import ScriptedModel
from tests.fakes.telegram import DEFAULT_TOKEN, FakeTelegram
from tests.fakes.telegram_updates import SimulatedUser

BOT_ID = DEFAULT_TOKEN.split(":")[0]
SETTINGS = [
    line.split("=", 1)[0]
    for line in (Path(__file__).parents[2] / ".env.example").read_text().splitlines()
    if "=" in line and not line.startswith("#")
]
"""Every setting's variable (``.env.example`` lists them all; a unit test keeps it so)."""


@dataclass
class RunningBot:
    """A bot polling the fake, and what a test inspects."""

    telegram: FakeTelegram
    app: App
    bot: TelegramBot
    model: LanguageModel
    flood_waits: list[float] = field(default_factory=list)

    async def idle(self) -> None:
        """Wait until every update was fetched and handled (to check that nothing more happens):
        the fake's queue is empty, a long poll is waiting and no lane has work — twice in a row,
        in case a handler's last call is still on its way."""
        calm = 0
        for _ in range(500):
            busy = self.bot.lanes.first_unfinished() is not None
            settled = not busy and not self.telegram.pending_update_count()
            calm = calm + 1 if settled and self.telegram.waiting_polls else 0
            if calm == 3:
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the bot did not settle within 5 s")

    def key(self, user: SimulatedUser) -> UserKey:
        return UserKey(BOT_ID, user.id)

    async def turns(self, user: SimulatedUser) -> list[tuple[Role, str]]:
        """Every stored turn of ``user``, oldest session first (after the write queue drained)."""
        await self.app.storage.flush()
        key = self.key(user)
        found: list[tuple[Role, str]] = []
        for session in reversed(await self.app.storage.sessions(key, 100)):
            turns = await self.app.storage.session_turns(key, session.id, 1000)
            found += [(turn.role, turn.text) for turn in turns]
        return found

    async def consent(self, user: SimulatedUser) -> None:
        """Onboard ``user`` the way a person does: /start, consent, a style."""
        before = len(user.messages())
        user.send("/start")
        [*_, ask] = await user.wait_for_messages(before + 1)
        user.press(text=next(b["text"] for b in ask.buttons() if b["text"].startswith("✓")))
        await self.telegram.wait_for(
            lambda: any(b["text"] == _consent_label(user) for b in user.messages()[-1].buttons())
        )
        user.press(text=_consent_label(user))
        await user.wait_for_messages(before + 3)
        user.press("style:balanced:1")
        await user.wait_for_messages(before + 4)


def _consent_label(user: SimulatedUser) -> str:
    return "✅ Согласен(на), начнём" if user.language_code == "ru" else "✅ I agree, let's begin"


def isolate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> None:
    """A clean environment with a database in ``tmp_path`` and ``env`` on top."""
    for name in (*SETTINGS, "GOOGLE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")
    for name, value in env.items():
        monkeypatch.setenv(name, value)


@asynccontextmanager
async def running_bot(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    *,
    model: LanguageModel | None = None,
    options: BotOptions | None = None,
    admins: tuple[SimulatedUser, ...] = (),
    telegram: FakeTelegram | None = None,
    metrics: BotMetrics | None = None,
    tenants: TenantDirectory | None = None,
    **env: str,
) -> AsyncIterator[RunningBot]:
    isolate(monkeypatch, tmp_path, **env)
    settings = load_settings(None)
    model = model or ScriptedModel()
    built = build_app(settings, model=model, tenants=tenants)
    async with _fake(telegram) as fake, built as app:
        waits: list[float] = []

        async def flood_wait(seconds: float) -> None:
            waits.append(seconds)

        chosen = options or bot_options(settings)
        if admins:
            chosen = replace(chosen, admin_ids=frozenset(admin.id for admin in admins))
        bot = create_bot(fake.token, sleep=flood_wait, session=fake.session())
        running = telegram_bot(app, bot, options=chosen, metrics=metrics)
        stop = asyncio.Event()
        assert await running.prepare(stop) is not None
        polling = asyncio.create_task(running.run_polling(stop))
        try:
            yield RunningBot(fake, app, running, model, waits)
        finally:
            stop.set()
            await polling
            await running.close()


@asynccontextmanager
async def _fake(telegram: FakeTelegram | None) -> AsyncIterator[FakeTelegram]:
    if telegram is not None:
        yield telegram
        return
    async with FakeTelegram() as fake:
        yield fake
