"""Callback data through the real dispatcher: buttons from messages sent before a release keep
working, and forged or garbled data gets a friendly answer instead of an error."""

from __future__ import annotations

from itertools import count
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram_updates import SimulatedUser
from tests.integration.bot_harness import RunningBot, running_bot

STALE = "This button no longer works."
ERROR = "Sorry, something went wrong on my side. Please try again in a moment."
_ids = count(1)


async def _press_raw(running: RunningBot, user: SimulatedUser, data: str) -> dict[str, Any]:
    """Press a button carrying ``data`` under the user's newest message; return the answer."""
    query_id = f"raw-{next(_ids)}"
    query = {"id": query_id, "from": user.to_api(), "chat_instance": str(user.id), "data": data,
             "message": user.messages()[-1].to_api()}  # fmt: skip
    running.telegram.push_update({"callback_query": query})
    await running.idle()
    return running.telegram.callback_answers.get(query_id, {})


FORGED = [
    "md:score:seven:",  # a score that is not a number
    "md:mope:7:",  # an action the diary never had
    "rem:at:2575",  # not a time of day
    "rem:quiet:22002200",  # quiet hours that start when they end
    "rem:snooze:-5",
    "rem:later:",
    "set:everything",
    "priv:wipe:0",
    "priv:erase:soon",
    "forget:everything",
    "tz:Mars/Olympus_Mons",
    "lang:xx",
    "style:loud:0",
    "talk:begin",
    "ptp:p1",
    "hl:x",
    "adm:block:42",  # an admin's button pressed by someone who is not one
    "zz:whatever",
    "\u0000garbage",
]


async def test_forged_and_garbled_buttons_get_a_friendly_answer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Each forged or garbled callback is answered "this button no longer works", sends no
    message (no error apology) and changes nothing the next real button relies on."""
    async with running_bot(monkeypatch, tmp_path, RATE_LIMIT="1000/minute") as running:
        alex = running.telegram.user()
        await running.consent(alex)
        before = len(alex.messages())
        for data in FORGED:
            answer = await _press_raw(running, alex, data)
            assert answer.get("text") == STALE, data
        assert len(alex.messages()) == before
        alex.send("/settings")
        await running.idle()
        alex.press("set:language")  # the bot is unharmed: a real button still works
        await running.idle()
        assert alex.messages()[-1].buttons()[0]["callback_data"] == "lang:ru"


async def test_garbled_questionnaire_buttons_say_they_belong_to_an_earlier_question(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A questionnaire button that names no step, or an instrument we do not have, gets the
    questionnaire's own stale answer; an out-of-range diary score gets the diary's."""
    async with running_bot(monkeypatch, tmp_path, RATE_LIMIT="1000/minute") as running:
        alex = running.telegram.user()
        await running.consent(alex)
        for data in ("qz:phq9:1:z", "qz:nosuch:0:g", "qz:phq9:0:a1"):
            answer = await _press_raw(running, alex, data)
            assert "earlier question" in answer.get("text", ""), data
        await _press_raw(running, alex, "md:tag:11:sad")
        assert "1 to 10" in alex.messages()[-1].text


async def test_buttons_in_the_old_format_keep_working(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Callback data written by the release before action enums (plain strings, typed here
    by hand rather than taken from today's keyboards) still reaches its handler."""
    async with running_bot(monkeypatch, tmp_path, RATE_LIMIT="1000/minute") as running:
        alex = running.telegram.user()
        await running.consent(alex)
        await _press_raw(running, alex, "md:score:7:")
        assert alex.messages()[-1].text.startswith("Which of these feelings fit?")
        await _press_raw(running, alex, "set:timezone")
        assert "time zone" in alex.messages()[-1].text
        await _press_raw(running, alex, "rem:at:2000")
        assert "20:00" in alex.messages()[-1].text
        await _press_raw(running, alex, "forget:cancel")
        assert alex.messages()[-1].text == "Okay, I forget nothing."


async def test_an_admin_button_with_a_forged_argument_is_refused_kindly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An operator's block button with no user id, or a segment that does not exist, gets the
    stale answer; nobody is blocked and no mailing is prepared."""
    async with FakeTelegram() as telegram:
        ops = telegram.user(first_name="Ops")
        async with running_bot(monkeypatch, tmp_path, admins=(ops,), telegram=telegram) as running:
            await running.consent(ops)
            before = len(ops.messages())
            for data in ("adm:block:abc", "adm:unblock:", "adm:segment:martians", "adm:nuke:"):
                answer = await _press_raw(running, ops, data)
                assert answer.get("text") == STALE, data
            assert len(ops.messages()) == before
            assert ERROR not in {message.text for message in ops.messages()}
