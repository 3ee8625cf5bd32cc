"""Diary, questionnaire and portrait use cases over the in-memory store."""

from __future__ import annotations

from datetime import timedelta

import pytest

from innertalk.application.wellbeing.diary import DiaryService, MoodCooldownError
from innertalk.application.wellbeing.portraits import PortraitService
from innertalk.application.wellbeing.questionnaires import QuestionnaireService
from innertalk.domain.mood import Trend
from innertalk.domain.prompting import ModelRequest, Purpose
from innertalk.domain.questionnaires import Change, QuestionnaireRun, load_builtin_instruments
from innertalk.domain.users import Language, UserKey
from innertalk.domain.wellbeing import InvalidMoodError
from innertalk.infrastructure.llm.offline import OfflineModel
from innertalk.presentation.texts import catalog
from tests.fakes.clock import FakeClock
from tests.fakes.core import Core, build_core
from tests.fakes.models import ScriptedModel

ALICE = UserKey("bot", 1)


async def ready(core: Core) -> None:
    await core.profiles.ensure(ALICE, language=Language.EN, consent=True)


async def test_check_ins_respect_the_cooldown(model: ScriptedModel, clock: FakeClock) -> None:
    """A second check-in within MOOD_COOLDOWN is refused with the time left."""
    core = build_core(model, clock)
    diary = DiaryService(store=core.storage, clock=clock, cooldown=timedelta(hours=2))
    await diary.record(ALICE, 6, tags=["calm", "calm", "tired"], note="  ok day ")
    clock.advance(3600)
    with pytest.raises(MoodCooldownError) as refused:
        await diary.record(ALICE, 7)
    assert refused.value.left == timedelta(hours=1)
    clock.advance(3600)
    entry = await diary.record(ALICE, 7)
    assert entry.score == 7
    stored = await core.storage.moods(ALICE, 10)
    assert stored[1].tags == ("calm", "tired")
    assert stored[1].note == "ok day"


async def test_scores_outside_the_scale_are_refused(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """Scores must be 1-10."""
    diary = DiaryService(store=build_core(model, clock).storage, clock=clock, cooldown=timedelta())
    with pytest.raises(InvalidMoodError):
        await diary.record(ALICE, 11)


async def test_progress_shows_statistics_and_chart_points(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """Progress counts entries, averages them, and gives one chart point per day."""
    core = build_core(model, clock)
    await ready(core)
    diary = DiaryService(store=core.storage, clock=clock, cooldown=timedelta())
    for score in (3, 4, 5, 6, 7, 8, 9):
        await diary.record(ALICE, score)
        clock.advance(24 * 3600)
    progress = await diary.progress(ALICE, days=30)
    assert progress.stats.count == 7
    assert progress.stats.average == 6.0
    assert progress.stats.trend is Trend.IMPROVING
    assert len(progress.points) == 7


def phq9_run(answers: list[int]) -> QuestionnaireRun:
    run = QuestionnaireRun.start(load_builtin_instruments()["phq9"])
    for value in answers:
        run = run.answer(value)
    return run


async def test_a_result_is_saved_compared_and_enters_the_context(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """Saving PHQ-9 twice compares with the previous one, and the prompt mentions the newest."""
    core = build_core(model, clock)
    await ready(core)
    service = QuestionnaireService(store=core.storage, contexts=core.contexts, clock=clock)
    first = await service.save(ALICE, phq9_run([2] * 8 + [0]))
    assert first.previous is None
    clock.advance(14 * 24 * 3600)
    second = await service.save(ALICE, phq9_run([1] * 8 + [0]))
    assert second.previous == first.result
    assert second.comparison.change is Change.BETTER
    await core.talk.reply(ALICE, "hello")
    assert "8/27" in model.requests[-1].system


async def test_an_incomplete_questionnaire_is_not_saved(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """Only a completed run becomes a stored result."""
    core = build_core(model, clock)
    service = QuestionnaireService(store=core.storage, contexts=core.contexts, clock=clock)
    with pytest.raises(ValueError, match="not complete"):
        await service.save(ALICE, phq9_run([1, 1]))
    assert await core.storage.questionnaire_results(ALICE, 5) == []


def portrait_writer(request: ModelRequest) -> str:
    return "PORTRAIT" if request.purpose is Purpose.PORTRAIT else "reply"


async def test_a_model_writes_the_portrait_from_the_newest_messages(clock: FakeClock) -> None:
    """The portrait request holds the person's newest messages; the portrait is stored."""
    model = ScriptedModel(portrait_writer)
    core = build_core(model, clock)
    await ready(core)
    for n in range(3):
        await core.talk.reply(ALICE, f"thought number {n}")
    service = PortraitService(
        store=core.storage, model=model, clock=clock, cooldown=timedelta(hours=24)
    )
    outcome = await service.portrait(
        ALICE, language=Language.EN, labels=catalog("portrait", Language.EN)
    )
    assert outcome.fresh
    assert outcome.portrait is not None
    assert outcome.portrait.text == "PORTRAIT"
    assert "thought number 2" in model.requests[-1].message
    assert (await core.storage.portraits(ALICE, 1))[0].text == "PORTRAIT"


async def test_within_the_cooldown_the_last_portrait_is_shown(clock: FakeClock) -> None:
    """Within PORTRAIT_COOLDOWN the latest portrait returns, with when the next is due."""
    model = ScriptedModel(portrait_writer)
    core = build_core(model, clock)
    await ready(core)
    await core.talk.reply(ALICE, "something")
    service = PortraitService(
        store=core.storage, model=model, clock=clock, cooldown=timedelta(hours=24)
    )
    labels = catalog("portrait", Language.EN)
    first = await service.portrait(ALICE, language=Language.EN, labels=labels)
    clock.advance(3600)
    again = await service.portrait(ALICE, language=Language.EN, labels=labels)
    assert not again.fresh
    assert again.portrait == first.portrait
    assert again.next_at == clock.now() + timedelta(hours=23)


async def test_without_a_model_the_portrait_is_built_from_statistics(clock: FakeClock) -> None:
    """With only the offline responder, the portrait comes from diary and results, localized."""
    offline = OfflineModel()
    core = build_core(offline, clock)
    await core.profiles.ensure(ALICE, language=Language.RU, consent=True)
    diary = DiaryService(store=core.storage, clock=clock, cooldown=timedelta())
    for score in (4, 5, 6):
        await diary.record(ALICE, score, tags=["tired"])
    service = PortraitService(
        store=core.storage, model=offline, clock=clock, cooldown=timedelta(hours=24)
    )
    labels = {**catalog("diary", Language.RU), **catalog("portrait", Language.RU)}
    outcome = await service.portrait(ALICE, language=Language.RU, labels=labels)
    assert outcome.portrait is not None
    assert "без ИИ-модели" in outcome.portrait.text
    assert "5.0/10" in outcome.portrait.text


async def test_with_nothing_to_draw_from_there_is_no_portrait(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """A person with no messages, diary or results gets no portrait and nothing is stored."""
    core = build_core(model, clock)
    await ready(core)
    service = PortraitService(
        store=core.storage, model=model, clock=clock, cooldown=timedelta(hours=24)
    )
    outcome = await service.portrait(
        ALICE, language=Language.EN, labels=catalog("portrait", Language.EN)
    )
    assert outcome.portrait is None
    assert await core.storage.portraits(ALICE, 1) == []
