"""Block folding: history is trimmed in blocks, so consecutive prompts share their prefix.

A session's oldest turns live in its rolling ``Session.fold_summary``; the turns after
``Session.folded_through`` (the *kept* turns) are sent verbatim. While they fit, each request
repeats the previous one and adds the newest exchange, so a provider's prompt cache can serve
all of it. Once they no longer fit (the token budget, or the window of loaded turns), the older
half is folded into the rolling summary once, and the newer half starts the next block.

The fold request itself repeats the beginning of the previous reply request (its system
prompt and the turns being folded) and only adds an instruction at the end, so the provider's
cache serves it too. The
reply request right after a fold is the one that cannot repeat much: the kept turns now start
at a later turn, so it shares only the system prompt with the fold request
(docs/benchmarks.md, *Cost per conversation*).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from innertalk.domain.conversation import Role, Turn
from innertalk.domain.prompting import ModelRequest, Purpose, Tier, history_of
from innertalk.domain.users import Language

FOLD_SUMMARY_MAX_CHARS = 2400
"""Longest rolling summary kept when offline summaries are appended; older lines go first."""

EXCHANGE_TURNS = 2
"""Turns one exchange adds: the person's message and the companion's reply."""

FOLD_SUMMARY_MAX_TOKENS = 300
"""Longest answer a fold may write."""

_FOLD = {
    Language.EN: (
        "(A note from the app, not from the person: do not answer them.) Update your running "
        "summary of this conversation for your own memory: combine the summary of its earlier "
        "part (if your instructions have one) with the messages above into 3-6 sentences in "
        "English: what the person talked about, how they felt, what they wanted to return to, "
        "and what you suggested. Write in the third person; do not add advice."
    ),
    Language.RU: (
        "(Пометка приложения, а не слова человека: не отвечай ему.) Обнови для своей памяти "
        "краткое содержание этого разговора: объедини пересказ его начала (если он есть в "
        "твоих инструкциях) с сообщениями выше в 3-6 предложениях по-русски: о чём говорил "
        "человек, что чувствовал, к чему хотел вернуться и что ты предлагал. Пиши в третьем "
        "лице, без советов."
    ),
}


def fold_due(kept: Sequence[Turn], sent: int, turn_limit: int) -> bool:
    """Whether the ``kept`` turns must be folded before the next request.

    ``sent`` is how many of them the request holds within its token budget: fewer means the
    window would start sliding. The fold also comes before the next exchange would push the
    oldest kept turn out of the ``turn_limit`` loaded turns, where it could not be folded.
    """
    return sent < len(kept) or len(kept) + EXCHANGE_TURNS > turn_limit


def split_for_fold(kept: Sequence[Turn]) -> tuple[tuple[Turn, ...], tuple[Turn, ...]]:
    """The older half of ``kept`` to fold, and the newer half, which starts with the person."""
    cut = len(kept) // 2
    while cut < len(kept) and kept[cut].role is Role.ASSISTANT:
        cut += 1
    return tuple(kept[:cut]), tuple(kept[cut:])


def build_fold_request(
    reply: ModelRequest, folded: Sequence[Turn], *, language: Language
) -> ModelRequest:
    """The request that folds the ``folded`` turns (the oldest kept ones) into the summary.

    ``reply`` is the reply request the fold comes before. The fold request keeps its system
    prompt (in the profile's ``language``, holding the rolling summary so far) and sends the
    ``folded`` turns as history: the beginning of what the previous reply request sent, so
    only the closing instruction is new to the provider's cache, and the model summarizes
    exactly the messages it sees. It keeps ``reply``'s person (``user_ref``: the same
    experiment variant and OpenAI cache key) and runs on the standard tier, whose model the
    replies use: providers cache per model, and the fast model's cache would not hold this.
    The offline summarizer, which reads the whole history, is given the same request.
    """
    return replace(
        reply,
        message=_FOLD[language],
        note="",
        history=history_of(folded),
        language=language,
        purpose=Purpose.SUMMARY,
        max_output_tokens=FOLD_SUMMARY_MAX_TOKENS,
        temperature=0.2,
        tier=Tier.STANDARD,
    )


def appended_summary(previous: str | None, addition: str) -> str:
    """``previous`` and then ``addition`` (summarizing only the newly folded turns).

    Used when no model merged them; beyond ``FOLD_SUMMARY_MAX_CHARS`` the oldest lines go.
    """
    lines = [*(previous or "").splitlines(), addition.strip()]
    lines = [line for line in lines if line.strip()]
    while len(lines) > 1 and len("\n".join(lines)) > FOLD_SUMMARY_MAX_CHARS:
        lines.pop(0)
    return "\n".join(lines)[-FOLD_SUMMARY_MAX_CHARS:]
