"""The rules every provider adapter applies to what a model answered.

- A reply with no text, or one a safety system stopped, is ``CONTENT_POLICY``: asking the
  same provider again will not help, and the person gets a gentle reply.
- A stream that ends without its provider's final event is ``TRANSIENT``: the connection
  broke, or the server gave up, and the text so far is not a whole answer.
- Usage the provider did not report is estimated (and marked so).

Nothing here puts request or response text into an error or a log.
"""

from __future__ import annotations

from innertalk.domain.conversation import estimate_tokens
from innertalk.domain.prompting import ModelReply, ModelRequest, TokenUsage
from innertalk.infrastructure.llm.errors import ErrorKind, ProviderError


def refused(provider: str, reason: str) -> ProviderError:
    """The provider declined, or filtered the reply; ``reason`` is its stop/block code."""
    return ProviderError(ErrorKind.CONTENT_POLICY, provider, detail=reason)


def unfinished(provider: str) -> ProviderError:
    """The stream ended before the provider's final event."""
    return ProviderError(ErrorKind.TRANSIENT, provider, detail="stream ended without final event")


def finished_reply(
    request: ModelRequest,
    text: str,
    *,
    provider: str,
    model: str,
    usage: TokenUsage | None,
) -> ModelReply:
    """The ``ModelReply`` for a complete answer; an empty one is refused."""
    if not text.strip():
        raise refused(provider, "empty reply")
    return ModelReply(
        text=text, provider=provider, model=model, usage=usage or estimated_usage(request, text)
    )


def estimated_usage(request: ModelRequest, text: str) -> TokenUsage:
    """Tokens estimated from the prompt and the reply, for providers that report none."""
    history = (message.text for message in request.history)
    prompt = (request.system, *history, request.prompt_message)
    return TokenUsage(
        input_tokens=sum(estimate_tokens(part) for part in prompt),
        output_tokens=estimate_tokens(text),
        estimated=True,
    )


def error_kind_for_status(status: int) -> ErrorKind:
    """The kind an HTTP error status means when its body says nothing more specific."""
    if status in {401, 402, 403}:  # 402: out of credits, which needs an admin as much
        return ErrorKind.AUTH
    if status == 429:
        return ErrorKind.RATE_LIMITED
    if status == 413:  # the request is too large: trimming the history is the cure
        return ErrorKind.CONTEXT_OVERFLOW
    if status in {408, 409} or status >= 500:
        return ErrorKind.TRANSIENT
    if status >= 400:
        return ErrorKind.BAD_REQUEST
    return ErrorKind.TRANSIENT  # an error event inside a 200 stream
