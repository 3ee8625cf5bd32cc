"""What a language model is asked and what it answers, and how a request is assembled.

Assembly is a pure rule: system prompt in the reply language with the person's style,
the previous session's summary, then the newest turns that fit the token budget.
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
    trim_to_budget,
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


@dataclass(frozen=True, slots=True)
class TokenUsage:
    """Tokens spent on one answer; ``estimated`` when the provider did not report them."""

    input_tokens: int = 0
    output_tokens: int = 0
    estimated: bool = False

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


_ROLE = {
    Language.EN: (
        "You are InnerTalk, a warm and reflective companion for inner dialogue. "
        "You help the person notice and name their feelings, reflect what you hear in your "
        "own words, and ask at most one open question at a time. You are not a therapist "
        "and not a human: never claim to be either, never diagnose, and never prescribe "
        "medication. If the person may be in danger, gently encourage them to contact local "
        "emergency services or a crisis line. Keep answers short (2-5 sentences), plain and "
        "kind. Always answer in English."
    ),
    Language.RU: (
        "Ты InnerTalk, тёплый и внимательный собеседник для внутреннего диалога. "
        "Ты помогаешь человеку замечать и называть свои чувства, отражаешь услышанное своими "
        "словами и задаёшь не больше одного открытого вопроса за раз. Ты не психотерапевт и "
        "не человек: никогда не выдавай себя за них, не ставь диагнозов и не назначай "
        "лекарств. Если человеку может угрожать опасность, бережно предложи обратиться в "
        "экстренные службы или на линию помощи. Отвечай коротко (2-5 предложений), просто и "
        "по-доброму. Всегда отвечай по-русски."
    ),
}

_STYLE = {
    Language.EN: {
        Style.EMPATHY: "Lead with empathy: listen, validate and reflect; offer advice only "
        "when asked.",
        Style.ACTION: "Be practical: after a brief acknowledgement, help find one small, "
        "concrete next step.",
        Style.BALANCED: "Balance empathy and practicality: acknowledge feelings first, then "
        "offer a gentle idea if it fits.",
    },
    Language.RU: {
        Style.EMPATHY: "Сначала сочувствие: слушай, признавай чувства и отражай их; советуй, "
        "только если просят.",
        Style.ACTION: "Будь практичным: коротко признай чувства и помоги найти один небольшой "
        "конкретный шаг.",
        Style.BALANCED: "Соблюдай баланс: сначала признай чувства, затем, если уместно, "
        "предложи мягкую идею.",
    },
}

_SUMMARY_LEAD = {
    Language.EN: "Summary of your previous conversation with this person: ",
    Language.RU: "Краткое содержание прошлого разговора с этим человеком: ",
}

_NAME_LEAD = {
    Language.EN: "The person's name is ",
    Language.RU: "Человека зовут ",
}

_SUMMARIZE = {
    Language.EN: (
        "Summarize the conversation above for your own memory in 2-4 sentences in English: "
        "what the person talked about, how they felt, and anything they wanted to return to. "
        "Write in the third person; do not add advice."
    ),
    Language.RU: (
        "Кратко перескажи разговор выше для своей памяти в 2-4 предложениях по-русски: о чём "
        "говорил человек, что чувствовал и к чему хотел вернуться. Пиши в третьем лице, без "
        "советов."
    ),
}


_RESULTS_LEAD = {
    Language.EN: "Recent self-check questionnaires (screening only, not a diagnosis; mention "
    "them only if the person brings them up): ",
    Language.RU: "Недавние опросники самопроверки (это скрининг, а не диагноз; упоминай их, "
    "только если человек сам о них заговорит): ",
}


def system_prompt(
    language: Language,
    style: Style,
    *,
    display_name: str = "",
    previous_summary: str | None = None,
    notes: Sequence[str] = (),
    safety: str | None = None,
) -> str:
    """The system prompt for a reply in ``language`` with the person's ``style``.

    ``notes`` are lines about recent questionnaire results; ``safety`` is the
    safety-oriented instruction used for the rest of a session after a crisis signal.
    """
    parts = [_ROLE[language], _STYLE[language][style]]
    if display_name:
        parts.append(f"{_NAME_LEAD[language]}{display_name}.")
    if previous_summary:
        parts.append(f"{_SUMMARY_LEAD[language]}{previous_summary}")
    if notes:
        parts.append(_RESULTS_LEAD[language] + "; ".join(notes))
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
) -> ModelRequest:
    """The request for answering ``message``, with history trimmed to ``history_budget``.

    ``safety`` (the safety-oriented instruction) is added when the session needs it.
    """
    profile = context.profile
    style = profile.style if profile else Style.BALANCED
    name = profile.display_name if profile else ""
    system = system_prompt(
        language,
        style,
        display_name=name,
        previous_summary=context.previous_summary,
        notes=result_notes(context, language),
        safety=safety,
    )
    budget = max(0, history_budget - estimate_tokens(system) - estimate_tokens(message))
    return ModelRequest(
        system=system,
        message=message,
        history=history_of(trim_to_budget(context.recent_turns, budget)),
        language=language,
        purpose=Purpose.REPLY,
        max_output_tokens=max_output_tokens,
    )


def build_summary_request(
    turns: Sequence[Turn],
    *,
    language: Language,
    previous_summary: str | None,
    history_budget: int,
) -> ModelRequest:
    """The request for summarizing a session's ``turns`` (newest kept when too long)."""
    system = _ROLE[language]
    if previous_summary:
        system = f"{system}\n\n{_SUMMARY_LEAD[language]}{previous_summary}"
    return ModelRequest(
        system=system,
        message=_SUMMARIZE[language],
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
    """``request`` keeping only the newer half of its history, or ``None`` with none to drop.

    The system prompt (which carries the previous session's summary) and the message stay;
    the kept history never starts with an assistant turn whose question was dropped (some
    providers refuse a conversation that does not start with the person).
    """
    history = request.history
    if not history:
        return None
    kept = list(history[len(history) // 2 + len(history) % 2 :])
    while kept and kept[0].role is Role.ASSISTANT:
        kept.pop(0)
    return replace(request, history=tuple(kept))


def estimate_usage(request: ModelRequest, text: str) -> TokenUsage:
    """Estimated tokens of ``request`` and the answer ``text``, when no provider counted them."""
    prompt = (request.system, *(message.text for message in request.history), request.message)
    return TokenUsage(
        input_tokens=sum(estimate_tokens(part) for part in prompt),
        output_tokens=estimate_tokens(text),
        estimated=True,
    )
