"""Settings, style, the screens still to come, and privacy (export, delete)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from innertalk.domain.users import Language, Style
from tests.integration.bot_harness import running_bot


async def test_time_zone_from_a_button_or_typed_in_several_ways(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Common zones are buttons; typed names, cities and UTC offsets are understood; an unknown
    one is explained; a longer sentence is conversation, not a zone."""
    async with running_bot(monkeypatch, tmp_path) as running:
        alex = running.telegram.user()
        key = running.key(alex)
        await running.consent(alex)

        async def zone_after(*typed: str) -> str:
            alex.send("⚙️ Settings")
            await running.telegram.wait_for(lambda: "Time zone:" in alex.messages()[-1].text)
            alex.press(text="🕒 Time zone")
            await running.telegram.wait_for(lambda: "Pick one below" in alex.messages()[-1].text)
            for text in typed:
                alex.send(text)
            await running.idle()
            profile = await running.app.services.profiles.get(key)
            assert profile is not None
            return profile.timezone

        alex.send("⚙️ Settings")
        await alex.wait_for_messages(5)
        alex.press(text="🕒 Time zone")
        await running.telegram.wait_for(lambda: "Pick one below" in alex.messages()[-1].text)
        alex.press(text="Europe/Moscow · UTC+3")
        await running.telegram.wait_for(lambda: "Time zone set" in alex.messages()[-1].text)
        profile = await running.app.services.profiles.get(key)
        assert profile is not None
        assert profile.timezone == "Europe/Moscow"
        assert await zone_after("new york") == "America/New_York"
        assert await zone_after("UTC+5") == "Etc/GMT-5"
        assert await zone_after("Mars/Olympus", "asia/tokyo") == "Asia/Tokyo"
        assert any("I don't know the time zone “Mars/Olympus”" in m.text for m in alex.messages())
        assert await zone_after("I just feel tired today") == "Asia/Tokyo"
        assert alex.messages()[-1].text == "echo: I just feel tired today"


async def test_language_and_style_change_and_the_menu_follows(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """/language switches the profile and resends the menu in the new language; /style too."""
    async with running_bot(monkeypatch, tmp_path) as running:
        alex = running.telegram.user()
        await running.consent(alex)
        alex.send("/language")
        await alex.wait_for_messages(5)
        alex.press(text="Русский")
        switched = (await alex.wait_for_messages(6))[-1]
        assert switched.text == "Хорошо, теперь я говорю по-русски."
        assert switched.reply_markup is not None
        assert switched.reply_markup["keyboard"][0][0]["text"] == "💬 Поговорить"
        alex.send("🎨 Стиль")
        await alex.wait_for_messages(7)
        alex.press(text="🤗 Поддержка")
        await running.telegram.wait_for(lambda: "Готово: 🤗 Поддержка" in alex.messages()[-1].text)
        profile = await running.app.services.profiles.get(running.key(alex))
        assert profile is not None
        assert (profile.language, profile.style) == (Language.RU, Style.EMPATHY)


async def test_no_menu_button_is_coming_soon_any_more(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Diary, Progress, Tests, Portrait and Settings → Reminders open their real screens."""
    async with running_bot(monkeypatch, tmp_path, RATE_LIMIT="100/minute") as running:
        alex = running.telegram.user()
        await running.consent(alex)
        for typed in ("📓 Diary", "📈 Progress", "/tests", "ℹ️ About"):
            alex.send(typed)
        answers = [m.text for m in (await alex.wait_for_messages(8))[4:]]
        assert answers[0].startswith("How are you feeling right now?")
        assert answers[1].startswith("No entries yet.")
        assert answers[2].startswith("Self-check questionnaires")
        assert "not a therapist" in answers[3]
        alex.send("⚙️ Settings")
        await alex.wait_for_messages(9)
        alex.press(text="🔔 Reminders")
        reminders = (await alex.wait_for_messages(10))[-1]
        assert reminders.text.startswith("Reminders\nOff.")
        assert not any("coming soon" in m.text for m in alex.messages())


async def test_export_sends_a_readable_and_a_complete_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """/export: a Markdown file with the conversation and a JSON file with every record."""
    async with running_bot(monkeypatch, tmp_path) as running:
        alex = running.telegram.user()
        await running.consent(alex)
        alex.send("I miss my grandmother")
        await alex.wait_for_messages(5)
        alex.send("/export")
        markdown, complete = (await alex.wait_for_messages(7))[-2:]
        assert markdown.file is not None
        assert complete.file is not None
        assert markdown.file.filename == "innertalk-export.md"
        assert "I miss my grandmother" in markdown.file.data.decode()
        document = json.loads(complete.file.data)
        assert next(turn["text"] for turn in document["turns"]) == "I miss my grandmother"
        assert complete.text.startswith("Here is everything stored about you")


async def test_delete_asks_first_then_erases_everything(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """/delete → confirm → every record erased, the menu removed; writing again starts over."""
    async with running_bot(monkeypatch, tmp_path) as running:
        alex = running.telegram.user()
        key = running.key(alex)
        await running.consent(alex)
        alex.send("something personal")
        await alex.wait_for_messages(5)
        alex.send("/delete")
        await alex.wait_for_messages(6)
        alex.press(text="Cancel")
        assert (await alex.wait_for_messages(7))[-1].text == "Okay, nothing changed."
        assert await running.app.services.profiles.get(key) is not None
        alex.send("/privacy")
        await alex.wait_for_messages(8)
        alex.press(text="🗑 Delete my data")
        await alex.wait_for_messages(9)
        alex.press(text="🗑 Yes, delete everything")
        done = (await alex.wait_for_messages(10))[-1]
        assert done.text.startswith("Done: ")
        assert done.reply_markup == {"remove_keyboard": True}
        assert await running.app.services.profiles.get(key) is None
        assert await running.turns(alex) == []
        alex.send("hello?")
        offer = (await alex.wait_for_messages(11))[-1]
        assert offer.text.startswith("I'd be glad to listen")


async def test_an_old_delete_confirmation_expires(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A "Yes, delete everything" pressed long after it was offered erases nothing."""
    async with running_bot(monkeypatch, tmp_path) as running:
        alex = running.telegram.user()
        await running.consent(alex)
        issued = int(running.app.services.clock.now().timestamp()) - 3600
        alex.send("/delete")
        confirm = (await alex.wait_for_messages(5))[-1]
        assert confirm.reply_markup is not None
        button = confirm.reply_markup["inline_keyboard"][0][0]
        button["callback_data"] = f"priv:erase:{issued}"  # as if offered an hour ago
        alex.press(button["callback_data"], message=confirm)
        expired = (await alex.wait_for_messages(6))[-1]
        assert expired.text.startswith("That confirmation has expired")
        assert await running.app.services.profiles.get(running.key(alex)) is not None
