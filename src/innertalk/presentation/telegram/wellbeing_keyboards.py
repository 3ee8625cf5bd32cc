"""Keyboards of the wellbeing screens and the callback data behind them (each ≤ 64 bytes).

Questionnaire steps use the engine's own compact encoding (``qz:…``, ``encode_step``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import time

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from innertalk.domain.mood import EMOTION_TAGS
from innertalk.domain.questionnaires import Action, Instrument, QuestionnaireRun, encode_step
from innertalk.domain.users import Language
from innertalk.presentation.telegram.wellbeing_texts import DIARY, PORTRAIT, label, label_in

REMINDER_TIMES = (time(8, 0), time(9, 0), time(12, 0), time(18, 0), time(20, 0), time(21, 0))
QUIET_PRESETS = ((time(22, 0), time(7, 0)), (time(23, 0), time(8, 0)), (time(0, 0), time(9, 0)))
SNOOZES = (("snooze_1h", 60), ("snooze_3h", 180))


class MoodAction(CallbackData, prefix="md"):
    action: str
    """``score``, ``tag``, ``tags_done``, ``tags_skip``, ``note_skip`` or ``cancel``."""
    score: int = 0
    tag: str = ""


class ChartPeriod(CallbackData, prefix="chart"):
    days: int


class TestChoice(CallbackData, prefix="qpick"):
    instrument: str


class PortraitPage(CallbackData, prefix="ptp"):
    portrait: str
    page: int


class ReminderAction(CallbackData, prefix="rem"):
    action: str
    """``at``, ``typed``, ``quiet``, ``quiet_off``, ``stop``, ``snooze`` or ``checkin``."""
    value: str = ""


class ForgetChoice(CallbackData, prefix="forget"):
    what: str
    """``name``, ``summaries``, ``results`` or ``cancel``."""


Row = Sequence[tuple[str, CallbackData | str]]


def inline(rows: Iterable[Row]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=text, callback_data=data if isinstance(data, str) else data.pack()
                )
                for text, data in row
            ]
            for row in rows
            if row
        ]
    )


def _checked(text: str, chosen: bool) -> str:
    return f"✓ {text}" if chosen else text


def mood_scores() -> InlineKeyboardMarkup:
    scores = [(str(n), MoodAction(action="score", score=n)) for n in range(1, 11)]
    return inline([scores[:5], scores[5:]])


def mood_tags(language: Language, score: int, chosen: Sequence[str]) -> InlineKeyboardMarkup:
    tags = [
        (_checked(label_in(DIARY, language, f"tag_{tag}"), tag in chosen),
         MoodAction(action="tag", score=score, tag=tag))
        for tag in EMOTION_TAGS
    ]  # fmt: skip
    rows: list[Row] = [tags[index : index + 2] for index in range(0, len(tags), 2)]
    rows.append(
        [
            (
                label_in(DIARY, language, "button_done"),
                MoodAction(action="tags_done", score=score),
            ),
            (
                label_in(DIARY, language, "button_skip"),
                MoodAction(action="tags_skip", score=score),
            ),
        ]
    )
    return inline(rows)


def mood_note(language: Language, score: int) -> InlineKeyboardMarkup:
    return inline(
        [
            [
                (label_in(DIARY, language, "button_skip"),
                 MoodAction(action="note_skip", score=score)),
                (label_in(DIARY, language, "button_cancel"), MoodAction(action="cancel")),
            ]
        ]
    )  # fmt: skip


def chart_periods(language: Language) -> InlineKeyboardMarkup:
    return inline(
        [[(label_in(DIARY, language, f"chart_button_{days}"), ChartPeriod(days=days))
          for days in (30, 90)]]
    )  # fmt: skip


def instruments(language: Language, choices: Sequence[Instrument]) -> InlineKeyboardMarkup:
    return inline(
        [[(instrument.title.in_(language), TestChoice(instrument=instrument.id))]
         for instrument in choices]
    )  # fmt: skip


def test_start(language: Language, instrument: Instrument, resume: bool) -> InlineKeyboardMarkup:
    key = "button_test_continue" if resume else "button_test_start"
    return inline(
        [
            [(label(language, key), encode_step(instrument.id, 0, Action.START))],
            [(label(language, "button_cancel"), encode_step(instrument.id, 0, Action.CANCEL))],
        ]
    )


def question(language: Language, run: QuestionnaireRun) -> InlineKeyboardMarkup:
    instrument, index = run.instrument, run.index
    rows: list[Row] = [
        [(_checked(option.label.in_(language), option.value == run.current_answer),
          encode_step(instrument.id, index, Action.ANSWER, option.value))]
        for option in instrument.options
    ]  # fmt: skip
    moves: list[tuple[str, CallbackData | str]] = []
    if run.can_go_back:
        moves.append(
            (label(language, "button_back"), encode_step(instrument.id, index, Action.BACK))
        )
    if run.can_skip:
        moves.append(
            (label(language, "button_skip"), encode_step(instrument.id, index, Action.SKIP))
        )
    rows.append(moves)
    rows.append(
        [(label(language, "button_cancel"), encode_step(instrument.id, index, Action.CANCEL))]
    )
    return inline(rows)


def portrait_pages(
    language: Language, portrait_id: str, page: int, pages: int
) -> InlineKeyboardMarkup | None:
    if pages < 2:
        return None
    row: list[tuple[str, CallbackData | str]] = []
    if page > 0:
        row.append((label_in(PORTRAIT, language, "button_previous"),
                    PortraitPage(portrait=portrait_id, page=page - 1)))  # fmt: skip
    if page < pages - 1:
        row.append((label_in(PORTRAIT, language, "button_next"),
                    PortraitPage(portrait=portrait_id, page=page + 1)))  # fmt: skip
    return inline([row])


def clock(moment: time) -> str:
    return moment.strftime("%H:%M")


def reminder_settings(language: Language, enabled: bool) -> InlineKeyboardMarkup:
    times = [
        (label(language, "button_reminder_time").format(time=clock(at)),
         ReminderAction(action="at", value=at.strftime("%H%M")))
        for at in REMINDER_TIMES
    ]  # fmt: skip
    quiet = [
        (f"🌙 {clock(start)}–{clock(end)}",
         ReminderAction(action="quiet", value=f"{start:%H%M}{end:%H%M}"))
        for start, end in QUIET_PRESETS
    ]  # fmt: skip
    rows: list[Row] = [times[:3], times[3:], [(label(language, "button_reminder_typed"),
                                               ReminderAction(action="typed"))]]  # fmt: skip
    rows += [quiet, [(label(language, "button_quiet_off"), ReminderAction(action="quiet_off"))]]
    if enabled:
        rows.append([(label(language, "button_reminders_stop"), ReminderAction(action="stop"))])
    return inline(rows)


def reminder(language: Language) -> InlineKeyboardMarkup:
    return inline(
        [
            [(label(language, "button_checkin"), ReminderAction(action="checkin"))],
            [(label(language, f"button_{name}"),
              ReminderAction(action="snooze", value=str(minutes)))
             for name, minutes in SNOOZES],
            [(label(language, "button_reminders_stop"), ReminderAction(action="stop"))],
        ]
    )  # fmt: skip


def forget(language: Language) -> InlineKeyboardMarkup:
    return inline(
        [[(label(language, f"button_forget_{what}"), ForgetChoice(what=what))]
         for what in ("name", "summaries", "results", "cancel")]
    )  # fmt: skip
