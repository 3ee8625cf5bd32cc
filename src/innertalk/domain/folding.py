"""Block folding: history is trimmed in blocks, so consecutive prompts share their prefix.

A prompt sends, after the system prompt, the session's *pinned opening* (its first exchanges
within ``pinned_budget`` tokens, never folded), then the rolling ``Session.fold_summary`` of
the folded turns, then the turns after ``Session.folded_through`` that are not pinned (the
*kept* turns) verbatim. While they fit, each request repeats the previous one and adds the
newest exchange, so a provider's prompt cache can serve all of it. Once they no longer fit
(the token budget, or the window of loaded turns), the older kept turns are folded into the
rolling summary once, and the newer ones start the next block.

The fold request repeats the beginning of the previous reply request (through the turns being
folded) and only adds an instruction at the end, so the provider's cache serves it too. The
reply request right after a fold repeats only the system prompt and the pinned opening (the
summary after them changed), so the fold keeps no more turns than that stable part outweighs
(``keep_budget``): even that request repeats at least half of itself (docs/benchmarks.md,
*Cost per conversation*).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from innertalk.domain.conversation import Role, Turn, estimate_tokens, trim_to_budget
from innertalk.domain.prompting import ModelRequest, Purpose, Tier, history_of
from innertalk.domain.users import Language

FOLD_SUMMARY_MAX_CHARS = 2400
"""Longest rolling summary kept when offline summaries are appended; older lines go first."""

EXCHANGE_TURNS = 2
"""Turns one exchange adds: the person's message and the companion's reply."""

FOLD_SUMMARY_MAX_TOKENS = 300
"""Longest answer a fold may write."""

PINNED_SHARE = 0.5
"""The share of the history token budget (beyond ``PINNED_RESERVE``) the pinned opening may
fill: with the defaults enough that the system prompt and the opening reach the providers'
smallest cacheable prefix (1,024 tokens) and outweigh what follows them after a fold."""

PINNED_RESERVE = 500
"""Budget tokens never given to the opening: the system prompt, the message and the summary
come first, and a small budget (under 600 tokens or so) pins nothing, keeping its newest turns."""

_FOLD = {
    Language.EN: (
        "(A note from the app, not from the person: do not answer them.) Update your running "
        "summary of this conversation for your own memory: combine the app's earlier summary "
        "above (if there is one) with the messages after it into 3-6 sentences in English: "
        "what the person talked about, how they felt, what they wanted to return to, and what "
        "you suggested. Write in the third person; do not add advice."
    ),
    Language.RU: (
        "(Пометка приложения, а не слова человека: не отвечай ему.) Обнови для своей памяти "
        "краткое содержание этого разговора: объедини прежний пересказ от приложения выше "
        "(если он есть) с сообщениями после него в 3-6 предложениях по-русски: о чём говорил "
        "человек, что чувствовал, к чему хотел вернуться и что ты предлагал. Пиши в третьем "
        "лице, без советов."
    ),
}


def pinned_budget(history_budget: int) -> int:
    """Tokens the pinned opening may fill with a history budget of ``history_budget``: the
    settings alone decide it, never the message or the system prompt, so the opening of a
    session stays the same (a turn once pinned is never folded, so it must stay pinned)."""
    return int(PINNED_SHARE * max(0, history_budget - PINNED_RESERVE))


def fold_due(kept: Sequence[Turn], sent: int, turn_limit: int) -> bool:
    """Whether the ``kept`` turns must be folded before the next request.

    ``sent`` is how many of them the request holds within its token budget: fewer means the
    window would start sliding. The fold also comes before the next exchange would push the
    oldest kept turn out of the ``turn_limit`` loaded turns, where it could not be folded.
    """
    return sent < len(kept) or len(kept) + EXCHANGE_TURNS > turn_limit


def keep_budget(reply: ModelRequest) -> int | None:
    """Tokens the kept turns may fill right after a fold, for the reply request ``reply``.

    That request repeats only the system prompt and the pinned opening (the stable part).
    What follows them (the summary, allowed ``FOLD_SUMMARY_MAX_TOKENS``, the kept turns and
    the message) must not outweigh them, or it would repeat less than half of itself; the
    kept turns get half of that room. So with a short summary it repeats about two thirds,
    and a block lasts longer: each fold re-sends its kept turns at full price, which is what
    pays for sending the opening with every request (docs/benchmarks.md). ``None`` without a
    pinned opening, when keeping fewer turns would not raise the share.
    """
    if not reply.pinned:
        return None
    stable = (reply.system, *(message.text for message in reply.history[: reply.pinned]))
    changing = FOLD_SUMMARY_MAX_TOKENS + estimate_tokens(reply.prompt_message)
    return (sum(estimate_tokens(part) for part in stable) - changing) // 2


def split_for_fold(
    kept: Sequence[Turn], budget: int | None = None
) -> tuple[tuple[Turn, ...], tuple[Turn, ...]]:
    """The older turns of ``kept`` to fold, and the newer ones, which start with the person.

    At most the newer half stays; with a ``budget`` (``keep_budget``) only the newest turns
    within it, though never fewer than the last exchange.
    """
    keep = len(kept) - len(kept) // 2
    if budget is not None:
        keep = min(keep, max(len(trim_to_budget(kept, budget)), EXCHANGE_TURNS))
    cut = len(kept) - keep
    while cut < len(kept) and kept[cut].role is Role.ASSISTANT:
        cut += 1
    return tuple(kept[:cut]), tuple(kept[cut:])


def build_fold_request(
    reply: ModelRequest, folded: Sequence[Turn], *, language: Language
) -> ModelRequest:
    """The request that folds the ``folded`` turns (the oldest kept ones) into the summary.

    ``reply`` is the reply request the fold comes before. The fold request keeps its system
    prompt (in the profile's ``language``), its pinned opening and the rolling summary so far,
    and sends the ``folded`` turns after them: the beginning of what the previous reply
    request sent, so only the closing instruction is new to the provider's cache. It keeps
    ``reply``'s person (``user_ref``: the same experiment variant and OpenAI cache key) and
    runs on the standard tier, whose model the replies use: providers cache per model, and
    the fast model's cache would not hold this.
    """
    return replace(
        reply,
        message=_FOLD[language],
        note="",
        history=(*reply.history[: reply.kept_from], *history_of(folded)),
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
