"""Reading the model's answer to one message: whole, or streamed through the output screen to
the person, and cut short when they stop it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Awaitable, Callable

from innertalk.application.ports import LanguageModel
from innertalk.application.screened_output import DraftWithheldError, ScreenedDrafts
from innertalk.domain.conversation import estimate_tokens
from innertalk.domain.prompting import ModelReply, ModelRequest, TokenUsage

ChunkSink = Callable[[str], Awaitable[None]]
"""Receives the growing reply text while it streams."""


class ReplyStoppedError(Exception):
    """The person stopped the reply before any of it was written; nothing is stored."""


async def read_answer(
    request: ModelRequest,
    on_chunk: ChunkSink | None,
    stop: asyncio.Event | None,
    model: LanguageModel,
    *,
    screen: bool,
) -> tuple[ModelReply, bool, bool]:
    """``model``'s reply, whether ``stop`` cut it short, and whether the output screen
    (``screen``) stopped it while it streamed (then nothing more of it may be shown)."""
    if on_chunk is None and stop is None:
        return await model.complete(request), False, False
    written: list[str] = []
    drafts = None
    if on_chunk is not None:  # the person sees only what the output screen has read
        drafts = ScreenedDrafts(on_chunk, screen=screen)
    reading = asyncio.ensure_future(_read_stream(model, request, drafts, written))
    if stop is None:
        answer = await reading
        return answer, False, drafts is not None and drafts.withheld
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:  # also when this call itself is cancelled: no task outlives it
        stopping.cancel()
        if not reading.done():
            reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reading
    if not reading.cancelled():
        return reading.result(), False, drafts is not None and drafts.withheld
    partial = "".join(written)
    if not partial.strip():
        raise ReplyStoppedError("stopped before any text")
    return _stopped_reply(request, partial), True, False


async def _read_stream(
    model: LanguageModel,
    request: ModelRequest,
    drafts: ScreenedDrafts | None,
    written: list[str],
) -> ModelReply:
    # one task opens, reads and closes the stream, so cancelling it closes the stream
    stream = model.stream(request)
    try:
        async for chunk in stream:
            if chunk.text:
                written.append(chunk.text)
                if drafts is not None:
                    await drafts.show("".join(written))
            if chunk.reply is not None:
                if drafts is not None:
                    await drafts.show("".join(written), final=True)
                return chunk.reply
    except DraftWithheldError:  # stop generating: the final screen replaces the reply
        return _stopped_reply(request, "".join(written))
    finally:
        if isinstance(stream, AsyncGenerator):
            await stream.aclose()
    raise RuntimeError("the model's stream ended without a final reply")


def _stopped_reply(request: ModelRequest, partial: str) -> ModelReply:
    """What was written before the person stopped it; who wrote it is unknown by then."""
    prompt = (request.system, *(message.text for message in request.history), request.message)
    usage = TokenUsage(
        input_tokens=sum(estimate_tokens(part) for part in prompt),
        output_tokens=estimate_tokens(partial),
        estimated=True,
    )
    return ModelReply(text=partial, provider="", model="", usage=usage)
