"""Keyboards of the wellbeing screens and the callback data behind them (each ≤ 64 bytes).

Each family's actions are a StrEnum whose values are the strings its buttons always carried,
so a button sent before a release still works after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import time
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from pydantic import Field

from innertalk.domain.mood import EMOTION_TAGS
from innertalk.domain.questionnaires import Action, Instrument, QuestionnaireRun, Step
from innertalk.domain.users import Language
from innertalk.presentation.telegram.texts.wellbeing import DIARY, PORTRAIT, label, label_in

REMINDER_TIMES = (time(8, 0), time(9, 0), time(12, 0), time(18, 0), time(20, 0), time(21, 0))
QUIET_PRESETS = ((time(22, 0), time(7, 0)), (time(23, 0), time(8, 0)), (time(0, 0), time(9, 0)))
SNOOZES = (("snooze_1h", 60), ("snooze_3h", 180))


class MoodButton(StrEnum):
    SCORE = "score"
    TAG = "tag"
    TAGS_DONE = "tags_done"
    TAGS_SKIP = "tags_skip"
    NOTE_SKIP = "note_skip"
    CANCEL = "cancel"


class MoodAction(CallbackData, prefix="md"):
    action: MoodButton
    score: int = 0
    tag: str = ""


class ChartPeriod(CallbackData, prefix="chart"):
    days: int


class TestChoice(CallbackData, prefix="qpick"):
    instrument: str


class QuestionStep(CallbackData, prefix="qz"):
    """A press on a questionnaire's button: ``qz:phq9:3:a2`` answers 2 to the fourth item of
    PHQ-9, ``qz:phq9:3:b`` goes back from it. ``press`` is the action's letter, followed by the
    option's value for an answer. The item index lets a press on an older question's button be
    told apart from one on the current question (``QuestionnaireRun.accepts``)."""

    instrument: str = Field(pattern=r"^[a-z][a-z0-9_]{0,15}$")
    index: int = Field(ge=0, le=9999)
    press: str = Field(pattern=r"^(?:[gsbx]|a-?[0-9]{1,4})$")

    @classmethod
    def of(cls, step: Step) -> QuestionStep:
        value = "" if step.value is None else str(step.value)
        return cls(instrument=step.instrument_id, index=step.index, press=step.action + value)

    @property
    def action(self) -> Action:
        return Action(self.press[0])

    def step(self) -> Step:
        value = int(self.press[1:]) if self.action is Action.ANSWER else None
        return Step(self.instrument, self.index, self.action, value)


class PortraitPage(CallbackData, prefix="ptp"):
    portrait: str
    page: int


class ReminderButton(StrEnum):
    AT = "at"
    """``value`` is the time, ``HHMM``."""
    TYPED = "typed"
    QUIET = "quiet"
    """``value`` is the quiet hours' start and end, ``HHMMHHMM``."""
    QUIET_OFF = "quiet_off"
    STOP = "stop"
    SNOOZE = "snooze"
    """``value`` is the snooze in minutes."""
    CHECKIN = "checkin"


class ReminderAction(CallbackData, prefix="rem"):
    action: ReminderButton
    value: str = ""


class ForgetPart(StrEnum):
    NAME = "name"
    SUMMARIES = "summaries"
    RESULTS = "results"
    CANCEL = "cancel"


class ForgetChoice(CallbackData, prefix="forget"):
    what: ForgetPart


Row = Sequence[tuple[str, CallbackData]]


def inline(rows: Iterable[Row]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data.pack()) for text, data in row]
            for row in rows
            if row
        ]
    )


def _checked(text: str, chosen: bool) -> str:
    return f"✓ {text}" if chosen else text


def _step(instrument: str, index: int, action: Action, value: int | None = None) -> QuestionStep:
    return QuestionStep.of(Step(instrument, index, action, value))


def mood_scores() -> InlineKeyboardMarkup:
    scores = [(str(n), MoodAction(action=MoodButton.SCORE, score=n)) for n in range(1, 11)]
    return inline([scores[:5], scores[5:]])


def mood_tags(language: Language, score: int, chosen: Sequence[str]) -> InlineKeyboardMarkup:
    tags = [
        (_checked(label_in(DIARY, language, f"tag_{tag}"), tag in chosen),
         MoodAction(action=MoodButton.TAG, score=score, tag=tag))
        for tag in EMOTION_TAGS
    ]  # fmt: skip
    rows: list[Row] = [tags[index : index + 2] for index in range(0, len(tags), 2)]
    rows.append(
        [
            (
                label_in(DIARY, language, "button_done"),
                MoodAction(action=MoodButton.TAGS_DONE, score=score),
            ),
            (
                label_in(DIARY, language, "button_skip"),
                MoodAction(action=MoodButton.TAGS_SKIP, score=score),
            ),
        ]
    )
    return inline(rows)


def mood_note(language: Language, score: int) -> InlineKeyboardMarkup:
    return inline(
        [
            [
                (label_in(DIARY, language, "button_skip"),
                 MoodAction(action=MoodButton.NOTE_SKIP, score=score)),
                (label_in(DIARY, language, "button_cancel"), MoodAction(action=MoodButton.CANCEL)),
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
            [(label(language, key), _step(instrument.id, 0, Action.START))],
            [(label(language, "button_cancel"), _step(instrument.id, 0, Action.CANCEL))],
        ]
    )


def question(language: Language, run: QuestionnaireRun) -> InlineKeyboardMarkup:
    instrument, index = run.instrument, run.index
    rows: list[Row] = [
        [(_checked(option.label.in_(language), option.value == run.current_answer),
          _step(instrument.id, index, Action.ANSWER, option.value))]
        for option in instrument.options
    ]  # fmt: skip
    moves: list[tuple[str, CallbackData]] = []
    if run.can_go_back:
        moves.append((label(language, "button_back"), _step(instrument.id, index, Action.BACK)))
    if run.can_skip:
        moves.append((label(language, "button_skip"), _step(instrument.id, index, Action.SKIP)))
    rows.append(moves)
    rows.append([(label(language, "button_cancel"), _step(instrument.id, index, Action.CANCEL))])
    return inline(rows)


def portrait_pages(
    language: Language, portrait_id: str, page: int, pages: int
) -> InlineKeyboardMarkup | None:
    if pages < 2:
        return None
    row: list[tuple[str, CallbackData]] = []
    if page > 0:
        row.append((label_in(PORTRAIT, language, "button_previous"),
                    PortraitPage(portrait=portrait_id, page=page - 1)))  # fmt: skip
    if page < pages - 1:
        row.append((label_in(PORTRAIT, language, "button_next"),
                    PortraitPage(portrait=portrait_id, page=page + 1)))  # fmt: skip
    return inline([row])


def clock(moment: time) -> str:
    return moment.strftime("%H:%M")


def _reminder(language: Language, key: str, action: ReminderButton) -> tuple[str, CallbackData]:
    return label(language, key), ReminderAction(action=action)


def reminder_settings(language: Language, enabled: bool) -> InlineKeyboardMarkup:
    times = [
        (label(language, "button_reminder_time").format(time=clock(at)),
         ReminderAction(action=ReminderButton.AT, value=at.strftime("%H%M")))
        for at in REMINDER_TIMES
    ]  # fmt: skip
    quiet = [
        (f"🌙 {clock(start)}–{clock(end)}",
         ReminderAction(action=ReminderButton.QUIET, value=f"{start:%H%M}{end:%H%M}"))
        for start, end in QUIET_PRESETS
    ]  # fmt: skip
    rows: list[Row] = [
        times[:3],
        times[3:],
        [_reminder(language, "button_reminder_typed", ReminderButton.TYPED)],
        quiet,
        [_reminder(language, "button_quiet_off", ReminderButton.QUIET_OFF)],
    ]
    if enabled:
        rows.append([_reminder(language, "button_reminders_stop", ReminderButton.STOP)])
    return inline(rows)


def reminder(language: Language) -> InlineKeyboardMarkup:
    return inline(
        [
            [_reminder(language, "button_checkin", ReminderButton.CHECKIN)],
            [(label(language, f"button_{name}"),
              ReminderAction(action=ReminderButton.SNOOZE, value=str(minutes)))
             for name, minutes in SNOOZES],
            [_reminder(language, "button_reminders_stop", ReminderButton.STOP)],
        ]
    )  # fmt: skip


def forget(language: Language) -> InlineKeyboardMarkup:
    return inline(
        [[(label(language, f"button_forget_{what}"), ForgetChoice(what=what))]
         for what in ForgetPart]
    )  # fmt: skip
