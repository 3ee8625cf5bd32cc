"""Server-sent events read by a real HTTP client: deltas, then the final event with the JSON
answer's fields; a crisis first; an error as an ``error`` event; the output screen applies."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx2
import pytest

from innertalk.application.safety import SafetyService
from innertalk.domain.prompting import ModelChunk, ModelRequest
from innertalk.domain.safety import DEFAULT_HOTLINES
from innertalk.domain.tenants import person_key
from innertalk.domain.users import Language
from innertalk.presentation.api import messages
from innertalk.presentation.reply_words import withheld_reply
from tests.fakes.clock import FakeClock
from tests.fakes.core import build_core
from tests.fakes.models import ChunkedModel, ScriptedModel, StreamingModel
from tests.integration.presentation.api.harness import ALPHA, api_app, bearer, live

STREAM = {**bearer(ALPHA), "Accept": "text/event-stream"}
REPLY = " ".join(["Thank you for telling me; sleepless nights are hard to carry alone."] * 8)
"""Long enough for the output screen to pass it on in several steps."""


async def events(client: httpx2.AsyncClient, text: str) -> list[tuple[str, dict[str, object]]]:
    """POST a message asking for a stream; the (event, data) pairs, as an SSE client reads
    them (fields up to a blank line)."""
    parsed: list[tuple[str, dict[str, object]]] = []
    body = {"text": text}
    async with client.stream(
        "POST", "/api/v1/people/p-1/messages", json=body, headers=STREAM
    ) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        name, data = "message", ""
        async for line in r.aiter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                data += line.removeprefix("data: ")
            elif not line and data:
                parsed.append((name, json.loads(data)))
                name, data = "message", ""
    return parsed


@pytest.fixture
def model() -> ScriptedModel:
    return ScriptedModel(lambda _: REPLY)


async def client_for(
    model: ScriptedModel, *, consent: bool = True
) -> AsyncIterator[httpx2.AsyncClient]:
    clock = FakeClock()
    core = build_core(model, clock, safety=SafetyService(directory=DEFAULT_HOTLINES))
    async with (
        live(api_app(core.services, clock)) as url,
        httpx2.AsyncClient(base_url=url, timeout=10) as client,
    ):
        body = {"consent": consent, "language": "en"}
        await client.put("/api/v1/people/p-1", json=body, headers=bearer(ALPHA))
        yield client


@pytest.fixture
async def client(model: ScriptedModel) -> AsyncIterator[httpx2.AsyncClient]:
    async for running in client_for(model):
        yield running


async def test_deltas_then_the_final_reply(client: httpx2.AsyncClient) -> None:
    """The deltas add up to the reply; the last event is ``reply`` with the JSON fields."""
    received = await events(client, "I can't sleep")
    *deltas, (last, final) = received
    assert [name for name, _ in deltas] == ["delta"] * len(deltas)
    assert len(deltas) > 1
    assert "".join(str(data["text"]) for _, data in deltas) == REPLY
    assert last == "reply"
    assert set(final) == {"reply", "session_id", "crisis"}
    assert final["reply"] == REPLY
    assert final["crisis"] is None


async def test_a_crisis_comes_first_and_in_the_final_event(client: httpx2.AsyncClient) -> None:
    """A crisis message streams a ``crisis`` event before any delta, and the final event
    carries it too."""
    received = await events(client, "I want to die")
    assert received[0][0] == "crisis"
    assert received[0][1]["category"] == "suicidal_ideation"
    assert received[1][0] == "delta"
    assert received[-1][1]["crisis"] == received[0][1]


async def test_a_refusal_mid_stream_is_an_error_event() -> None:
    """Without consent the stream has one ``error`` event: the problem, consent-required."""
    async for client in client_for(ScriptedModel(lambda _: REPLY), consent=False):
        [(name, problem)] = await events(client, "hello")
        assert name == "error"
        assert str(problem["type"]).endswith("/consent-required")
        assert problem["status"] == 409


async def test_the_output_screen_applies_to_streamed_deltas() -> None:
    """A streamed method detail is never sent as a delta; the final reply is the gentle
    replacement, as on Telegram."""
    chunks = ["I hear you. ", "The **le**thal ", "dose of paracetamol ", "is about 10 grams."]
    async for client in client_for(ChunkedModel(chunks)):
        received = await events(client, "what should I know about my pills?")
    streamed = "".join(str(data.get("text", "")) for name, data in received if name == "delta")
    assert "10 grams" not in streamed
    assert "thal" not in streamed
    assert received[-1][0] == "reply"
    assert received[-1][1]["reply"] == withheld_reply(Language.EN)


class ClosingModel(StreamingModel):
    """A ``StreamingModel`` that sets ``closed`` once its stream is closed."""

    def __init__(self) -> None:
        super().__init__(lambda _: REPLY, hold_after=3)
        self.closed = asyncio.Event()

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelChunk]:
        try:
            async for chunk in super().stream(request):
                yield chunk
        finally:
            self.closed.set()


async def test_a_client_that_leaves_stops_the_reply_and_keeps_what_was_written() -> None:
    """Closing the stream mid-reply closes the model's stream; the words written by then are
    stored as the reply, as when a person presses stop in Telegram."""
    model = ClosingModel()
    clock = FakeClock()
    core = build_core(model, clock, safety=SafetyService(directory=DEFAULT_HOTLINES))
    async with (
        live(api_app(core.services, clock)) as url,
        httpx2.AsyncClient(base_url=url, timeout=10) as client,
    ):
        await client.put("/api/v1/people/p-1", json={"consent": True}, headers=bearer(ALPHA))
        body = {"text": "I can't sleep"}
        async with client.stream(
            "POST", "/api/v1/people/p-1/messages", json=body, headers=STREAM
        ) as answer:
            assert answer.status_code == 200
            await model.until_held(1)
        async with asyncio.timeout(10):
            await model.closed.wait()  # the server noticed the closed connection
            await asyncio.gather(*messages._unfinished)  # the stopped reply is stored
    key = person_key("alpha", "p-1")
    [session] = await core.storage.sessions(key, 5)
    turns = await core.storage.session_turns(key, session.id, 10)
    assert [turn.text for turn in turns] == ["I can't sleep", "Thank you for "]
