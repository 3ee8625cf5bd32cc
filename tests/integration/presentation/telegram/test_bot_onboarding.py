"""Onboarding: language, what InnerTalk is, consent, style; nothing is kept before consent."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from innertalk.domain.users import Language, Style
from tests.fakes.models import ScriptedModel
from tests.integration.bot_harness import running_bot


async def test_english_onboarding_from_start_to_menu(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """/start → language (English preselected) → explanation → consent → style → menu."""
    async with running_bot(monkeypatch, tmp_path) as running:
        alex = running.telegram.user(first_name="Alex", language_code="en")
        alex.send("/start")
        [ask] = await alex.wait_for_messages(1)
        assert "Hi, Alex!" in ask.text
        assert [b["text"] for b in ask.buttons()] == ["Русский", "✓ English"]
        alex.press(text="✓ English")
        await running.telegram.wait_for(lambda: "not a therapist" in alex.messages()[0].text)
        welcome = alex.messages()[0].text
        assert "findahelpline.com" in welcome
        assert "/export" in welcome
        assert "/delete" in welcome
        assert await running.app.services.profiles.get(running.key(alex)) is None
        alex.press(text="✅ I agree, let's begin")
        thanks, style = (await alex.wait_for_messages(3))[1:]
        assert "Thank you for your trust, Alex" in thanks.text
        assert thanks.reply_markup is not None
        assert thanks.reply_markup["keyboard"][0][0]["text"] == "💬 Talk"
        assert "how would you like me to answer" in style.text
        alex.press(text="🛠 Action")
        [*_, done] = await alex.wait_for_messages(4)
        assert "All set" in done.text
        profile = await running.app.services.profiles.get(running.key(alex))
        assert profile is not None
        assert (profile.language, profile.style, profile.display_name) == (
            Language.EN,
            Style.ACTION,
            "Alex",
        )
        assert profile.has_consented


async def test_russian_onboarding_is_in_russian_throughout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A Russian Telegram app gets Russian preselected and every step in Russian."""
    async with running_bot(monkeypatch, tmp_path) as running:
        masha = running.telegram.user(first_name="Маша", language_code="ru")
        masha.send("/start")
        [ask] = await masha.wait_for_messages(1)
        assert ask.text.startswith("Привет, Маша!")
        assert [b["text"] for b in ask.buttons()] == ["✓ Русский", "English"]
        masha.press(text="✓ Русский")
        await running.telegram.wait_for(lambda: "не психотерапевт" in masha.messages()[0].text)
        assert "112" in masha.messages()[0].text
        masha.press(text="✅ Согласен(на), начнём")
        thanks, _style = (await masha.wait_for_messages(3))[1:]
        assert thanks.text == "Спасибо за доверие, Маша. Меню внизу всегда под рукой."
        assert thanks.reply_markup is not None
        assert thanks.reply_markup["keyboard"][-1][-1]["text"] == "❓ Помощь"
        masha.press(text="🤗 Поддержка")
        await running.telegram.wait_for(lambda: "Всё готово" in masha.messages()[-1].text)
        profile = await running.app.services.profiles.get(running.key(masha))
        assert profile is not None
        assert (profile.language, profile.style) == (Language.RU, Style.EMPATHY)


async def test_the_language_can_be_changed_before_consenting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An English app, Russian chosen: the explanation and the profile are Russian."""
    async with running_bot(monkeypatch, tmp_path) as running:
        alex = running.telegram.user(language_code="en")
        alex.send("/start")
        await alex.wait_for_messages(1)
        alex.press(text="Русский")
        await running.telegram.wait_for(lambda: "Добро пожаловать" in alex.messages()[0].text)
        alex.press(text="🌐 Сменить язык")
        await running.telegram.wait_for(lambda: "Welcome to InnerTalk" in alex.messages()[0].text)
        alex.press(text="🌐 Change language")
        await running.telegram.wait_for(lambda: "Добро пожаловать" in alex.messages()[0].text)
        alex.send("а можно просто поговорить?")
        offer = (await alex.wait_for_messages(2))[-1]
        assert offer.text.startswith("Я с радостью выслушаю")
        alex.press(text="✅ Согласен(на), начнём", message=offer)
        await alex.wait_for_messages(4)
        profile = await running.app.services.profiles.get(running.key(alex))
        assert profile is not None
        assert profile.language is Language.RU


async def test_nothing_written_before_consent_is_stored(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Text, media and commands before consent re-offer consent; the database keeps nothing
    but the chat's screen state, which holds only the language chosen for it."""
    model = ScriptedModel()
    async with running_bot(monkeypatch, tmp_path, model=model) as running:
        alex = running.telegram.user()
        alex.send("I feel terrible, my secret is...")
        alex.send_photo("a picture of our garden in spring")
        alex.send("/talk")
        alex.send_voice()
        replies = await alex.wait_for_messages(4)
        assert all(r.text.startswith("I'd be glad to listen") for r in replies)
        assert all(
            b["text"] == "✅ I agree, let's begin" for r in replies for b in r.buttons()[:1]
        )
        await running.idle()
        assert model.requests == []
        assert await running.app.services.profiles.get(running.key(alex)) is None
        await running.app.storage.flush()
        assert _stored_rows(tmp_path / "bot.db", but="fsm_states") == 0
        assert _screen_data(tmp_path / "bot.db") == [{"language": "en"}]


async def test_a_returning_person_lands_on_the_main_menu(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """/start after onboarding greets by name and shows the menu; no consent again."""
    async with running_bot(monkeypatch, tmp_path) as running:
        alex = running.telegram.user(first_name="Alex")
        await running.consent(alex)
        alex.send("/start")
        back = (await alex.wait_for_messages(5))[-1]
        assert back.text.startswith("Welcome back, Alex.")
        assert back.reply_markup is not None
        assert "keyboard" in back.reply_markup


def _stored_rows(database: Path, *, but: str = "") -> int:
    """Rows in every table but the schema bookkeeping (and ``but``)."""
    with closing(sqlite3.connect(database)) as connection:
        tables = [
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            if name not in ("schema_version", but) and not name.startswith("sqlite_")
        ]
        return sum(
            connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables
        )


def _screen_data(database: Path) -> list[object]:
    """The data of every stored screen (FSM) state."""
    with closing(sqlite3.connect(database)) as connection:
        rows = connection.execute("SELECT data FROM fsm_states").fetchall()
    return [json.loads(data) for (data,) in rows]
