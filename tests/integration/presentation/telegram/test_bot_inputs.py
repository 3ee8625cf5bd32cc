"""Whatever people send: every kind of message gets a friendly answer; none breaks a handler."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from innertalk.domain.conversation import Role
from tests.fakes.models import ScriptedModel
from tests.fakes.telegram_updates import SimulatedUser
from tests.integration.bot_harness import running_bot

Send = Callable[[SimulatedUser], Any]

ODD_INPUTS: list[tuple[str, Send, str]] = [
    ("sticker", lambda u: u.send_sticker("😢"), "Nice sticker"),
    ("photo", lambda u: u.send_photo(), "I can't see pictures yet"),
    ("voice", lambda u: u.send_voice(), "I can't listen to voice messages"),
    ("audio", lambda u: u.send_audio(), "I can't listen to voice messages"),
    ("video", lambda u: u.send_video(), "I can't watch videos yet"),
    ("video note", lambda u: u.send_video_note(), "I can't listen to voice messages"),
    ("animation", lambda u: u.send_animation(), "Nice sticker"),
    ("document", lambda u: u.send_document(), "I can't open files"),
    ("location", lambda u: u.send_location(), "I don't need your location"),
    ("contact", lambda u: u.send_contact(), "I don't need contacts"),
    ("poll", lambda u: u.send_poll(), "Polls are fun"),
    ("dice", lambda u: u.send_dice(value=5), "You rolled 5!"),
    ("unknown command", lambda u: u.send("/frobnicate now"), "I don't know that command"),
]


async def test_every_odd_input_gets_its_friendly_answer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Stickers, media, places, contacts, polls, dice, unknown commands: one kind answer each,
    nothing stored, the model never asked."""
    model = ScriptedModel()
    async with running_bot(monkeypatch, tmp_path, model=model, RATE_LIMIT="100/minute") as running:
        alex = running.telegram.user()
        await running.consent(alex)
        for _, send, _ in ODD_INPUTS:
            send(alex)
        answers = (await alex.wait_for_messages(4 + len(ODD_INPUTS)))[4:]
        for (kind, _, expected), answer in zip(ODD_INPUTS, answers, strict=True):
            assert expected in answer.text, kind
        assert model.requests == []
        assert await running.turns(alex) == []


async def test_a_captioned_photo_is_answered_by_its_caption(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The caption is the message: a note that the photo isn't seen, then the reply to it."""
    async with running_bot(monkeypatch, tmp_path) as running:
        alex = running.telegram.user()
        await running.consent(alex)
        alex.send_photo("this is how I feel today")
        note, reply = (await alex.wait_for_messages(6))[4:]
        assert note.text.startswith("I can't see attachments yet")
        assert reply.text == "echo: this is how I feel today"


async def test_edits_are_not_reanswered_and_the_note_comes_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An edited message gets a short note (once per interval), never a second reply."""
    model = ScriptedModel()
    async with running_bot(monkeypatch, tmp_path, model=model) as running:
        alex = running.telegram.user()
        await running.consent(alex)
        original = alex.send("I feel sda")
        await alex.wait_for_messages(5)
        alex.edit(original, "I feel sad")
        alex.edit(original, "I feel sad.")
        await running.idle()
        texts = [m.text for m in alex.messages()[4:]]
        assert texts == ["echo: I feel sda", texts[1]]
        assert texts[1].startswith("I noticed you edited a message")
        assert [r.message for r in model.requests] == ["I feel sda"]


@pytest.mark.parametrize(
    "text",
    [
        "🥺😔💔",
        "אני מרגיש עצוב היום",
        "مرحبا، أشعر بالتعب",
        "<b>bold?</b> & <script>alert(1)</script> &amp; &#9731;",
        "**not bold** _nor_ `code` [link](javascript:alert(1)) ||spoiler||",
        "zero\u200bwidth\u200djoiner\u2060text\ufeff",
        "x" * 4096,
    ],
    ids=["emoji", "hebrew-rtl", "arabic-rtl", "html", "markdown", "zero-width", "4096-chars"],
)
async def test_unusual_text_is_answered_and_stored_verbatim(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str
) -> None:
    """Emoji-only, RTL, markup look-alikes, invisible characters, the longest message: each is
    answered (the reply renders safely) and stored as written."""
    model = ScriptedModel(lambda request: f"You wrote: {request.message}")
    async with running_bot(monkeypatch, tmp_path, model=model) as running:
        alex = running.telegram.user()
        await running.consent(alex)
        alex.send(text)
        await running.telegram.wait_for(lambda: alex.messages()[-1].buttons())
        assert not any("went wrong" in m.text for m in alex.messages())
        turns = await running.turns(alex)
        assert turns[0] == (Role.USER, text)
