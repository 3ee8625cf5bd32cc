"""/admin over the loopback Bot API: statistics, a mailing end to end, the log, blocking."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram_updates import SimulatedUser
from tests.integration.bot_harness import RunningBot, running_bot

UNKNOWN = "I don't know that command. /help lists what I understand."


@asynccontextmanager
async def admin_bot(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, telegram: FakeTelegram, ops: SimulatedUser
) -> AsyncIterator[RunningBot]:
    async with running_bot(monkeypatch, tmp_path, admins=(ops,), telegram=telegram) as running:
        yield running


def _last(user: SimulatedUser) -> str:
    return user.messages()[-1].text if user.messages() else ""


async def test_admin_is_unknown_to_everyone_else_and_listed_only_for_admins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A non-admin's /admin gets the unknown-command answer and its buttons do nothing; only
    admins' chats list /admin, in both languages."""
    async with FakeTelegram() as telegram:
        ops = telegram.user(first_name="Ops")
        async with admin_bot(monkeypatch, tmp_path, telegram, ops) as running:
            alex = telegram.user()
            await running.consent(alex)
            alex.send("/admin")
            assert (await alex.wait_for_messages(5))[-1].text == UNKNOWN
            assert "admin" not in {c["command"] for c in telegram.commands_for()}
            for code, description in (("", "Statistics"), ("ru", "Статистика")):
                mine = telegram.commands_for(code, scope=f"chat_id={ops.id},type=chat")
                [entry] = [c for c in mine if c["command"] == "admin"]
                assert entry["description"].startswith(description)


async def test_statistics_show_counts_and_the_variant_table(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Statistics list people, activity, messages and the A/B section — counts only."""
    async with FakeTelegram() as telegram:
        ops = telegram.user(first_name="Ops")
        async with admin_bot(monkeypatch, tmp_path, telegram, ops) as running:
            await running.consent(ops)
            alex = telegram.user()
            await running.consent(alex)
            alex.send("a distinctive sentence about my week")
            await running.idle()
            await running.app.storage.flush()
            ops.send("/admin")
            await telegram.wait_for(lambda: _last(ops).startswith("Admin:"))
            ops.press(text="📊 Statistics")
            stats = await telegram.wait_for(
                lambda: _last(ops) if _last(ops).startswith("Statistics") else None
            )
            assert "People: 2 (consented 2)" in stats
            assert "Messages: " in stats
            assert "Model A/B test" in stats or "No model experiment" in stats
            assert "distinctive" not in stats


async def test_a_mailing_is_previewed_confirmed_sent_paced_and_logged(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Segment → text → the exact preview → Send: everyone in the segment gets the rendered
    text, someone who blocked the bot is counted unreachable and marked so, the status
    message ends with the summary, and the log lists the mailing."""
    async with FakeTelegram() as telegram:
        ops = telegram.user(first_name="Ops")
        async with admin_bot(monkeypatch, tmp_path, telegram, ops) as running:
            alex, bea = telegram.user(), telegram.user(language_code="ru")
            gone = telegram.user()
            for person in (ops, alex, bea, gone):
                await running.consent(person)
            telegram.block(gone.id)
            ops.send("/admin")
            await telegram.wait_for(lambda: _last(ops).startswith("Admin:"))
            ops.press(text="📣 Mailing")
            await telegram.wait_for(lambda: _last(ops) == "Who gets the mailing?")
            ops.press(text="Everyone")
            await telegram.wait_for(lambda: "(4 people)" in _last(ops))
            ops.send("**News**: <tags> & things")
            await telegram.wait_for(lambda: _last(ops).startswith("⬆️"))
            preview = ops.messages()[-2]
            assert preview.html == "<b>News</b>: &lt;tags&gt; &amp; things"
            ops.press(text="✅ Send")
            summary = "📣 Mailing to Everyone finished: sent 3 of 4, unreachable 1, failed 0."
            await telegram.wait_for(lambda: any(m.text == summary for m in ops.messages()))
            for person in (alex, bea):
                assert person.messages()[-1].html == preview.html
            profile = await running.app.services.profiles.get(running.key(gone))
            assert profile is not None
            assert not profile.active
            ops.send("/admin")
            await telegram.wait_for(lambda: _last(ops).startswith("Admin:"))
            ops.press(text="🗂 Mailing log")
            log = await telegram.wait_for(
                lambda: _last(ops) if _last(ops).startswith("Latest mailings") else None
            )
            assert "Everyone: sent 3/4, unreachable 1, failed 0" in log


async def test_a_cancelled_mailing_sends_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Cancel on the preview sends nothing, and the old Send button no longer works."""
    async with FakeTelegram() as telegram:
        ops = telegram.user(first_name="Ops")
        async with admin_bot(monkeypatch, tmp_path, telegram, ops) as running:
            alex = telegram.user()
            await running.consent(ops)
            await running.consent(alex)
            before = len(alex.messages())
            ops.send("/admin")
            await telegram.wait_for(lambda: _last(ops).startswith("Admin:"))
            ops.press(text="📣 Mailing")
            await telegram.wait_for(lambda: _last(ops) == "Who gets the mailing?")
            ops.press(text="English")
            await telegram.wait_for(lambda: "Send the text" in _last(ops))
            ops.send("hello everyone")
            await telegram.wait_for(lambda: _last(ops).startswith("⬆️"))
            confirm = ops.messages()[-1]
            ops.press(text="✖️ Cancel")
            await telegram.wait_for(lambda: _last(ops).startswith("Mailing cancelled"))
            ops.press(text="✅ Send", message=confirm)
            await telegram.wait_for(lambda: _last(ops).startswith("That preview"))
            await running.idle()
            assert len(alex.messages()) == before


async def test_an_admin_blocks_and_unblocks_a_person_by_id(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Block → the person gets no conversation; unblock → they are answered again; an
    unknown id and a non-number are answered as such."""
    async with FakeTelegram() as telegram:
        ops = telegram.user(first_name="Ops", language_code="ru")
        async with admin_bot(monkeypatch, tmp_path, telegram, ops) as running:
            alex = telegram.user()
            await running.consent(ops)
            await running.consent(alex)
            ops.send("/admin")
            await telegram.wait_for(lambda: _last(ops).startswith("Админка"))
            ops.press(text="⛔ Блокировка")
            await telegram.wait_for(lambda: _last(ops).startswith("Пришлите Telegram id"))
            ops.send("abc")
            await telegram.wait_for(lambda: _last(ops).startswith("Это не Telegram id"))
            ops.send(str(alex.id))
            await telegram.wait_for(lambda: "не заблокирован" in _last(ops))
            ops.press(text="⛔ Заблокировать")
            await telegram.wait_for(lambda: "заблокирован: разговора" in _last(ops))
            profile = await running.app.services.profiles.get(running.key(alex))
            assert profile is not None
            assert profile.blocked
            before = len(alex.messages())
            alex.send("/talk")
            await running.idle()
            assert len(alex.messages()) == before
            ops.press(text="✅ Разблокировать")
            await telegram.wait_for(lambda: _last(ops).endswith("разблокирован."))
            ops.send("/admin")
            await telegram.wait_for(lambda: _last(ops).startswith("Админка"))
            ops.press(text="⛔ Блокировка")
            await telegram.wait_for(lambda: _last(ops).startswith("Пришлите Telegram id"))
            ops.send("424242")
            await telegram.wait_for(lambda: "никогда не встречал" in _last(ops))
