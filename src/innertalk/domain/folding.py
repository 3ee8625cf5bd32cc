"""Block folding: history is trimmed in blocks, so consecutive prompts share their prefix.

A session's oldest turns live in its rolling ``Session.fold_summary``; the turns after
``Session.folded_through`` (the *kept* turns) are sent verbatim. While they fit, each request
repeats the previous one and adds the newest exchange, so a provider's prompt cache can serve
all of it. Once they no longer fit (the token budget, or the window of loaded turns), the older
half is folded into the rolling summary once, and the newer half starts the next block.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from innertalk.domain.conversation import Role, Turn
from innertalk.domain.prompt_texts import EARLIER_LEAD
from innertalk.domain.prompting import ModelRequest, Tier, build_summary_request
from innertalk.domain.users import Language

FOLD_SUMMARY_MAX_CHARS = 2400
"""Longest rolling summary kept when offline summaries are appended; older lines go first."""

EXCHANGE_TURNS = 2
"""Turns one exchange adds: the person's message and the companion's reply."""

_FOLD = {
    Language.EN: (
        "Update your running summary of this conversation for your own memory: combine the "
        "summary of its earlier part (if there is one) with the turns above into 3-6 "
        "sentences in English: what the person talked about, how they felt, what they wanted "
        "to return to, and what you suggested. Write in the third person; do not add advice."
    ),
    Language.RU: (
        "Обнови для своей памяти краткое содержание этого разговора: объедини пересказ его "
        "начала (если он есть) с репликами выше в 3-6 предложениях по-русски: о чём говорил "
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
    folded: Sequence[Turn],
    *,
    language: Language,
    previous: str | None,
    history_budget: int,
) -> ModelRequest:
    """The request (for a fast model) that folds ``folded`` into the ``previous`` summary."""
    request = build_summary_request(
        folded, language=language, previous_summary=None, history_budget=history_budget
    )
    system = request.system
    if previous:
        system = f"{system}\n\n{EARLIER_LEAD[language]}{previous}"
    return replace(request, system=system, message=_FOLD[language], tier=Tier.FAST)


def appended_summary(previous: str | None, addition: str) -> str:
    """``previous`` and then ``addition`` (summarizing only the newly folded turns).

    Used when no model merged them; beyond ``FOLD_SUMMARY_MAX_CHARS`` the oldest lines go.
    """
    lines = [*(previous or "").splitlines(), addition.strip()]
    lines = [line for line in lines if line.strip()]
    while len(lines) > 1 and len("\n".join(lines)) > FOLD_SUMMARY_MAX_CHARS:
        lines.pop(0)
    return "\n".join(lines)[-FOLD_SUMMARY_MAX_CHARS:]
