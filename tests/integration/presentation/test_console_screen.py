"""The console prints a streamed reply only as far as the output screen has read it."""

from __future__ import annotations

import io
import sys

import pytest

from innertalk.application.safety import SafetyService
from innertalk.domain.safety import DEFAULT_HOTLINES
from innertalk.domain.users import Language, UserKey
from innertalk.presentation.console import ConsoleChat
from tests.fakes.clock import FakeClock
from tests.fakes.core import build_core
from tests.fakes.models import ChunkedModel

ME = UserKey("console", 1)


async def chat(model: ChunkedModel, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> str:
    """One line typed at the streaming (interactive) console; what it printed."""
    core = build_core(model, clock, safety=SafetyService(directory=DEFAULT_HOTLINES))
    services = core.services
    monkeypatch.setattr(sys, "stdin", io.StringIO("tell me about it\n"))  # what input() reads
    out = io.StringIO()
    console = ConsoleChat(
        services,
        ME,
        language=Language.EN,
        database="memory",
        stdin=sys.stdin,
        stdout=out,
        interactive=True,
    )
    await console.run()
    return out.getvalue()


async def test_a_streamed_unsafe_answer_is_never_printed(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A method split as "**le" + "thal** dose": printing stops before the phrase completes,
    and the gentle replacement follows on its own line."""
    chunks = ["I hear you. ", "The **le", "thal** ", "dose ", "is 10 g. ", "Tie a noose."]
    printed = await chat(ChunkedModel(chunks), clock, monkeypatch)
    assert "dose" not in printed
    assert "noose" not in printed
    assert "I'd rather not go into that" in printed


async def test_a_safe_answer_streams_in_full(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Screening costs a safe reply nothing: every word is printed, once, in order."""
    printed = await chat(ChunkedModel(["Breathe ", "in ", "slow", "ly."]), clock, monkeypatch)
    assert "Breathe in slowly.\n" in printed
    assert printed.count("Breathe") == 1
