"""``OfflineModel``: the ``LanguageModel`` that needs no network, key or weights."""

from __future__ import annotations

from collections.abc import AsyncIterator

from innertalk.domain.conversation import estimate_tokens
from innertalk.domain.language import detect_language
from innertalk.domain.prompting import ModelChunk, ModelReply, ModelRequest, Purpose, TokenUsage
from innertalk.infrastructure.llm.offline.responder import compose_reply
from innertalk.infrastructure.llm.offline.summarizer import summarize_turns

PROVIDER = "offline"
MODEL = "rules-v1"
_WORDS_PER_CHUNK = 4


class OfflineModel:
    """A deterministic rule-based reflective listener in Russian and English.

    It answers in the language of the message (the request's language when the message
    has no letters), reflects the feelings it recognizes, asks at most one open question,
    never repeats its previous reply, and summarizes for ``Purpose.SUMMARY``. It does no
    I/O and never fails, so it is the default without an API key and the last provider of
    every chain.
    """

    provider = PROVIDER
    model = MODEL

    def reply_to(self, request: ModelRequest) -> ModelReply:
        """The whole answer, computed synchronously."""
        if request.purpose is Purpose.SUMMARY:
            text = summarize_turns(request.history, request.language)
        else:
            language = detect_language(request.message) or request.language
            text = compose_reply(request.message, language, request.history)
        return ModelReply(text=text, provider=PROVIDER, model=MODEL, usage=_usage(request, text))

    async def complete(self, request: ModelRequest) -> ModelReply:
        """The whole answer at once."""
        return self.reply_to(request)

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelChunk]:
        """The answer in chunks of a few words, then one final empty-text chunk.

        The final chunk is ``ModelChunk(text="", reply=...)`` carrying the complete
        ``ModelReply``; the texts of all chunks concatenate to ``reply.text``.
        """
        reply = self.reply_to(request)
        for piece in _pieces(reply.text):
            yield ModelChunk(text=piece)
        yield ModelChunk(text="", reply=reply)


def _pieces(text: str) -> list[str]:
    """``text`` split after every few words, keeping all whitespace."""
    pieces: list[str] = []
    words = text.split(" ")
    for start in range(0, len(words), _WORDS_PER_CHUNK):
        group = " ".join(words[start : start + _WORDS_PER_CHUNK])
        pieces.append(group if start + _WORDS_PER_CHUNK >= len(words) else f"{group} ")
    return [piece for piece in pieces if piece]


def _usage(request: ModelRequest, text: str) -> TokenUsage:
    prompt = (request.system, *(message.text for message in request.history), request.message)
    return TokenUsage(
        input_tokens=sum(estimate_tokens(part) for part in prompt),
        output_tokens=estimate_tokens(text),
        estimated=True,
    )
