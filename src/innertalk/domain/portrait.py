"""The portrait: a reflection on a person's own newest words, diary and results.

A model writes it from ``build_portrait_request``; without a model (or when it fails) the
person gets ``structured_portrait``, built from their diary and questionnaire statistics.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from innertalk.domain.mood import MoodProgress
from innertalk.domain.prompting import ModelRequest, Purpose
from innertalk.domain.users import Language

PORTRAIT_MESSAGES = 40
"""How many of the person's newest messages the portrait reads."""
_MESSAGE_CHARS = 400

_SYSTEM = {
    Language.EN: (
        "You are InnerTalk, a warm and reflective companion. Write a 'portrait' of the person: "
        "a kind, non-clinical reflection on what their own recent words, mood diary and "
        "self-check results suggest — recurring themes, feelings, what matters to them, "
        "strengths you notice, and what seems to help. Address them as 'you'. 3-5 short "
        "paragraphs. No diagnosis, no labels, no advice lists; be tentative ('it seems'). "
        "Write in English."
    ),
    Language.RU: (
        "Ты InnerTalk, тёплый и внимательный собеседник. Напиши «портрет» человека: бережное, "
        "не клиническое размышление о том, что говорят его недавние слова, дневник настроения "
        "и опросники самопроверки, — повторяющиеся темы, чувства, что для него важно, сильные "
        "стороны и что, похоже, помогает. Обращайся на «ты». 3-5 коротких абзацев. Без "
        "диагнозов, ярлыков и списков советов; говори осторожно («похоже», «кажется»). "
        "Пиши по-русски."
    ),
}

_MATERIAL = {
    Language.EN: ("Their newest messages (oldest first):", "Mood diary:", "Self-checks:"),
    Language.RU: (
        "Их последние сообщения (от старых к новым):",
        "Дневник настроения:",
        "Опросники:",
    ),
}


def _diary_line(progress: MoodProgress | None) -> str:
    if progress is None or progress.count == 0:
        return "—"
    return (
        f"{progress.count} entries, average {progress.average}/10, trend {progress.trend.value}"
        + (
            f", frequent feelings: {', '.join(t for t, _ in progress.top_tags)}"
            if progress.top_tags
            else ""
        )
    )


def build_portrait_request(
    messages: Sequence[str],
    *,
    progress: MoodProgress | None,
    notes: Sequence[str],
    language: Language,
) -> ModelRequest:
    """The request for a portrait from the newest ``messages``, diary ``progress`` and result
    ``notes`` (each message shortened, only the newest ``PORTRAIT_MESSAGES`` kept)."""
    said, diary, checks = _MATERIAL[language]
    newest = [message[:_MESSAGE_CHARS] for message in messages[-PORTRAIT_MESSAGES:]]
    material = "\n".join(
        [
            said,
            *(f"- {message}" for message in newest),
            "",
            f"{diary} {_diary_line(progress)}",
            f"{checks} {'; '.join(notes) if notes else '—'}",
        ]
    )
    return ModelRequest(
        system=_SYSTEM[language],
        message=material,
        language=language,
        purpose=Purpose.PORTRAIT,
        max_output_tokens=900,
        temperature=0.6,
    )


def structured_portrait(
    progress: MoodProgress | None,
    notes: Sequence[str],
    message_count: int,
    labels: Mapping[str, str],
) -> str:
    """A portrait from statistics alone, in the words of ``labels`` (a locale catalog)."""
    parts = [labels["structured_intro"]]
    if progress is not None and progress.count:
        parts.append(
            labels["structured_mood"].format(
                count=progress.count,
                average=progress.average,
                trend=labels[f"trend_{progress.trend.value}"],
            )
        )
        if progress.top_tags:
            tags = ", ".join(labels.get(f"tag_{tag}", tag) for tag, _ in progress.top_tags)
            parts.append(labels["structured_tags"].format(tags=tags))
        if progress.streak:
            parts.append(labels["structured_streak"].format(days=progress.streak))
    else:
        parts.append(labels["structured_no_diary"])
    if notes:
        parts.append(labels["structured_results"].format(results="; ".join(notes)))
    if message_count:
        parts.append(labels["structured_messages"].format(count=message_count))
    parts.append(labels["structured_outro"])
    return "\n\n".join(parts)
