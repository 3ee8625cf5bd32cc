"""Talking with the real bot: streaming drafts, the final reply, feedback, sessions, stopping."""

from __future__ import annotations

from pathlib import Path

import pytest

from innertalk.application.ports import ModelRefusedError
from innertalk.domain.conversation import Role
from innertalk.domain.prompting import ModelRequest, Purpose
from innertalk.presentation.telegram import MESSAGE_LIMIT, utf16_len
from tests.fakes.models import ScriptedModel, StreamingModel
from tests.integration.bot_harness import running_bot

SUMMARY = "You spoke about exams and feeling anxious."
BREATHING = (
    "Breathe in slowly and let it go. Notice where the air goes, and let your shoulders "
    "drop. Then breathe out for a little longer than you breathed in."
)


def companion(request: ModelRequest) -> str:
    """Summaries are a fixed sentence; replies echo the message."""
    if request.purpose is Purpose.SUMMARY:
        return SUMMARY
    return f"I hear you: {request.message}"


async def test_a_reply_streams_as_drafts_then_arrives_with_feedback_buttons(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Drafts (can_stop) show screened prefixes of the reply while it is written; then
    sendMessage delivers it whole with 👍/👎."""
    model = StreamingModel(lambda _: BREATHING, hold_after=20)
    async with running_bot(monkeypatch, tmp_path, model=model) as running:
        alex = running.telegram.user()
        await running.consent(alex)
        sent = alex.send("I can't sleep")
        draft_id = sent["message"]["message_id"]
        await running.telegram.wait_for(lambda: any(d.text for d in alex.drafts()))
        model.release.set()
        reply = (await alex.wait_for_messages(5))[-1]
        assert reply.text == BREATHING
        assert [b["text"] for b in reply.buttons()] == ["👍", "👎"]
        drafts = alex.drafts()
        assert all(d.draft_id == draft_id and d.can_stop for d in drafts)
        assert all(reply.text.startswith(d.text) for d in drafts)
        [final] = [c for c in running.telegram.calls_to("sendMessage") if c.result is not None
                   and c.result["message_id"] == reply.message_id]  # fmt: skip
        assert all(d.at <= final.at for d in drafts)
        assert await running.turns(alex) == [
            (Role.USER, "I can't sleep"),
            (Role.ASSISTANT, BREATHING),
        ]


async def test_feedback_is_recorded_for_that_reply(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """👍 stores a helpful verdict on the reply's turn and marks the chosen button."""
    async with running_bot(monkeypatch, tmp_path) as running:
        alex = running.telegram.user()
        await running.consent(alex)
        alex.send("hello there")
        reply = (await alex.wait_for_messages(5))[-1]
        alex.press(text="👍", message=reply)
        await running.telegram.wait_for(lambda: alex.messages()[-1].buttons()[0]["text"] == "✓ 👍")
        await running.app.storage.flush()
        [verdict] = await running.app.storage.feedback(running.key(alex), 10)
        turns = await running.app.storage.session_turns(
            running.key(alex), (await running.app.storage.sessions(running.key(alex), 1))[0].id, 10
        )
        assert verdict.helpful
        assert verdict.turn_id == turns[-1].id


async def test_end_shows_the_summary_and_the_next_session_starts_from_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """End → summary shown; the next message opens a new session whose prompt holds it."""
    model = ScriptedModel(companion)
    async with running_bot(monkeypatch, tmp_path, model=model) as running:
        alex = running.telegram.user()
        await running.consent(alex)
        alex.send("I have exams next week")
        await alex.wait_for_messages(5)
        alex.send("⏹ End session")
        ended = (await alex.wait_for_messages(6))[-1]
        assert ended.text.startswith("Session ended.")
        assert SUMMARY in ended.text
        alex.send("I'm back")
        await alex.wait_for_messages(7)
        assert SUMMARY in model.requests[-1].system
        sessions = await running.app.storage.sessions(running.key(alex), 5)
        assert [s.summary for s in sessions] == [None, SUMMARY]


async def test_talk_says_whether_the_conversation_is_new_or_continued(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The Talk button opens a session, and says so; pressed again it continues it."""
    async with running_bot(monkeypatch, tmp_path) as running:
        alex = running.telegram.user(language_code="ru")
        await running.consent(alex)
        alex.send("💬 Поговорить")
        assert "Начался новый разговор" in (await alex.wait_for_messages(5))[-1].text
        alex.send("/talk")
        assert "Продолжаем" in (await alex.wait_for_messages(6))[-1].text
        alex.send("/end")
        assert "В этот раз мы не успели" in (await alex.wait_for_messages(7))[-1].text
        alex.send("/end")
        assert "Открытого разговора сейчас нет" in (await alex.wait_for_messages(8))[-1].text


async def test_stop_sends_what_was_written_and_keeps_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Pressing stop ends generation: the partial reply arrives with a note and is stored."""
    model = StreamingModel(lambda _: "First this, then that, and more.", hold_after=2)
    async with running_bot(monkeypatch, tmp_path, model=model) as running:
        alex = running.telegram.user()
        await running.consent(alex)
        sent = alex.send("Tell me")
        await model.holding.wait()  # "First this, " is written, the rest is not yet
        alex.stop_generation(sent["message"]["message_id"])
        reply = (await alex.wait_for_messages(5))[-1]
        assert reply.text == "First this,\n\n⏹ Stopped — this is what I had written so far."
        assert model.closed_streams == 1
        assert await running.turns(alex) == [
            (Role.USER, "Tell me"),
            (Role.ASSISTANT, "First this, "),
        ]


async def test_stop_before_any_text_keeps_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Stopped before the first word: the person is told, and nothing is stored."""
    model = StreamingModel(hold_after=0)
    async with running_bot(monkeypatch, tmp_path, model=model) as running:
        alex = running.telegram.user()
        await running.consent(alex)
        sent = alex.send("Tell me")
        await model.holding.wait()
        alex.stop_generation(sent["message"]["message_id"])
        reply = (await alex.wait_for_messages(5))[-1]
        assert reply.text.startswith("⏹ Stopped before I wrote anything")
        assert await running.turns(alex) == []


async def test_the_daily_limit_names_the_reset_time_in_the_persons_zone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Past SESSIONS_PER_DAY the bot says when new sessions open, on the person's clock."""
    async with running_bot(monkeypatch, tmp_path, SESSIONS_PER_DAY="1") as running:
        alex = running.telegram.user()
        await running.consent(alex)
        await running.app.services.profiles.update(running.key(alex), timezone="Asia/Tokyo")
        alex.send("first")
        await alex.wait_for_messages(5)
        alex.send("/end")
        await alex.wait_for_messages(6)
        alex.send("second")
        limit = (await alex.wait_for_messages(7))[-1]
        assert "That's all the conversations for today (1)" in limit.text
        assert "00:00 your time (Asia/Tokyo)" in limit.text


async def test_an_exhausted_session_offers_to_end_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Over SESSION_TOKEN_BUDGET the model is not asked; an End button closes the session."""
    model = ScriptedModel(companion)
    async with running_bot(
        monkeypatch, tmp_path, model=model, SESSION_TOKEN_BUDGET="1"
    ) as running:
        alex = running.telegram.user()
        await running.consent(alex)
        alex.send("first")
        await alex.wait_for_messages(5)
        alex.send("second")
        offer = (await alex.wait_for_messages(6))[-1]
        assert "grown long" in offer.text
        asked = len(model.requests)
        alex.press(text="⏹ End with a summary")
        ended = (await alex.wait_for_messages(7))[-1]
        assert SUMMARY in ended.text
        assert len(model.requests) == asked + 1  # the summary only


async def test_refusals_and_empty_messages_get_gentle_answers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A refused request and a zero-width-only message are answered kindly, not stored."""
    model = ScriptedModel()
    async with running_bot(monkeypatch, tmp_path, model=model) as running:
        alex = running.telegram.user()
        await running.consent(alex)
        alex.send("\u200b\u200d\u200b")
        assert "didn't find any words" in (await alex.wait_for_messages(5))[-1].text
        model.fail_with = ModelRefusedError("policy")
        alex.send("something")
        assert "I can't answer that one" in (await alex.wait_for_messages(6))[-1].text
        assert await running.turns(alex) == []


async def test_a_long_reply_is_split_under_the_limit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A 9,000-character reply arrives as several messages, each within 4096, nothing lost."""
    paragraph = "**Notice** how the breath moves & rests <gently>. " * 20
    long_reply = "\n\n".join([paragraph.strip()] * 9)
    async with running_bot(
        monkeypatch, tmp_path, model=ScriptedModel(lambda _: long_reply)
    ) as running:
        alex = running.telegram.user()
        await running.consent(alex)
        alex.send("go on")
        await running.telegram.wait_for(lambda: alex.messages()[-1].buttons())
        parts = alex.messages()[4:]
        assert len(parts) == 3
        assert all(utf16_len(part.text) <= MESSAGE_LIMIT for part in parts)
        assert [bool(part.buttons()) for part in parts] == [False, False, True]
        shown = "\n\n".join(part.text for part in parts)
        assert shown.replace("\n\n", "") == long_reply.replace("**", "").replace("\n\n", "")


async def test_html_refused_by_telegram_is_resent_as_plain_text(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """If Telegram still says "can't parse entities", the same words arrive without formatting."""
    async with running_bot(
        monkeypatch, tmp_path, model=ScriptedModel(lambda _: "**Be** kind")
    ) as running:
        alex = running.telegram.user()
        await running.consent(alex)
        running.telegram.fail_next(
            "sendMessage", error_code=400, description="Bad Request: can't parse entities: x"
        )
        alex.send("hi")
        reply = (await alex.wait_for_messages(5))[-1]
        assert (reply.text, reply.parse_mode, reply.entities) == ("Be kind", None, [])
        assert [b["text"] for b in reply.buttons()] == ["👍", "👎"]


async def test_without_drafts_the_bot_shows_typing_then_the_reply(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A chat where drafts fail gets the typing action and the final reply; a server that does
    not know sendMessageDraft (404) is not asked again for anyone."""
    async with running_bot(monkeypatch, tmp_path) as running:
        alex, sam = running.telegram.user(), running.telegram.user()
        await running.consent(alex)
        await running.consent(sam)
        running.telegram.fail_next(
            "sendMessageDraft", error_code=400, description="Bad Request: TEXTDRAFT_PEER_INVALID"
        )
        alex.send("hello")
        assert (await alex.wait_for_messages(5))[-1].text == "echo: hello"
        assert "typing" in running.telegram.actions_in(alex.id)
        running.telegram.fail_next("sendMessageDraft", error_code=404, description="Not Found")
        sam.send("hi")
        assert (await sam.wait_for_messages(5))[-1].text == "echo: hi"
        drafts_before = len(running.telegram.calls_to("sendMessageDraft"))
        alex.send("again")
        assert (await alex.wait_for_messages(6))[-1].text == "echo: again"
        assert len(running.telegram.calls_to("sendMessageDraft")) == drafts_before
        assert running.telegram.actions_in(alex.id).count("typing") == 2
