"""Real SDK calls at LOG_LEVEL=DEBUG log neither what people write nor the API key."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from innertalk.domain.prompting import ModelRequest
from innertalk.infrastructure.observability.logs import SDK_LOGGERS, configure_logging
from tests.integration.provider_harness import CASES, Case, drain, running

WORDS = "Zanzibar marmalade confession"
REQUEST = ModelRequest(system="You are a warm listener.", message=WORDS)
API_KEY = "test-key"
"""The harness's key: not secret-shaped, so only the logger levels can keep it out."""


@pytest.fixture(autouse=True)
def restored_logging() -> Iterator[None]:
    """Leaves the root handlers and SDK logger levels as they were, for the tests after."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in SDK_LOGGERS}
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def _is_sdk(name: str) -> bool:
    return any(name == sdk or name.startswith(f"{sdk}.") for sdk in SDK_LOGGERS)


def _debug_log(*, sdk_debug: bool) -> io.StringIO:
    stream = io.StringIO()
    configure_logging(level="DEBUG", fmt="json", stream=stream, sdk_debug=sdk_debug)
    return stream


@pytest.mark.parametrize("case", [c for c in CASES if c.name != "ollama"], ids=lambda c: c.name)
async def test_a_real_sdk_call_at_debug_logs_no_words_or_key(case: Case) -> None:
    """LOG_LEVEL=DEBUG: a completion and a stream through each SDK leave no message text
    and no API key in the log, while our own debug lines still appear."""
    stream = _debug_log(sdk_debug=False)
    async with running(case) as harness:
        await harness.provider.complete(REQUEST)
        await drain(harness.provider, REQUEST)
        logging.getLogger("innertalk.test").debug("ours.debug")
    output = stream.getvalue()
    assert "ours.debug" in output
    records = [json.loads(line) for line in output.splitlines()]
    sdk_debug = [r for r in records if r["level"] == "debug" and _is_sdk(r["logger"])]
    assert not sdk_debug, sdk_debug[:3]
    assert WORDS not in output
    assert API_KEY not in output
    assert harness.server.requests, "the SDK never reached the fake server"


async def test_log_sdk_debug_lets_the_sdk_log_request_bodies() -> None:
    """LOG_SDK_DEBUG on: the SDK logger is at DEBUG and its request log (with the words)
    comes through, which is why it is off by default."""
    stream = _debug_log(sdk_debug=True)
    (case,) = [c for c in CASES if c.name == "anthropic"]  # its "Request options" has the body
    async with running(case) as harness:
        await harness.provider.complete(REQUEST)
    assert logging.getLogger("anthropic").getEffectiveLevel() == logging.DEBUG
    assert logging.getLogger("openai").getEffectiveLevel() == logging.DEBUG
    assert WORDS in stream.getvalue()
