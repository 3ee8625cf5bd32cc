"""Acceptance (issue 11): the real ``innertalk bot`` never shows a method detail the model
streamed — not as a draft, a message, an edit or a session summary — through the loopback
Bot API and a loopback OpenAI server that speaks the real SSE wire protocol."""

from __future__ import annotations

from pathlib import Path

import pytest

from innertalk.domain.safety import withheld_reasons
from innertalk.domain.users import Language, UserKey
from innertalk.presentation.texts import text
from tests.e2e.bot_process import bot_process, onboard, stored_when
from tests.fakes.providers import OpenAIServer
from tests.fakes.providers.base import Behaviour
from tests.fakes.telegram import FakeTelegram

pytestmark = [pytest.mark.e2e]

UNSAFE_REPLY = (
    "I hear you, and I want to help. The **le**thal dose of paracetamol is about 10 grams,"
    " and you could also tie a\nnoose. Please stay with me."
)
UNSAFE_SUMMARY = "They asked about pills; the le-thal dose is 10 g."


def shown_texts(telegram: FakeTelegram, chat_id: int) -> list[str]:
    """Every text the person could have seen: drafts, sent messages and edits."""
    drafts = [d.text for d in telegram.drafts_in(chat_id)]
    calls = [
        str(call.params.get("text", ""))
        for call in telegram.calls
        if call.method.lower() in ("sendmessage", "editmessagetext")
        and str(call.params.get("chat_id")) == str(chat_id)
    ]
    return drafts + calls


async def test_a_streamed_method_detail_is_never_shown_anywhere(tmp_path: Path) -> None:
    """A streamed reply with a lethal dose ("**le**thal") and a method gets the safe
    replacement; no draft, message, edit or /end summary carries either, nor does the store."""
    openai = OpenAIServer()
    await openai.start()
    try:
        openai.script(
            Behaviour.ok(UNSAFE_REPLY, first_token_delay=0.2), Behaviour.ok(UNSAFE_SUMMARY)
        )
        async with FakeTelegram() as telegram:
            env = {
                "LLM_PROVIDERS": "openai",
                "OPENAI_API_KEY": "test-openai-key",
                "OPENAI_BASE_URL": openai.base_url,
            }
            async with bot_process(tmp_path, telegram, **env):
                alex = telegram.user(first_name="Alex", language_code="en")
                await onboard(telegram, alex)
                alex.send("I can't sleep, what should I know about my pills?")
                await telegram.wait_for(lambda: alex.messages()[-1].buttons(), timeout=15)
                reply = alex.messages()[-1]
                assert reply.text == text("safety", Language.EN, "output_withheld")
                alex.send("/end")
                await telegram.wait_for(
                    lambda: alex.messages()[-1].text.startswith("Session ended."), timeout=15
                )
                ended = alex.messages()[-1]
                key = UserKey(telegram.token.split(":")[0], alex.id)
                sessions, turns = await stored_when(
                    tmp_path / "data" / "innertalk.db", key, lambda s, t: bool(s and s[0].summary)
                )
                seen = shown_texts(telegram, alex.id)
    finally:
        await openai.stop()
    chats = [r for r in openai.requests if r.path.endswith("/chat/completions")]
    assert len(chats) == 2  # the streamed reply and the summary (a moderation check may add one)
    assert sessions[0].summary is not None
    assert sessions[0].summary in ended.text
    everything = [*seen, *(t for _, t in turns), sessions[0].summary]
    assert all(withheld_reasons(shown) == () for shown in everything)
    # drafts show only screened whole words: "The lethal" may flash by, but the screening
    # that reads "dose" withholds the reply, so neither it nor anything after it is shown
    assert not any("dose" in shown or "noose" in shown for shown in everything), everything
