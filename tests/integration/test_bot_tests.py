"""Questionnaires in the bot: PHQ-9 with back and skip, saved and compared, resumed after a
restart of the dispatcher, and the crisis flow on a positive item 9."""

from __future__ import annotations

from pathlib import Path

import pytest

from innertalk.presentation.telegram.app import build_dispatcher
from tests.fakes.metrics import RecordingMetrics
from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram_updates import SimulatedUser
from tests.integration.bot_harness import RunningBot, running_bot


async def _answer(running: RunningBot, user: SimulatedUser, data: str) -> None:
    user.press(data)
    await running.idle()


async def _phq9(running: RunningBot, user: SimulatedUser, answers: list[int]) -> None:
    user.send("/tests")
    await running.idle()
    await _answer(running, user, "qpick:phq9")
    await _answer(running, user, "qz:phq9:0:g")
    for index, value in enumerate(answers):
        await _answer(running, user, f"qz:phq9:{index}:a{value}")


async def test_phq9_in_russian_with_back_and_skip_is_saved_and_compared(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Answer, skip, go back and re-answer; the result (score, band, meaning) is stored; a
    second pass is compared with the first; a stale button press changes nothing."""
    async with running_bot(monkeypatch, tmp_path, RATE_LIMIT="1000/minute") as running:
        ira = running.telegram.user(language_code="ru")
        key = running.key(ira)
        await running.consent(ira)
        ira.send("🧪 Тесты")
        await running.idle()
        assert "Опросники самопроверки" in ira.messages()[-1].text
        await _answer(running, ira, "qpick:phq9")
        assert "не диагноз" in ira.messages()[-1].text
        await _answer(running, ira, "qz:phq9:0:g")
        assert "PHQ-9 · 1/9" in ira.messages()[-1].text
        await _answer(running, ira, "qz:phq9:0:a1")
        await _answer(running, ira, "qz:phq9:1:s")
        await _answer(running, ira, "qz:phq9:2:b")
        assert "PHQ-9 · 2/9" in ira.messages()[-1].text
        await _answer(running, ira, "qz:phq9:1:a2")
        for index in range(2, 8):
            await _answer(running, ira, f"qz:phq9:{index}:a1")
        buttons = [b["callback_data"] for b in ira.messages()[-1].buttons()]
        assert "qz:phq9:8:s" not in buttons  # item 9 may not be skipped
        await _answer(running, ira, "qz:phq9:8:a0")
        result = ira.messages()[-1].text
        assert "Твой результат: 9 из 27" in result
        assert "первый результат" in result
        [stored] = await running.app.services.questionnaires.history(key, "phq9")
        assert stored.score == 9
        await _phq9(running, ira, [3, 3, 3, 3, 3, 3, 3, 3, 0])
        assert "24 из 27" in ira.messages()[-1].text
        assert "хуже (+15)" in ira.messages()[-1].text
        assert len(await running.app.services.questionnaires.history(key, "phq9")) == 2


async def test_a_run_resumes_after_the_dispatcher_is_rebuilt(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The run is FSM state: a new dispatcher over the same storage continues at question 3,
    and a press on a button of another questionnaire is answered quietly."""
    async with running_bot(monkeypatch, tmp_path, RATE_LIMIT="1000/minute") as running:
        alex = running.telegram.user()
        await running.consent(alex)
        await _phq9(running, alex, [1, 1])
        old = running.bot.dispatcher
        running.bot.dispatcher = build_dispatcher(
            running.bot.bot_id,
            running.bot.services,
            running.bot.options,
            running.bot.sender,
            RecordingMetrics(),
            fsm_storage=old.fsm.storage,
        )
        alex.send("/tests")
        await running.idle()
        assert "question 3 of 9" in alex.messages()[-1].text
        await _answer(running, alex, "qpick:phq9")
        assert alex.messages()[-1].buttons()[0]["text"] == "▶️ Continue"
        await _answer(running, alex, "qz:phq9:0:g")
        assert "PHQ-9 · 3/9" in alex.messages()[-1].text
        before = len(alex.messages())
        await _answer(running, alex, "qpick:gad7")
        await _answer(running, alex, "qz:gad7:0:g")
        current = alex.messages()[-1]
        stale = {"id": "stale-1", "from": alex.to_api(), "chat_instance": str(alex.id),
                 "data": "qz:phq9:0:a1", "message": current.to_api()}  # fmt: skip
        running.telegram.push_update({"callback_query": stale})  # an old PHQ-9 button
        await running.idle()
        answers = running.telegram.calls_to("answerCallbackQuery")
        assert "earlier question" in answers[-1].params.get("text", "")
        assert len(alex.messages()) == before + 2


async def test_a_positive_item_9_shows_the_crisis_message_and_alerts_admins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Item 9 > 0: at once the calm crisis message with hotlines, an alert to the admins
    without content, and the questionnaire can still be finished."""
    async with FakeTelegram() as fake:
        ops = fake.user(first_name="Ops")
        async with running_bot(
            monkeypatch, tmp_path, telegram=fake, admins=(ops,), RATE_LIMIT="1000/minute"
        ) as running:
            await _crisis_flow(running, ops)


async def _crisis_flow(running: RunningBot, ops: SimulatedUser) -> None:
    """Item 9 answered 2, then the result."""
    alex = running.telegram.user()
    await running.consent(alex)
    await _phq9(running, alex, [1, 1, 1, 1, 1, 1, 1, 1, 2])
    texts = [m.text for m in alex.messages()]
    crisis = next(t for t in texts if "you don't have to carry it alone" in t)
    assert "•" in crisis  # hotlines
    assert "Your score: 10 of 27" in texts[-1]
    await running.telegram.wait_for(lambda: running.telegram.messages_to(ops.id))
    alert = running.telegram.messages_to(ops.id)[-1].text
    assert "suicidal" in alert.lower()
