"""What a language model is asked and what it answers, and how a request is assembled.

Assembly is a pure rule that keeps the prompt's prefix stable from one request to the next
(providers bill a repeated prefix at a fraction): the system prompt in the person's profile
language with their style and the previous session's summary; then the session's pinned
opening (its first exchanges, never folded); then the session's rolling summary
(``domain/folding.py``) as a note from the app; then the kept turns; last the message, with
anything that holds for this message only (the reply language when it differs) after it.
Only what follows the pinned opening changes when a block is folded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from innertalk.domain.conversation import (
    ConversationContext,
    Role,
    Turn,
    estimate_tokens,
    kept_turns,
    pinned_opening,
    trim_to_budget,
)
from innertalk.domain.prompt_texts import (
    EARLIER_NOTE,
    NAME_LEAD,
    OPERATOR_SECTION,
    REPLY_IN,
    RESULTS_LEAD,
    ROLE,
    STYLE,
    SUMMARIZE,
    SUMMARY_LEAD,
)
from innertalk.domain.questionnaires import load_builtin_instruments, result_context_line
from innertalk.domain.users import Language, Style


class Purpose(StrEnum):
    """What a request is for; models (and the offline responder) answer accordingly."""

    REPLY = "reply"
    SUMMARY = "summary"
    PORTRAIT = "portrait"


class Tier(StrEnum):
    """How much model a request needs: ``FAST`` may go to a provider's cheaper, quicker model."""

    STANDARD = "standard"
    FAST = "fast"


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message of the history sent to a model."""

    role: Role
    text: str


@dataclass(frozen=True, slots=True)
class ModelRequest:
    """Everything a model needs for one answer."""

    system: str
    message: str
    history: tuple[ChatMessage, ...] = ()
    language: Language = Language.EN
    purpose: Purpose = Purpose.REPLY
    max_output_tokens: int = 800
    temperature: float = 0.7
    tier: Tier = Tier.STANDARD
    user_ref: str = ""
    """A stable pseudonym of the person (never their id), for experiment bucketing."""
    note: str = ""
    """An instruction sent right after the person's words (the reply language when it differs
    from the system prompt's); kept apart so ``message`` stays exactly what they wrote."""
    pinned: int = 0
    """How many leading ``history`` messages are the session's pinned opening: the stable
    block a provider's cache breakpoint can end (it never changes within a session)."""
    kept_from: int = 0
    """Where the kept (foldable) turns start in ``history``: after the pinned opening and the
    rolling summary's note, when there is one."""

    @property
    def prompt_message(self) -> str:
        """The user message as a model is sent it: the person's words, then the note."""
        return f"{self.message}\n\n{self.note}" if self.note else self.message


@dataclass(frozen=True, slots=True)
class TokenUsage:
    """Tokens spent on one answer; ``estimated`` when the provider did not report them."""

    input_tokens: int = 0
    output_tokens: int = 0
    estimated: bool = False
    cached_input_tokens: int = 0
    """Of ``input_tokens``, those the provider read from its prompt cache (billed lower)."""
    cache_write_tokens: int = 0
    """Of ``input_tokens``, those written to the prompt cache (Anthropic bills them higher)."""
    charged_tokens: int | None = None
    """``total`` weighed by price (cached input at its price ratio); ``None``: the total."""

    @property
    def total(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True, slots=True)
class ModelReply:
    """A model's complete answer and where it came from."""

    text: str
    provider: str
    model: str
    usage: TokenUsage = field(default_factory=TokenUsage)
    variant: str = ""


@dataclass(frozen=True, slots=True)
class ModelChunk:
    """A piece of a streamed answer; the last chunk carries the whole reply."""

    text: str
    reply: ModelReply | None = None


def system_prompt(
    language: Language,
    style: Style,
    *,
    display_name: str = "",
    previous_summary: str | None = None,
    notes: Sequence[str] = (),
    safety: str | None = None,
    persona: str = "",
) -> str:
    """The system prompt for a reply in ``language`` with the person's ``style``.

    ``notes`` are lines about recent questionnaire results; ``safety`` is the
    safety-oriented instruction used for the rest of a session after a crisis signal. The
    session's rolling summary is not here but after the pinned opening (``build_reply_request``),
    so a fold leaves the prompt's prefix through the opening byte-identical. Nothing here may
    depend on the time, the request or an unordered collection.

    ``persona`` is the operator's (a tenant's) addition: the same for all its people, so it
    comes right after the base instructions, before anything about this person, and the
    prefix the provider caches is shared by all of them.
    """
    parts = [ROLE[language]]
    if persona:
        opening, closing = OPERATOR_SECTION[language]
        parts.append(f"{opening}\n{persona}\n{closing}")
    parts.append(STYLE[language][style])
    if display_name:
        parts.append(f"{NAME_LEAD[language]}{display_name}.")
    if previous_summary:
        parts.append(f"{SUMMARY_LEAD[language]}{previous_summary}")
    if notes:
        parts.append(RESULTS_LEAD[language] + "; ".join(notes))
    if safety:
        parts.append(safety)
    return "\n\n".join(parts)


def result_notes(context: ConversationContext, language: Language) -> list[str]:
    """One line per recent questionnaire result whose instrument is known."""
    instruments = load_builtin_instruments()
    timezone = context.profile.timezone if context.profile else "UTC"
    return [
        result_context_line(instruments[result.instrument], result, language, timezone)
        for result in context.recent_results
        if result.instrument in instruments
    ]


def history_of(turns: Sequence[Turn]) -> tuple[ChatMessage, ...]:
    """Turns as model history messages."""
    return tuple(ChatMessage(turn.role, turn.text) for turn in turns)


def build_reply_request(
    context: ConversationContext,
    message: str,
    *,
    language: Language,
    history_budget: int,
    max_output_tokens: int,
    safety: str | None = None,
    persona: str = "",
    pinned_budget: int = 0,
) -> ModelRequest:
    """The request for answering ``message`` in ``language``, history within ``history_budget``.

    The system prompt is in the profile's language whatever this message's language is, so
    it stays the same; a reply language that differs is asked for after the message.
    ``safety`` (the safety-oriented instruction) is added when the session needs it;
    ``persona`` is the person's tenant's addition (see ``system_prompt``). The session's
    opening exchanges within ``pinned_budget`` tokens (none at 0: history is not folded) come
    first, then the rolling summary, then the kept turns that still fit.
    """
    profile = context.profile
    style = profile.style if profile else Style.BALANCED
    name = profile.display_name if profile else ""
    prompt_language = profile.language if profile else language
    session = context.session
    system = system_prompt(
        prompt_language,
        style,
        display_name=name,
        previous_summary=context.previous_summary,
        notes=result_notes(context, prompt_language),
        safety=safety,
        persona=persona,
    )
    note = REPLY_IN[language] if language is not prompt_language else ""
    pinned = pinned_opening(context.opening_turns, pinned_budget) if pinned_budget else ()
    lead = history_of(pinned)
    if session is not None and session.fold_summary:
        lead += (ChatMessage(Role.USER, f"{EARLIER_NOTE[prompt_language]}{session.fold_summary}"),)
    fixed = (system, message + note, *(part.text for part in lead))
    budget = max(0, history_budget - sum(estimate_tokens(part) for part in fixed))
    kept = kept_turns(session, context.recent_turns, pinned)
    return ModelRequest(
        system=system,
        message=message,
        history=(*lead, *history_of(trim_to_budget(kept, budget))),
        language=language,
        purpose=Purpose.REPLY,
        note=note,
        max_output_tokens=max_output_tokens,
        pinned=len(pinned),
        kept_from=len(lead),
    )


def build_summary_request(
    turns: Sequence[Turn],
    *,
    language: Language,
    previous_summary: str | None,
    history_budget: int,
) -> ModelRequest:
    """The request for summarizing a session's ``turns`` (newest kept when too long)."""
    system = ROLE[language]
    if previous_summary:
        system = f"{system}\n\n{SUMMARY_LEAD[language]}{previous_summary}"
    return ModelRequest(
        system=system,
        message=SUMMARIZE[language],
        history=history_of(trim_to_budget(turns, history_budget)),
        language=language,
        purpose=Purpose.SUMMARY,
        max_output_tokens=300,
        temperature=0.2,
    )


PROMPT_VARIANTS: dict[str, dict[Language, str]] = {
    "brief": {
        Language.EN: "Answer in at most two short sentences.",
        Language.RU: "Отвечай не длиннее двух коротких предложений.",
    },
    "question": {
        Language.EN: "End your answer with one gentle, open question.",
        Language.RU: "Заканчивай ответ одним бережным открытым вопросом.",
    },
}
"""Extra system instructions an experiment variant may add, by name."""


def with_prompt_variant(request: ModelRequest, name: str) -> ModelRequest:
    """``request`` with the named extra instruction appended to its system prompt."""
    if not name:
        return request
    extra = PROMPT_VARIANTS[name][request.language]
    return replace(request, system=f"{request.system}\n\n{extra}")


def halve_history(request: ModelRequest) -> ModelRequest | None:
    """``request`` keeping only the newer half of its kept turns, or ``None`` with none to drop.

    The system prompt (which carries the previous session's summary), the pinned opening, the
    rolling summary and the message stay while kept turns are left to drop; then the opening
    and the summary go too. The kept turns never start with an assistant turn whose question
    was dropped (some providers refuse a conversation that does not start with the person).
    """
    lead, turns = request.history[: request.kept_from], request.history[request.kept_from :]
    if not turns:
        return replace(request, history=(), pinned=0, kept_from=0) if lead else None
    kept = list(turns[len(turns) // 2 + len(turns) % 2 :])
    while kept and kept[0].role is Role.ASSISTANT:
        kept.pop(0)
    return replace(request, history=(*lead, *kept))


def estimate_usage(request: ModelRequest, text: str) -> TokenUsage:
    """Estimated tokens of ``request`` and the answer ``text``, when no provider counted them."""
    prompt = (request.system, *(message.text for message in request.history), request.message)
    return TokenUsage(
        input_tokens=sum(estimate_tokens(part) for part in prompt),
        output_tokens=estimate_tokens(text),
        estimated=True,
    )
