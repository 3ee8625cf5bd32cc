"""The crisis opinion adapters against loopback fakes: the real HTTP requests, fail-open bounds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from innertalk.application.safety import ClassifierVerdict, Screening
from innertalk.application.safety_opinion import SecondOpinion
from innertalk.domain.safety import CrisisCategory
from innertalk.infrastructure.llm.moderation import OpenAIModerationOpinion
from tests.fakes.providers import OpenAIServer
from tests.fakes.providers.base import Behaviour

DOUBT = Screening(None, ClassifierVerdict(0.4, CrisisCategory.SELF_HARM, 0.6, 0.3))
"""The local layers' doubt: what makes ``SecondOpinion`` ask."""


@pytest.fixture
async def server() -> AsyncIterator[OpenAIServer]:
    async with OpenAIServer() as fake:
        yield fake


def _opinion(server: OpenAIServer) -> OpenAIModerationOpinion:
    return OpenAIModerationOpinion(api_key="sk-test", base_url=server.base_url, read_timeout=5.0)


@pytest.mark.parametrize(
    ("flagged", "expected"),
    [
        ({"self-harm", "self-harm/intent"}, CrisisCategory.SUICIDAL_IDEATION),
        ({"self-harm"}, CrisisCategory.SELF_HARM),
        ({"self-harm/instructions"}, CrisisCategory.SELF_HARM),
        ({"violence", "harassment/threatening"}, CrisisCategory.HARM_TO_OTHERS),
        ({"violence", "illicit/violent"}, CrisisCategory.HARM_TO_OTHERS),
        ({"violence"}, None),  # violence without a threat (a war film, a story)
        ({"sexual", "harassment"}, None),
        (set(), None),
    ],
)
async def test_moderation_categories_map_onto_crisis_categories(
    server: OpenAIServer, flagged: set[str], expected: CrisisCategory | None
) -> None:
    """Self-harm flags become self-harm or suicidal ideation, a violent threat harm to others."""
    server.flagged = flagged
    opinion = _opinion(server)
    try:
        assert await opinion.assess("some message") == expected
    finally:
        await opinion.aclose()
    [request] = server.requests
    assert request.path == "/v1/moderations"
    assert request.body == {"model": "omni-moderation-latest", "input": "some message"}
    assert request.credentials == {"authorization"}


async def test_a_server_error_fails_open_without_a_retry(server: OpenAIServer) -> None:
    """A 500 is one request (no SDK retry) and no opinion, counted as an error."""
    server.script(Behaviour.server_error(500))
    outcomes: list[str] = []
    opinion = _opinion(server)
    second = SecondOpinion(opinion, timeout=1.0, on_outcome=outcomes.append)
    try:
        assert await second.ask(DOUBT, "some message").verdict() is None
    finally:
        await opinion.aclose()
    assert server.count == 1
    assert outcomes == ["error"]


async def test_a_slow_answer_fails_open_within_the_bound(server: OpenAIServer) -> None:
    """A moderation answer later than the bound is given up on at the bound."""
    server.flagged = {"self-harm/intent"}
    server.script(replace(Behaviour.ok(), latency=30.0))
    outcomes: list[str] = []
    opinion = _opinion(server)
    second = SecondOpinion(opinion, timeout=0.05, on_outcome=outcomes.append)
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        assert await second.ask(DOUBT, "some message").verdict() is None
    finally:
        await opinion.aclose()
    assert loop.time() - started < 1.0
    assert outcomes == ["timeout"]


async def test_a_certain_screening_sends_nothing(server: OpenAIServer) -> None:
    """Without the classifier's doubt the message never leaves the machine."""
    opinion = _opinion(server)
    try:
        assert await SecondOpinion(opinion).ask(Screening(None), "hi").verdict() is None
    finally:
        await opinion.aclose()
    assert server.count == 0
