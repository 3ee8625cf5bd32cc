"""The portrait in the bot: a long portrait paged with buttons; the cooldown shows the latest."""

from __future__ import annotations

from pathlib import Path

import pytest

from innertalk.domain.prompting import ModelRequest
from tests.fakes.models import ScriptedModel
from tests.integration.bot_harness import running_bot

PARAGRAPH = "You often write about your work and your family. " * 20


def _answer(request: ModelRequest) -> str:
    return "\n\n".join([PARAGRAPH] * 8) if "portrait" in request.system.lower() else "ok"


async def test_a_long_portrait_is_paged_and_the_cooldown_shows_the_latest(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Nothing to draw from → not_enough; then pages with Next ›/‹ Back; again → latest."""
    async with running_bot(monkeypatch, tmp_path, model=ScriptedModel(_answer)) as running:
        alex = running.telegram.user()
        await running.consent(alex)
        alex.send("/portrait")
        await running.idle()
        assert alex.messages()[-1].text.startswith("There is not much to draw from yet")
        alex.send("I worry about my sister")
        await running.idle()
        alex.send("🪞 Portrait")
        await running.idle()
        first = alex.messages()[-1]
        assert "Page 1 of 3" in first.text
        alex.press(text="Next ›")
        await running.idle()
        assert "Page 2 of 3" in alex.messages()[-1].text
        alex.press(text="‹ Back")
        await running.idle()
        assert "Page 1 of 3" in alex.messages()[-1].text
        alex.send("/portrait")
        await running.idle()
        assert any("A new portrait is possible on" in m.text for m in alex.messages()[-3:])
        assert len(await running.app.storage.portraits(running.key(alex), 10)) == 1
