"""Questionnaires: instrument files, scoring and bands, the run state machine, its stored form."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from innertalk.domain.questionnaires import (
    Action,
    Change,
    Instrument,
    InstrumentError,
    InvalidRunStateError,
    InvalidStepError,
    QuestionnaireRun,
    Step,
    compare,
    load_builtin_instruments,
    parse_instrument,
    rescore,
    result_context_line,
    run_from_dict,
    score_answers,
    to_result,
)
from innertalk.domain.users import Language, UserKey
from innertalk.domain.wellbeing import QuestionnaireResult

INSTRUMENTS = load_builtin_instruments()
PHQ9, GAD7, WHO5, BIG5 = (INSTRUMENTS[k] for k in ("phq9", "gad7", "who5", "bigfive"))
ALICE = UserKey("bot", 1)
WHEN = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def summing_to(instrument: Instrument, raw: int) -> tuple[int, ...]:
    """Answers (no reverse keys) whose raw sum is ``raw``, filled from the first item."""
    answers = []
    for _ in instrument.items:
        value = min(instrument.max_value, raw)
        answers.append(value)
        raw -= value
    assert raw == 0
    return tuple(answers)


def stored(instrument: Instrument, answers: Sequence[int | None]) -> QuestionnaireResult:
    return to_result(score_answers(instrument, answers), id="r1", key=ALICE, now=WHEN)


def test_every_builtin_instrument_loads() -> None:
    """The four shipped instruments parse and are found by their ids."""
    assert set(INSTRUMENTS) == {"who5", "phq9", "gad7", "bigfive"}


@pytest.mark.parametrize(
    ("instrument_id", "items", "options", "low", "high"),
    [
        ("who5", 5, 6, 0, 5),
        ("phq9", 9, 4, 0, 3),
        ("gad7", 7, 4, 0, 3),
        ("bigfive", 20, 5, 1, 5),
    ],
)
def test_instrument_shape(
    instrument_id: str, items: int, options: int, low: int, high: int
) -> None:
    """Item and option counts and the answer range match the published forms."""
    instrument = INSTRUMENTS[instrument_id]
    assert len(instrument.items) == items
    assert len(instrument.options) == options
    assert (instrument.min_value, instrument.max_value) == (low, high)


@pytest.mark.parametrize("instrument", INSTRUMENTS.values(), ids=list(INSTRUMENTS))
def test_every_text_exists_in_both_languages(instrument: Instrument) -> None:
    """Title, instructions, disclaimer, items, options and bands are non-empty in ru and en."""
    texts = [instrument.title, instrument.instructions, instrument.disclaimer]
    texts += [item.text for item in instrument.items]
    texts += [option.label for option in instrument.options]
    bands = [*instrument.bands, *(b for sub in instrument.subscales for b in sub.bands)]
    texts += [band.label for band in bands] + [band.meaning for band in bands]
    texts += [sub.name for sub in instrument.subscales]
    for localized in texts:
        for language in Language:
            assert localized.in_(language).strip()
    assert instrument.source
    assert instrument.license
    assert instrument.translation


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_bands_at_their_boundaries(total: int, band: str) -> None:
    """PHQ-9: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe, 20-27 severe."""
    scored = score_answers(PHQ9, summing_to(PHQ9, total))
    assert scored.total == total
    assert scored.band is not None
    assert scored.band.key == band


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_bands_at_their_boundaries(total: int, band: str) -> None:
    """GAD-7: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe."""
    scored = score_answers(GAD7, summing_to(GAD7, total))
    assert (scored.total, scored.band.key if scored.band else None) == (total, band)


@pytest.mark.parametrize(
    ("raw", "percent", "band"),
    [
        (0, 0, "very_low"),
        (7, 28, "very_low"),
        (8, 32, "low"),
        (12, 48, "low"),
        (13, 52, "good"),
        (25, 100, "good"),
    ],
)
def test_who5_reports_the_raw_score_times_four(raw: int, percent: int, band: str) -> None:
    """WHO-5: raw 0-25 x 4 = 0-100 %; <= 28 very low, <= 50 low, above that good."""
    scored = score_answers(WHO5, summing_to(WHO5, raw))
    assert scored.total == percent
    assert scored.band is not None
    assert scored.band.key == band


def test_mini_ipip_reverse_keys_are_the_published_ones() -> None:
    """Items 6-10 and 15-20 are reverse keyed, as in Donnellan et al. (2006)."""
    reversed_items = {number for number, item in enumerate(BIG5.items, 1) if item.reverse}
    assert reversed_items == {6, 7, 8, 9, 10, 15, 16, 17, 18, 19, 20}
    for sub in BIG5.subscales:
        assert sum(item.subscale == sub.key for item in BIG5.items) == 4


def test_reverse_keyed_items_count_the_other_way() -> None:
    """'Very accurate' (5) on a reverse item counts 1, and the other way round."""
    assert BIG5.item_score(5, 5) == 1  # item 6, "Don't talk a lot."
    assert BIG5.item_score(5, 1) == 5
    assert BIG5.item_score(0, 5) == 5  # item 1, "Am the life of the party."


def test_a_consistent_extravert_scores_high_extraversion() -> None:
    """Agreeing with E+ items and disagreeing with E- items gives 100 %, band high."""
    answers = [3] * 20
    for index, value in {0: 5, 5: 1, 10: 5, 15: 1}.items():
        answers[index] = value
    scored = score_answers(BIG5, answers)
    extraversion = scored.subscales[0]
    assert extraversion.key == "extraversion"
    assert (extraversion.mean, extraversion.percent) == (5.0, 100)
    assert extraversion.band is not None
    assert extraversion.band.key == "high"
    assert scored.total is None
    assert scored.band is None
    assert scored.is_scored


@pytest.mark.parametrize(
    ("values", "percent", "band"),
    [
        ((1, 5, 1, 5), 0, "low"),
        ((3, 3, 3, 3), 50, "average"),
        ((2, 4, 3, 3), 38, "average"),
        ((4, 2, 4, 2), 75, "high"),
        ((3, 3, 2, 4), 38, "average"),
    ],
)
def test_trait_percent_and_bands(values: tuple[int, ...], percent: int, band: str) -> None:
    """Trait % is (mean - 1) / 4 x 100; thirds of the range are low, average, high."""
    answers = [3] * 20
    for index, value in zip((0, 5, 10, 15), values, strict=True):
        answers[index] = value
    extraversion = score_answers(BIG5, answers).subscales[0]
    assert extraversion.percent == percent
    assert extraversion.band is not None
    assert extraversion.band.key == band


def test_phq9_prorates_up_to_two_missing_items() -> None:
    """With 1-2 items skipped the total is the answered mean times 9; with 3, no score."""
    one_missing = score_answers(PHQ9, (None, 2, 2, 2, 2, 2, 2, 2, 2))
    assert (one_missing.total, one_missing.prorated, one_missing.answered) == (18, True, 8)
    two_missing = score_answers(PHQ9, (None, None, 2, 2, 2, 2, 2, 2, 2))
    assert two_missing.total == 18
    three_missing = score_answers(PHQ9, (None, None, None, 2, 2, 2, 2, 2, 2))
    assert three_missing.total is None
    assert three_missing.band is None
    assert not three_missing.is_scored


def test_prorating_rounds_half_up() -> None:
    """4 over 8 answered items x 9 = 4.5, reported as 5 (mild), not 4."""
    scored = score_answers(PHQ9, (None, 1, 1, 1, 1, 0, 0, 0, 0))
    assert scored.total == 5
    assert scored.band is not None
    assert scored.band.key == "mild"


def test_gad7_prorates_one_missing_item_only() -> None:
    """GAD-7 tolerates one skipped item of seven; two leave it unscored."""
    assert score_answers(GAD7, (None, 1, 1, 1, 1, 1, 1)).total == 7
    assert score_answers(GAD7, (None, None, 1, 1, 1, 1, 1)).total is None


def test_who5_needs_every_item() -> None:
    """WHO-5 has no prorating: one skipped item leaves it unscored."""
    assert score_answers(WHO5, (None, 5, 5, 5, 5)).total is None


def test_big_five_scores_a_trait_with_one_item_missing_and_not_two() -> None:
    """A trait is the mean of at least three of its four items."""
    answers: list[int | None] = [5] * 20
    answers[0] = None
    assert score_answers(BIG5, answers).subscales[0].percent is not None
    answers[10] = None
    scored = score_answers(BIG5, answers)
    assert scored.subscales[0].percent is None
    assert scored.subscales[0].answered == 2
    assert not scored.is_scored


def test_scoring_rejects_answers_that_do_not_fit() -> None:
    """A wrong number of answers or a value outside the options is a programming error."""
    with pytest.raises(ValueError, match="answers expected"):
        score_answers(PHQ9, (0, 0))
    with pytest.raises(ValueError, match="not one of the options"):
        score_answers(PHQ9, (0, 0, 0, 0, 0, 0, 0, 0, 4))


@pytest.mark.parametrize(("item9", "crisis"), [(0, False), (1, True), (2, True), (3, True)])
def test_phq9_item_9_above_zero_raises_the_crisis_flag(item9: int, crisis: bool) -> None:
    """Any answer other than 'not at all' to the self-harm question flags a crisis."""
    assert score_answers(PHQ9, (0,) * 8 + (item9,)).crisis is crisis


def test_crisis_is_known_as_soon_as_item_9_is_answered() -> None:
    """The run flags the crisis right after the answer, even when the score is not valid."""
    run = QuestionnaireRun.start(PHQ9)
    for _ in range(8):
        run = run.skip()
    assert not run.crisis
    run = run.answer(1)
    assert run.crisis
    assert not run.score().is_scored
    assert run.score().crisis


def test_other_instruments_never_flag_a_crisis() -> None:
    """Only instruments with crisis rules (PHQ-9) can start the crisis flow."""
    assert not score_answers(GAD7, (3,) * 7).crisis
    assert not score_answers(WHO5, (0,) * 5).crisis


def test_a_run_answers_items_in_order() -> None:
    """Each answer is stored at the current item and moves to the next one."""
    run = QuestionnaireRun.start(GAD7)
    assert (run.index, run.answers, run.is_complete) == (0, (None,) * 7, False)
    run = run.answer(2).answer(3)
    assert run.index == 2
    assert run.answers[:3] == (2, 3, None)
    for _ in range(5):
        run = run.answer(0)
    assert run.is_complete
    assert run.current_item is None
    assert run.score().total == 5


def test_back_keeps_the_answer_until_it_is_changed() -> None:
    """Going back shows the earlier answer; answering again replaces it."""
    run = QuestionnaireRun.start(GAD7).answer(2).answer(3)
    run = run.back()
    assert (run.index, run.current_answer) == (1, 3)
    run = run.answer(1)
    assert (run.index, run.answers[:2]) == (2, (2, 1))


def test_skip_moves_on_and_clears_an_earlier_answer() -> None:
    """Skipping after going back removes the answer that was there."""
    run = QuestionnaireRun.start(GAD7).answer(2).back().skip()
    assert (run.index, run.answers[0]) == (1, None)


def test_impossible_transitions_raise_and_change_nothing() -> None:
    """Back from the first item, answers after the end, and non-options are refused."""
    run = QuestionnaireRun.start(WHO5)
    with pytest.raises(InvalidStepError):
        run.back()
    with pytest.raises(InvalidStepError):
        run.answer(6)
    done = run
    for _ in range(5):
        done = done.answer(5)
    with pytest.raises(InvalidStepError):
        done.answer(5)
    with pytest.raises(InvalidStepError):
        done.skip()
    assert run == QuestionnaireRun.start(WHO5)


def test_phq9_safety_question_cannot_be_skipped() -> None:
    """Item 9 decides the crisis flow, so it must be answered (or the run cancelled)."""
    run = QuestionnaireRun.start(PHQ9)
    for _ in range(8):
        assert run.can_skip
        run = run.skip()
    assert not run.can_skip
    with pytest.raises(InvalidStepError, match="cannot be skipped"):
        run.skip()


def test_steps_drive_the_run_and_stale_buttons_are_refused() -> None:
    """A step for the current item applies; one from an older message does not."""
    run = QuestionnaireRun.start(GAD7)
    run = run.apply(Step.answer("gad7", 0, 2))
    run = run.apply(Step("gad7", 1, Action.SKIP))
    stale = Step.answer("gad7", 0, 3)
    assert not run.accepts(stale)
    with pytest.raises(InvalidStepError):
        run.apply(stale)
    assert not run.accepts(Step.answer("phq9", 2, 1))
    run = run.apply(Step("gad7", 2, Action.BACK))
    assert (run.index, run.answers[:2]) == (1, (2, None))


def test_cancel_and_start_are_for_the_caller() -> None:
    """CANCEL (drop the run) and START (begin one) are not transitions of a run."""
    run = QuestionnaireRun.start(GAD7)
    for action in (Action.CANCEL, Action.START):
        step = Step("gad7", 0, action)
        assert run.accepts(step)
        with pytest.raises(InvalidStepError):
            run.apply(step)


@pytest.mark.parametrize("instrument", INSTRUMENTS.values(), ids=list(INSTRUMENTS))
def test_run_state_round_trips_through_json(instrument: Instrument) -> None:
    """A run saved in FSM storage as JSON resumes exactly where it was."""
    run = QuestionnaireRun.start(instrument).answer(instrument.max_value).skip()
    data = json.loads(json.dumps(run.to_dict()))
    assert run_from_dict(data, INSTRUMENTS) == run


@pytest.mark.parametrize(
    "change",
    [
        {"v": 2},
        {"instrument": "nope"},
        {"instrument": 5},
        {"answers": [0, 1]},
        {"answers": "0123456"},
        {"answers": [0, 1, 2, 3, 0, 1, 7]},
        {"answers": [0, 1, 2, 3, 0, 1, True]},
        {"index": 8},
        {"index": -1},
        {"index": True},
        {"index": "1"},
    ],
)
def test_a_stored_run_that_does_not_fit_is_rejected(change: dict[str, object]) -> None:
    """Corrupt state or an instrument that changed since raises, so the bot can restart."""
    data = {**QuestionnaireRun.start(GAD7).to_dict(), **change}
    with pytest.raises(InvalidRunStateError):
        run_from_dict(data, INSTRUMENTS)


def test_a_stored_run_with_missing_fields_is_rejected() -> None:
    """A partial or non-dict state is refused with the same error, not a KeyError."""
    with pytest.raises(InvalidRunStateError):
        run_from_dict({"v": 1}, INSTRUMENTS)


def test_compare_without_a_previous_result_is_first() -> None:
    """The first result has nothing to compare with."""
    comparison = compare(PHQ9, None, score_answers(PHQ9, summing_to(PHQ9, 7)))
    assert (comparison.change, comparison.delta, comparison.previous) == (Change.FIRST, None, None)


@pytest.mark.parametrize(
    ("instrument_id", "before", "after", "change"),
    [
        ("phq9", 12, 7, Change.BETTER),  # lower PHQ-9 is better
        ("phq9", 7, 12, Change.WORSE),
        ("phq9", 7, 11, Change.SAME),  # under the 5-point threshold
        ("gad7", 6, 10, Change.WORSE),
        ("gad7", 10, 7, Change.SAME),
        ("who5", 10, 13, Change.BETTER),  # 40 % -> 52 %: higher WHO-5 is better
        ("who5", 13, 10, Change.WORSE),
        ("who5", 13, 11, Change.SAME),  # 52 % -> 44 %: under 10 points
    ],
)
def test_comparison_direction_depends_on_the_instrument(
    instrument_id: str, before: int, after: int, change: Change
) -> None:
    """Higher WHO-5 is better, higher PHQ-9/GAD-7 is worse; small changes are 'same'."""
    instrument = INSTRUMENTS[instrument_id]
    previous = stored(instrument, summing_to(instrument, before))
    current = score_answers(instrument, summing_to(instrument, after))
    comparison = compare(instrument, previous, current)
    assert comparison.change is change
    assert comparison.delta == (after - before) * instrument.scoring.multiplier


def test_comparison_notes_a_band_change_even_when_the_same() -> None:
    """9 -> 10 on the PHQ-9 is within the threshold but crosses mild -> moderate."""
    previous = stored(PHQ9, summing_to(PHQ9, 9))
    comparison = compare(PHQ9, previous, score_answers(PHQ9, summing_to(PHQ9, 10)))
    assert (comparison.change, comparison.band_changed) == (Change.SAME, True)


def test_big_five_comparison_reports_trait_changes() -> None:
    """Personality has no better or worse: a trait moving 10+ points is 'changed'."""
    previous = stored(BIG5, [3] * 20)
    moved = [3] * 20
    moved[0] = 5  # extraversion mean 3.5: 50 % -> 62.5 % -> 63 %
    comparison = compare(BIG5, previous, score_answers(BIG5, moved))
    assert comparison.change is Change.CHANGED
    assert dict(comparison.subscale_deltas)["extraversion"] == 13
    assert compare(BIG5, previous, score_answers(BIG5, [3] * 20)).change is Change.SAME


def test_comparison_of_an_unscored_result_is_unknown() -> None:
    """Too many skipped items cannot be called better or worse."""
    previous = stored(PHQ9, summing_to(PHQ9, 7))
    current = score_answers(PHQ9, (None,) * 9)
    assert compare(PHQ9, previous, current).change is Change.UNKNOWN


def test_comparing_different_instruments_is_an_error() -> None:
    """A GAD-7 result is never compared with a PHQ-9 one."""
    previous = stored(GAD7, summing_to(GAD7, 3))
    with pytest.raises(ValueError, match="cannot compare"):
        compare(PHQ9, previous, score_answers(PHQ9, summing_to(PHQ9, 3)))
    with pytest.raises(ValueError, match="scored"):
        compare(PHQ9, None, score_answers(GAD7, summing_to(GAD7, 3)))


def test_results_are_stored_with_total_and_band() -> None:
    """The stored record carries the reported total, the band key and the raw answers."""
    answers = summing_to(WHO5, 13)
    result = stored(WHO5, answers)
    assert (result.instrument, result.score, result.severity) == ("who5", 52, "good")
    assert result.answers == answers
    big = stored(BIG5, [3] * 20)
    assert (big.score, big.severity) == (0, "")
    rescored = rescore(BIG5, big)
    assert rescored is not None
    assert rescored.subscales[0].percent == 50
    with pytest.raises(ValueError, match="too many items missing"):
        stored(WHO5, (None,) * 5)


def test_rescore_refuses_results_from_a_changed_instrument() -> None:
    """A stored result whose answers no longer fit the items is not rescored."""
    result = stored(GAD7, summing_to(GAD7, 3))
    assert rescore(PHQ9, result) is None
    assert rescore(GAD7, QuestionnaireResult(**{**_fields(result), "answers": (1, 2)})) is None


def _fields(result: QuestionnaireResult) -> dict[str, object]:
    return {name: getattr(result, name) for name in result.__slots__}


def test_context_line_summarizes_a_result_in_each_language() -> None:
    """'PHQ-9 on 2026-11-20: 7/27 (mild)' goes into the conversation context."""
    result = stored(PHQ9, summing_to(PHQ9, 7))
    assert result_context_line(PHQ9, result, Language.EN) == "PHQ-9 on 2026-11-20: 7/27 (mild)"
    assert (
        result_context_line(PHQ9, result, Language.RU)
        == "PHQ-9, 2026-11-20: 7/27 (лёгкий уровень)"
    )
    who = stored(WHO5, summing_to(WHO5, 13))
    assert result_context_line(WHO5, who, Language.EN).endswith("52/100 (good wellbeing)")


def test_context_line_dates_the_result_in_the_persons_zone() -> None:
    """A result taken at 23:30 UTC is the next day's in Moscow."""
    late = QuestionnaireResult(
        **{
            **_fields(stored(GAD7, (0,) * 7)),
            "created_at": datetime(2026, 1, 1, 23, 30, tzinfo=UTC),
        }
    )
    assert "2026-01-02" in result_context_line(GAD7, late, Language.EN, "Europe/Moscow")
    assert "2026-01-01" in result_context_line(GAD7, late, Language.EN)


def test_context_line_mentions_a_positive_safety_answer() -> None:
    """The model is told when item 9 was answered positively, so it can respond with care."""
    result = stored(PHQ9, (0,) * 8 + (1,))
    assert "self-harm" in result_context_line(PHQ9, result, Language.EN)
    assert "самоповреждении" in result_context_line(PHQ9, result, Language.RU)


def test_context_line_for_big_five_lists_the_traits() -> None:
    """Big Five has no total: the line lists each trait with its % and band."""
    line = result_context_line(BIG5, stored(BIG5, [3] * 20), Language.EN)
    assert line.startswith("Big Five (Mini-IPIP) on 2026-11-20: Extraversion 50% (average)")
    assert line.count("%") == 5
    ru = result_context_line(BIG5, stored(BIG5, [3] * 20), Language.RU)
    assert "Экстраверсия 50% (средняя)" in ru


VALID = """
id = "tiny"
short_name = "T-2"
higher_is = "worse"
source = "s"
license = "l"
translation = "t"
title = { en = "Tiny", ru = "Мини" }
instructions = { en = "Answer", ru = "Ответь" }
disclaimer = { en = "Not a diagnosis", ru = "Не диагноз" }
[scoring]
method = "sum"
[[options]]
value = 0
label = { en = "No", ru = "Нет" }
[[options]]
value = 1
label = { en = "Yes", ru = "Да" }
[[items]]
en = "One"
ru = "Один"
[[items]]
en = "Two"
ru = "Два"
[[bands]]
key = "low"
min = 0
max = 1
label = { en = "low", ru = "низкий" }
meaning = { en = "Low.", ru = "Низкий." }
[[bands]]
key = "high"
min = 2
max = 2
label = { en = "high", ru = "высокий" }
meaning = { en = "High.", ru = "Высокий." }
"""


def test_a_minimal_instrument_parses() -> None:
    """The smallest valid file gives an instrument with defaults filled in."""
    tiny = parse_instrument(VALID)
    assert (tiny.id, len(tiny.items), tiny.scoring.multiplier, tiny.meaningful_change) == (
        "tiny",
        2,
        1,
        1,
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("max = 1", "max = 0", "gap or overlap"),
        ("min = 2\nmax = 2", "min = 1\nmax = 2", "gap or overlap"),
        ("min = 2\nmax = 2", "min = 2\nmax = 3", "must cover"),
        ('id = "tiny"', 'id = "Tiny Test"', "id must be"),
        ('id = "tiny"', 'id = "a_name_far_too_long"', "id must be"),
        ('en = "Two"', 'en = "Two"\nsubscale = "ghost"', "unknown subscale"),
        ('method = "sum"', 'method = "sum"\n[[crisis]]\nitem = 3\nmin_value = 1', "item 3"),
        ("value = 1", "value = 0", "duplicate option values"),
        ('method = "sum"', 'method = "sum"\nmax_missing = 2', "at least one answered"),
        ('method = "sum"', 'method = "median"', "malformed"),
        ('higher_is = "worse"', 'higher_is = "up"', "malformed"),
        ('source = "s"', "", "malformed"),
        ('title = { en = "Tiny", ru = "Мини" }', 'title = { en = "Tiny", ru = " " }', "non-empty"),
        ("min = 0\nmax = 1", 'min = "0"\nmax = 1', "integer"),
        ("[scoring]", "[scoring", "malformed"),
    ],
)
def test_inconsistent_instruments_are_refused(old: str, new: str, message: str) -> None:
    """Gaps, overlaps, bad ids, dangling references and bad types fail at load time."""
    assert old in VALID
    with pytest.raises(InstrumentError, match=message):
        parse_instrument(VALID.replace(old, new, 1))


actions = st.lists(
    st.one_of(
        st.tuples(st.just("answer"), st.integers(min_value=-1, max_value=6)),
        st.tuples(st.just("skip"), st.just(0)),
        st.tuples(st.just("back"), st.just(0)),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(instrument_id=st.sampled_from(sorted(INSTRUMENTS)), script=actions)
def test_no_sequence_of_steps_breaks_a_run(
    instrument_id: str, script: list[tuple[str, int]]
) -> None:
    """Any answer/skip/back sequence applies or is refused cleanly; state and score stay valid."""
    instrument = INSTRUMENTS[instrument_id]
    run = QuestionnaireRun.start(instrument)
    for kind, value in script:
        before = run
        try:
            if kind == "answer":
                run = run.apply(Step.answer(instrument.id, run.index, value))
            else:
                run = run.apply(Step(instrument.id, run.index, Action(kind[0])))
        except InvalidStepError:
            assert run == before
        assert 0 <= run.index <= len(instrument.items)
        assert len(run.answers) == len(instrument.items)
        assert all(a is None or a in instrument.option_values for a in run.answers)
        _assert_scored_in_range(instrument, run.answers)
        assert run_from_dict(json.loads(json.dumps(run.to_dict())), INSTRUMENTS) == run


@settings(max_examples=300, deadline=None)
@given(data=st.data(), instrument_id=st.sampled_from(sorted(INSTRUMENTS)))
def test_any_answers_score_within_range(data: st.DataObject, instrument_id: str) -> None:
    """Whatever is answered or skipped, a total lies in the instrument's range with a band."""
    instrument = INSTRUMENTS[instrument_id]
    choice = st.one_of(st.none(), st.sampled_from(sorted(instrument.option_values)))
    answers = data.draw(
        st.lists(choice, min_size=len(instrument.items), max_size=len(instrument.items))
    )
    _assert_scored_in_range(instrument, answers)


def _assert_scored_in_range(instrument: Instrument, answers: Sequence[int | None]) -> None:
    scored = score_answers(instrument, answers)
    missing = sum(a is None for a in answers)
    if scored.total is not None:
        assert instrument.min_total <= scored.total <= instrument.max_total
        assert scored.band is not None
        assert scored.band.contains(scored.total)
        assert missing <= instrument.scoring.max_missing
    for sub in scored.subscales:
        if sub.percent is not None:
            assert 0 <= sub.percent <= 100
            assert sub.band is not None
    if not scored.is_scored:
        with pytest.raises(ValueError, match="too many items missing"):
            to_result(scored, id="x", key=ALICE, now=WHEN)
