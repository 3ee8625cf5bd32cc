"""Block folding: history is trimmed in blocks, so consecutive prompts share their prefix.

A session's oldest turns live in its rolling ``Session.fold_summary``; the turns after
``Session.folded_through`` (the *kept* turns) are sent verbatim. While they fit, each request
repeats the previous one and adds the newest exchange, so a provider's prompt cache can serve
all of it. Once they no longer fit (the token budget, or the window of loaded turns), the older
half is folded into the rolling summary once, and the newer half starts the next block.

The fold request itself repeats the previous reply request (its system prompt and all the kept
turns) and only adds an instruction at the end, so the provider's cache serves it too. The
reply request right after a fold is the one that cannot repeat much: the kept turns now start
at a later turn, so it shares only the system prompt with the fold request
(docs/benchmarks.md, *Cost per conversation*).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from innertalk.domain.conversation import Role, Turn
from innertalk.domain.prompting import (
    ModelRequest,
    Purpose,
    Tier,
    build_summary_request,
    history_of,
)
from innertalk.domain.users import Language

FOLD_SUMMARY_MAX_CHARS = 2400
"""Longest rolling summary kept when offline summaries are appended; older lines go first."""

EXCHANGE_TURNS = 2
"""Turns one exchange adds: the person's message and the companion's reply."""

FOLD_SUMMARY_MAX_TOKENS = 300
"""Longest answer a fold may write."""

_OPENING_CHARS = 60
"""How much of the last folded message the fold instruction quotes to mark where the block ends."""

_FOLD = {
    Language.EN: (
        "(A note from the app, not from the person: do not answer them.) Update your running "
        "summary of this conversation for your own memory: combine the summary of its earlier "
        "part (if your instructions have one) with the first {count} messages above, through "
        "the one that begins “{opening}”, into 3-6 sentences in English: what the "
        "person talked about, how they felt, what they wanted to return to, and what you "
        "suggested. Leave out the later messages: they stay in the conversation. Write in the "
        "third person; do not add advice."
    ),
    Language.RU: (
        "(Пометка приложения, а не слова человека: не отвечай ему.) Обнови для своей памяти "
        "краткое содержание этого разговора: объедини пересказ его начала (если он есть в "
        "твоих инструкциях) с первыми {count} сообщениями выше, до того, что начинается "
        "словами «{opening}», включительно, в 3-6 предложениях по-русски: о чём "
        "говорил человек, что чувствовал, к чему хотел вернуться и что ты предлагал. Более "
        "поздние сообщения не пересказывай: они остаются в разговоре. Пиши в третьем лице, "
        "без советов."
    ),
}

_OFFLINE_FOLD = {
    Language.EN: "Summarize the turns above.",
    Language.RU: "Перескажи реплики выше.",
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
    reply: ModelRequest,
    kept: Sequence[Turn],
    folded: int,
    *,
    language: Language,
) -> ModelRequest:
    """The request that folds the first ``folded`` of the ``kept`` turns into the rolling summary.

    ``reply`` is the reply request the fold comes before: its system prompt (in the profile's
    ``language``, holding the rolling summary so far) and all the ``kept`` turns are what the
    previous reply request sent, so only the closing instruction is new to the provider's
    cache. It keeps ``reply``'s person (``user_ref``: the same experiment variant and OpenAI
    cache key) and runs on the standard tier, whose model the replies use: a provider caches
    prefixes per model, and the fast model's cache would not hold this one.
    """
    opening = " ".join(kept[folded - 1].text.split())
    if len(opening) > _OPENING_CHARS:
        opening = opening[:_OPENING_CHARS].rstrip() + "…"
    return replace(
        reply,
        message=_FOLD[language].format(count=folded, opening=opening),
        note="",
        history=history_of(kept),
        language=language,
        purpose=Purpose.SUMMARY,
        max_output_tokens=FOLD_SUMMARY_MAX_TOKENS,
        temperature=0.2,
        tier=Tier.STANDARD,
    )


def build_offline_fold_request(
    folded: Sequence[Turn],
    *,
    language: Language,
    history_budget: int,
) -> ModelRequest:
    """The request the offline summarizer folds from: only the ``folded`` turns.

    The offline summarizer reads the whole history it is given, so it gets just the block
    being folded; its summary is appended to the rolling one (``appended_summary``).
    """
    request = build_summary_request(
        folded, language=language, previous_summary=None, history_budget=history_budget
    )
    return replace(request, message=_OFFLINE_FOLD[language], tier=Tier.FAST)


def appended_summary(previous: str | None, addition: str) -> str:
    """``previous`` and then ``addition`` (summarizing only the newly folded turns).

    Used when no model merged them; beyond ``FOLD_SUMMARY_MAX_CHARS`` the oldest lines go.
    """
    lines = [*(previous or "").splitlines(), addition.strip()]
    lines = [line for line in lines if line.strip()]
    while len(lines) > 1 and len("\n".join(lines)) > FOLD_SUMMARY_MAX_CHARS:
        lines.pop(0)
    return "\n".join(lines)[-FOLD_SUMMARY_MAX_CHARS:]
