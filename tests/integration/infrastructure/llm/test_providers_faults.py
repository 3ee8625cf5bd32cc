"""Provider adapters with their real SDKs against faulty loopback fakes: every failure is
classified once, into the right ``ErrorKind``, from exactly one request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from innertalk.infrastructure.llm.errors import ErrorKind, ProviderError
from tests.fakes.providers import DEFAULT_TEXT, Behaviour, GeminiServer
from tests.integration.provider_harness import (
    CASES,
    REQUEST,
    Harness,
    drain_until_error,
    running,
)

FAULTS = [
    pytest.param(Behaviour.server_error(500), ErrorKind.TRANSIENT, id="500"),
    pytest.param(Behaviour.server_error(503), ErrorKind.TRANSIENT, id="503"),
    pytest.param(Behaviour.rate_limited("7"), ErrorKind.RATE_LIMITED, id="429"),
    pytest.param(Behaviour.hang(), ErrorKind.TRANSIENT, id="hang"),
    pytest.param(Behaviour.disconnect(), ErrorKind.TRANSIENT, id="disconnect"),
    pytest.param(Behaviour.context_overflow(), ErrorKind.CONTEXT_OVERFLOW, id="context"),
    pytest.param(Behaviour.auth_error(401), ErrorKind.AUTH, id="401"),
    pytest.param(Behaviour.auth_error(403), ErrorKind.AUTH, id="403"),
    pytest.param(Behaviour.content_policy(), ErrorKind.CONTENT_POLICY, id="policy"),
    pytest.param(Behaviour.blocked_reply(), ErrorKind.CONTENT_POLICY, id="blocked"),
    pytest.param(Behaviour.malformed(), ErrorKind.TRANSIENT, id="malformed"),
]


@pytest.fixture(params=CASES, ids=[case.name for case in CASES])
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    async with running(request.param) as harness:
        yield harness


@pytest.mark.parametrize(("fault", "kind"), FAULTS)
async def test_complete_classifies_each_fault(
    harness: Harness, fault: Behaviour, kind: ErrorKind
) -> None:
    """complete() turns each server fault into a ProviderError of the right kind."""
    harness.server.script(fault)

    with pytest.raises(ProviderError) as caught:
        await harness.provider.complete(REQUEST)

    assert caught.value.kind is kind
    assert caught.value.provider == harness.case.name


@pytest.mark.parametrize(("fault", "kind"), FAULTS)
async def test_stream_classifies_each_fault(
    harness: Harness, fault: Behaviour, kind: ErrorKind
) -> None:
    """stream() raises the same kinds as complete(), from inside the iteration."""
    harness.server.script(fault)

    _, error = await drain_until_error(harness.provider)

    assert error is not None
    assert error.kind is kind


@pytest.mark.parametrize(
    "fault",
    [
        Behaviour.server_error(500),
        Behaviour.server_error(503),
        Behaviour.rate_limited("7"),
        Behaviour.auth_error(401),
        Behaviour.disconnect(),
    ],
    ids=["500", "503", "429", "401", "disconnect"],
)
@pytest.mark.parametrize("streaming", [False, True], ids=["complete", "stream"])
async def test_the_sdk_does_not_retry(harness: Harness, fault: Behaviour, streaming: bool) -> None:
    """Under 500/503/429 (and 401, a dropped connection) each call is exactly one request."""
    harness.server.default = fault

    for _ in range(2):
        if streaming:
            _, error = await drain_until_error(harness.provider)
            assert error is not None
        else:
            with pytest.raises(ProviderError):
                await harness.provider.complete(REQUEST)

    assert harness.server.count == 2


async def test_rate_limit_carries_the_retry_after_seconds(harness: Harness) -> None:
    """A 429's Retry-After (seconds) becomes retry_after, with the HTTP status."""
    harness.server.script(Behaviour.rate_limited("7"))

    with pytest.raises(ProviderError) as caught:
        await harness.provider.complete(REQUEST)

    assert caught.value.retry_after == 7.0
    assert caught.value.status == 429


async def test_rate_limit_retry_after_may_be_an_http_date(harness: Harness) -> None:
    """A Retry-After given as an HTTP date becomes the seconds until then."""
    later = datetime.now(UTC) + timedelta(seconds=120)
    harness.server.script(Behaviour.rate_limited(format_datetime(later, usegmt=True)))

    _, error = await drain_until_error(harness.provider)

    assert error is not None
    assert error.kind is ErrorKind.RATE_LIMITED
    assert error.retry_after is not None
    assert 110 <= error.retry_after <= 120


async def test_retry_after_comes_from_the_current_response_only(harness: Harness) -> None:
    """A 429 without Retry-After has none, even right after a 429 that had one."""
    harness.server.script(Behaviour.rate_limited("30"), Behaviour.rate_limited(None))

    with pytest.raises(ProviderError) as first:
        await harness.provider.complete(REQUEST)
    with pytest.raises(ProviderError) as second:
        await harness.provider.complete(REQUEST)

    assert first.value.retry_after == 30.0
    assert second.value.kind is ErrorKind.RATE_LIMITED
    assert second.value.retry_after is None


async def test_a_stream_cut_midway_fails_after_its_first_chunks(harness: Harness) -> None:
    """A connection dropped mid-stream raises TRANSIENT during iteration, after the chunks sent."""
    harness.server.script(Behaviour.cut_stream(after_pieces=2))

    chunks, error = await drain_until_error(harness.provider)

    assert [chunk.text for chunk in chunks] == ["It ", "sounds "]
    assert error is not None
    assert error.kind is ErrorKind.TRANSIENT
    assert harness.server.count == 1


async def test_a_stream_without_its_final_event_is_transient(harness: Harness) -> None:
    """A stream that ends cleanly but without its final event is not a reply: TRANSIENT."""
    harness.server.script(Behaviour.incomplete_stream())

    chunks, error = await drain_until_error(harness.provider)

    assert chunks
    assert all(chunk.reply is None for chunk in chunks)
    assert error is not None
    assert error.kind is ErrorKind.TRANSIENT


async def test_a_reply_blocked_mid_stream_is_content_policy(harness: Harness) -> None:
    """A safety stop after some text raises CONTENT_POLICY, and no final reply is yielded."""
    harness.server.script(Behaviour.blocked_reply())

    chunks, error = await drain_until_error(harness.provider)

    assert all(chunk.reply is None for chunk in chunks)
    assert error is not None
    assert error.kind is ErrorKind.CONTENT_POLICY


async def test_a_first_token_later_than_the_read_timeout_is_transient(harness: Harness) -> None:
    """Headers sent, then silence past the read timeout: TRANSIENT, from one request."""
    harness.server.script(Behaviour.ok(first_token_delay=0.6))

    chunks, error = await drain_until_error(harness.provider)

    assert chunks == []
    assert error is not None
    assert error.kind is ErrorKind.TRANSIENT
    assert harness.server.count == 1


@pytest.mark.parametrize(
    "fault",
    [Behaviour.content_policy(), Behaviour.blocked_reply(), Behaviour.malformed()],
    ids=["policy", "blocked", "malformed"],
)
async def test_errors_carry_no_conversation_text(harness: Harness, fault: Behaviour) -> None:
    """A ProviderError names no request or reply text and chains no SDK exception that might."""
    harness.server.script(fault, fault)

    with pytest.raises(ProviderError) as caught:
        await harness.provider.complete(REQUEST)
    _, streamed = await drain_until_error(harness.provider)

    for error in (caught.value, streamed):
        assert error is not None
        said = f"{error} {error.detail}"
        for text in (REQUEST.message, REQUEST.system, DEFAULT_TEXT, "It sounds"):
            assert text not in said
        assert error.__cause__ is None
        assert error.__context__ is None or error.__suppress_context__


async def test_gemini_invalid_api_key_400_is_auth() -> None:
    """Gemini's 400 INVALID_ARGUMENT with reason API_KEY_INVALID is AUTH, not a bad request."""
    async with running(next(c for c in CASES if c.server is GeminiServer)) as harness:
        harness.server.script(Behaviour.auth_error(400))

        with pytest.raises(ProviderError) as caught:
            await harness.provider.complete(REQUEST)

    assert caught.value.kind is ErrorKind.AUTH
    assert caught.value.status == 400
