"""Memory in the bot: /memory shows the summary and results, /forget removes them from the
store and from the next prompt; an off-the-record session stores nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from innertalk.domain.questionnaires import QuestionnaireRun, load_builtin_instruments
from tests.fakes.models import ScriptedModel
from tests.integration.bot_harness import running_bot


async def test_memory_shows_and_forget_removes_summaries_and_results(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A summary and a GAD-7 result show in /memory; forgetting both empties the store and
    the next prompt has neither."""
    model = ScriptedModel(
        lambda r: "Summary: talked about the garden" if r.purpose.value == "summary" else "ok"
    )
    async with running_bot(
        monkeypatch, tmp_path, model=model, RATE_LIMIT="1000/minute"
    ) as running:
        alex = running.telegram.user()
        key = running.key(alex)
        await running.consent(alex)
        alex.send("my garden is blooming")
        await running.idle()
        await running.app.services.sessions.end(key)
        run = QuestionnaireRun.start(load_builtin_instruments()["gad7"])
        for _ in range(7):
            run = run.answer(1)
        await running.app.services.questionnaires.save(key, run)
        alex.send("/memory")
        await running.idle()
        shown = alex.messages()[-1].text
        assert "talked about the garden" in shown
        assert "GAD-7" in shown
        alex.send("/forget")
        await running.idle()
        alex.press("forget:summaries")
        await running.idle()
        alex.send("/forget")
        await running.idle()
        alex.press("forget:results")
        await running.idle()
        assert "(1)" in alex.messages()[-1].text
        await running.app.storage.flush()
        assert await running.app.storage.questionnaire_results(key, 10) == []
        assert all(s.summary is None for s in await running.app.storage.sessions(key, 10))
        alex.send("hello again")
        await running.idle()
        system = model.requests[-1].system
        assert "garden" not in system
        assert "GAD-7" not in system


async def test_off_the_record_session_stores_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """/private explains itself; the conversation is answered but no turn is ever stored."""
    async with running_bot(monkeypatch, tmp_path) as running:
        alex = running.telegram.user()
        await running.consent(alex)
        alex.send("/private")
        await running.idle()
        assert "Nothing from this conversation is stored" in alex.messages()[-1].text
        alex.send("a secret")
        await running.idle()
        assert alex.messages()[-1].text == "echo: a secret"
        assert await running.turns(alex) == []
