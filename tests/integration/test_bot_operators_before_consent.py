"""Operators (ADMIN_IDS) run the bot before they consent, and nothing about them is stored."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from pathlib import Path

import pytest

from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram_updates import SimulatedUser
from tests.integration.bot_harness import RunningBot, running_bot

CONSENT_SCREEN = "I'd be glad to listen. Before we talk, I need your consent"


@asynccontextmanager
async def operated_bot(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, telegram: FakeTelegram, ops: SimulatedUser
) -> AsyncIterator[RunningBot]:
    """The bot with ``ops`` as its operator and screen (FSM) state in the app's own store, as
    deployed without Redis — so a screen written for anyone lands in the database."""
    async with running_bot(monkeypatch, tmp_path, admins=(ops,), telegram=telegram) as running:
        yield running


def _last(user: SimulatedUser) -> str:
    return user.messages()[-1].text if user.messages() else ""


async def _rows_about(running: RunningBot, database: Path, user_id: int) -> dict[str, int]:
    """Rows keyed by ``user_id`` in every table of the database that has the column (all of
    them but the schema's bookkeeping), after the write queue drained."""
    await running.app.storage.flush()
    with closing(sqlite3.connect(database)) as connection:
        tables = [
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            if any(
                column[1] == "user_id"
                for column in connection.execute(f'PRAGMA table_info("{name}")')
            )
        ]
        return {
            table: connection.execute(
                f'SELECT COUNT(*) FROM "{table}" WHERE user_id = ?', (user_id,)
            ).fetchone()[0]
            for table in tables
        }


async def test_an_operator_runs_health_and_admin_before_consent_and_leaves_no_record(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An operator who never consented gets /health, /admin's statistics, a mailing and
    blocking; afterwards no profile, screen state or turn of theirs is in the database."""
    async with FakeTelegram() as telegram:
        ops = telegram.user(first_name="Ops")
        async with operated_bot(monkeypatch, tmp_path, telegram, ops) as running:
            alex = telegram.user()
            await running.consent(alex)
            ops.send("/health")
            table = await telegram.wait_for(
                lambda: _last(ops) if _last(ops).startswith("Health: ready") else None
            )
            assert "storage" in table
            ops.send("/admin")
            await telegram.wait_for(lambda: _last(ops).startswith("Admin:"))
            ops.press(text="📊 Statistics")
            stats = await telegram.wait_for(
                lambda: _last(ops) if _last(ops).startswith("Statistics") else None
            )
            assert "People: 1 (consented 1)" in stats
            ops.press(text="📣 Mailing")
            await telegram.wait_for(lambda: _last(ops) == "Who gets the mailing?")
            ops.press(text="Everyone")
            await telegram.wait_for(lambda: "Send the text" in _last(ops))
            ops.send("Maintenance tonight")
            await telegram.wait_for(lambda: _last(ops).startswith("⬆️"))
            ops.press(text="✅ Send")
            summary = "📣 Mailing to Everyone finished: sent 1 of 1, unreachable 0, failed 0."
            await telegram.wait_for(lambda: any(m.text == summary for m in ops.messages()))
            assert alex.messages()[-1].text == "Maintenance tonight"
            ops.press(text="⛔ Block / unblock")
            await telegram.wait_for(lambda: _last(ops).startswith("Send the person's"))
            ops.send(str(alex.id))
            await telegram.wait_for(lambda: "not blocked" in _last(ops))
            ops.press(text="⛔ Block")
            await telegram.wait_for(lambda: "is blocked" in _last(ops))
            await running.idle()
            assert all(CONSENT_SCREEN not in m.text for m in ops.messages())
            assert await running.app.services.profiles.get(running.key(ops)) is None
            database = tmp_path / "bot.db"
            assert set((await _rows_about(running, database, ops.id)).values()) == {0}
            about_alex = await _rows_about(running, database, alex.id)
            assert about_alex["profiles"] == 1  # the check sees what a consented person left


async def test_health_and_admin_still_ask_everyone_else_to_consent_first(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Someone who is not an operator and has not consented gets the consent screen for
    /health and /admin, with the consent button, as for anything else they write."""
    async with FakeTelegram() as telegram:
        ops = telegram.user(first_name="Ops")
        async with operated_bot(monkeypatch, tmp_path, telegram, ops) as running:
            alex = telegram.user()
            alex.send("/health")
            alex.send("/admin")
            answers = await alex.wait_for_messages(2)
            for answer in answers:
                assert answer.text.startswith(CONSENT_SCREEN)
                assert any(b["text"] == "✅ I agree, let's begin" for b in answer.buttons())
            await running.idle()
            assert len(alex.messages()) == 2
            assert ops.messages() == []
