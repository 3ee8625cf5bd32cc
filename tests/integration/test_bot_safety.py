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
        assert await running.app.profiles.get(running.key(masha)) is None
        assert await running.turns(masha) == []
