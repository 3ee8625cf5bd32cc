"""Taking a questionnaire: an immutable run, its transitions, and its stored form.

A ``QuestionnaireRun`` is the whole state of one person's pass through an instrument: the
answers so far (``None`` for skipped or not yet reached) and the index of the current item.
Transitions return a new run and never mutate; an impossible one (answering past the end,
an answer that is not an option, skipping an item that may not be skipped, going back from
the first item) raises ``InvalidStepError`` and leaves nothing half-changed.

``to_dict``/``run_from_dict`` make a small JSON-able dict for FSM storage, so a run resumes
after a restart. A ``Step`` (one button press) carries the item index, so a press on an old
message's button can be told apart from a press on the current one
(``QuestionnaireRun.accepts``); the bot's buttons carry it as ``QuestionStep`` callback data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from innertalk.domain.questionnaires.instruments import Instrument, Item
from innertalk.domain.questionnaires.scoring import Scored, crisis_flagged, score_answers

STATE_VERSION = 1


class InvalidStepError(ValueError):
    """A transition the run cannot take in its current state."""


class InvalidRunStateError(ValueError):
    """A stored run that does not fit the instrument (unknown, changed, or corrupt)."""


@dataclass(frozen=True, slots=True)
class QuestionnaireRun:
    instrument: Instrument
    answers: tuple[int | None, ...]
    index: int = 0
    """The current item; ``len(answers)`` once every item has been answered or skipped."""

    @classmethod
    def start(cls, instrument: Instrument) -> QuestionnaireRun:
        return cls(instrument, (None,) * len(instrument.items))

    @property
    def is_complete(self) -> bool:
        """Every item was answered or skipped; ``score()`` says whether that is enough."""
        return self.index >= len(self.answers)

    @property
    def current_item(self) -> Item | None:
        return None if self.is_complete else self.instrument.items[self.index]

    @property
    def current_answer(self) -> int | None:
        """The answer already given to the current item (after ``back``), to mark it."""
        return None if self.is_complete else self.answers[self.index]

    @property
    def can_skip(self) -> bool:
        item = self.current_item
        return item is not None and item.skippable

    @property
    def can_go_back(self) -> bool:
        return self.index > 0

    @property
    def crisis(self) -> bool:
        """An answer so far meets a crisis rule; check it after every answer, not at the end."""
        return crisis_flagged(self.instrument, self.answers)

    def answer(self, value: int) -> QuestionnaireRun:
        """Record ``value`` for the current item and move to the next one."""
        if self.is_complete:
            raise InvalidStepError("the questionnaire is already complete")
        if value not in self.instrument.option_values:
            raise InvalidStepError(f"{value} is not an option of {self.instrument.id}")
        answers = (*self.answers[: self.index], value, *self.answers[self.index + 1 :])
        return replace(self, answers=answers, index=self.index + 1)

    def skip(self) -> QuestionnaireRun:
        """Leave the current item unanswered (clearing an earlier answer) and move on."""
        if not self.can_skip:
            raise InvalidStepError(f"item {self.index + 1} cannot be skipped")
        answers = (*self.answers[: self.index], None, *self.answers[self.index + 1 :])
        return replace(self, answers=answers, index=self.index + 1)

    def back(self) -> QuestionnaireRun:
        """Return to the previous item; its answer is kept until it is answered again."""
        if not self.can_go_back:
            raise InvalidStepError("already at the first item")
        return replace(self, index=self.index - 1)

    def score(self) -> Scored:
        return score_answers(self.instrument, self.answers)

    def accepts(self, step: Step) -> bool:
        """Whether ``step`` was made for this run's current item (not a stale button)."""
        return step.instrument_id == self.instrument.id and step.index == self.index

    def apply(self, step: Step) -> QuestionnaireRun:
        """The run after an answer, skip or back step (START and CANCEL are the caller's)."""
        if not self.accepts(step):
            raise InvalidStepError("the step belongs to another item or questionnaire")
        match step.action:
            case Action.ANSWER if step.value is not None:
                return self.answer(step.value)
            case Action.SKIP:
                return self.skip()
            case Action.BACK:
                return self.back()
            case _:
                raise InvalidStepError(f"{step.action.name} is not a transition of a run")

    def to_dict(self) -> dict[str, Any]:
        """A small JSON-able snapshot; ``run_from_dict`` restores it."""
        return {
            "v": STATE_VERSION,
            "instrument": self.instrument.id,
            "index": self.index,
            "answers": list(self.answers),
        }


def run_from_dict(
    data: Mapping[str, Any], instruments: Mapping[str, Instrument]
) -> QuestionnaireRun:
    """The run ``data`` describes; ``InvalidRunStateError`` if it no longer fits."""
    try:
        version, instrument_id = data["v"], data["instrument"]
        index, raw_answers = data["index"], data["answers"]
    except (KeyError, TypeError) as error:
        raise InvalidRunStateError(f"incomplete run state: {error!r}") from error
    if version != STATE_VERSION:
        raise InvalidRunStateError(f"unknown run state version {version!r}")
    instrument = instruments.get(instrument_id) if isinstance(instrument_id, str) else None
    if instrument is None:
        raise InvalidRunStateError(f"unknown instrument {instrument_id!r}")
    if not isinstance(raw_answers, list) or len(raw_answers) != len(instrument.items):
        raise InvalidRunStateError(f"answers do not fit the {instrument.id} items")
    answers = tuple(raw_answers)
    if any(not _is_answer(value, instrument) for value in answers):
        raise InvalidRunStateError("an answer is not one of the options")
    if not _is_int(index) or not 0 <= index <= len(answers):
        raise InvalidRunStateError(f"index {index!r} out of range")
    return QuestionnaireRun(instrument, answers, index)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_answer(value: object, instrument: Instrument) -> bool:
    return value is None or (_is_int(value) and value in instrument.option_values)


class Action(StrEnum):
    START = "g"
    """Begin (or resume) the instrument, pressed after reading its disclaimer."""
    ANSWER = "a"
    SKIP = "s"
    BACK = "b"
    CANCEL = "x"


@dataclass(frozen=True, slots=True)
class Step:
    """One button press: what to do with which item of which instrument."""

    instrument_id: str
    index: int
    action: Action
    value: int | None = None

    @classmethod
    def answer(cls, instrument_id: str, index: int, value: int) -> Step:
        return cls(instrument_id, index, Action.ANSWER, value)
