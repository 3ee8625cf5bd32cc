"""Crisis safety in the real bot: hotlines come first, before consent too."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.models import ScriptedModel
from tests.integration.bot_harness import running_bot


async def test_a_crisis_message_gets_hotlines_before_the_reply(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The safety notice with the emergency number comes first, then the companion's reply."""
    model = ScriptedModel(lambda request: "I'm here with you.")
    async with running_bot(monkeypatch, tmp_path, model=model) as running:
        alex = running.telegram.user(language_code="en")
        await running.consent(alex)
        before = len(alex.messages())
        alex.send("I want to end my life")
        messages = await alex.wait_for_messages(before + 2)
        notice, reply = messages[before], messages[before + 1]
        assert "AI program" in notice.text
        assert any(digit in notice.text for digit in ("112", "911", "988", "999"))
        assert reply.text == "I'm here with you."
        assert "Safety mode" in model.requests[-1].system


async def test_before_consent_a_crisis_still_gets_hotlines_and_nothing_is_stored(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Someone in crisis who has not consented gets the notice, and no profile or turn exists."""
    async with running_bot(monkeypatch, tmp_path) as running:
        masha = running.telegram.user(language_code="ru")
        masha.send("/start")
        await masha.wait_for_messages(1)
        masha.send("я не хочу жить")
        messages = await masha.wait_for_messages(3)
        assert any("112" in m.text for m in messages)
        assert await running.app.services.profiles.get(running.key(masha)) is None
        assert await running.turns(masha) == []


async def test_a_russian_speaker_without_a_time_zone_gets_russian_lines_and_can_choose(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No time zone set: Russian lines by language; "choose your country" swaps them in place."""
    model = ScriptedModel(lambda request: "Я рядом.")
    async with running_bot(monkeypatch, tmp_path, model=model) as running:
        masha = running.telegram.user(language_code="ru")
        await running.consent(masha)
        before = len(masha.messages())
        masha.send("я не хочу больше жить")
        messages = await masha.wait_for_messages(before + 2)
        notice = messages[before]
        assert "8-800-2000-122" in notice.text  # a Russian national line, not the generic list
        masha.press(text="🌍 Выбрать страну", message=notice)
        await running.telegram.wait_for(lambda: len(notice.buttons()) > 1)
        labels = [button["text"] for button in notice.buttons()]
        assert "✓ 🇷🇺 Россия" in labels
        assert "🇺🇦 Украина" in labels
        assert "🌐 Другая страна" in labels
        masha.press(text="🇺🇦 Украина", message=notice)
        await running.telegram.wait_for(lambda: "7333" in notice.text)
        assert "8-800-2000-122" not in notice.text
        assert [b["text"] for b in notice.buttons()] == ["🌍 Выбрать страну"]
        masha.press(text="🌍 Выбрать страну", message=notice)
        await running.telegram.wait_for(lambda: len(notice.buttons()) > 1)
        assert "✓ 🇺🇦 Украина" in [b["text"] for b in notice.buttons()]
        masha.press(text="🌐 Другая страна", message=notice)
        await running.telegram.wait_for(lambda: "7333" not in notice.text)
        assert "findahelpline" in notice.text.casefold()
