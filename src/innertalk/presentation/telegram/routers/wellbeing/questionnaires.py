"""Questionnaires (/tests, 🧪 Tests): the list, the disclaimer, one question per message.

The run lives in FSM data as ``run.to_dict()``, so it resumes after a restart; every button
carries its item index (``QuestionStep``: ``qz:<id>:<index>:<action>``), so a press on an
older question's button is answered quietly and changes nothing. A positive PHQ-9 item 9
shows the crisis message with hotlines at once and alerts the admins; the person may then
continue.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from innertalk.application.services import Services
from innertalk.application.wellbeing.questionnaires import SavedResult
from innertalk.domain.questionnaires import (
    Action,
    Change,
    Instrument,
    InvalidRunStateError,
    InvalidStepError,
    QuestionnaireRun,
    ScoringMethod,
    load_builtin_instruments,
    run_from_dict,
)
from innertalk.domain.safety.signals import CrisisCategory, CrisisSignal, Severity
from innertalk.domain.users import Language, Profile, UserKey
from innertalk.presentation.telegram.filters import MenuButton
from innertalk.presentation.telegram.keyboards import wellbeing as kb
from innertalk.presentation.telegram.keyboards.hotlines import choose_country
from innertalk.presentation.telegram.render.crisis_notice import notice_html
from innertalk.presentation.telegram.texts.wellbeing import say
from innertalk.presentation.telegram.transport.sender import Sender
from innertalk.presentation.texts import Markup, local_day_text

RUN = "questionnaire"
CRISIS_SHOWN = "questionnaire_crisis"
ORDER = ("who5", "phq9", "gad7", "bigfive")
INSTRUMENTS: Mapping[str, Instrument] = load_builtin_instruments()
ITEM9_SIGNAL = CrisisSignal(
    CrisisCategory.SUICIDAL_IDEATION,
    Severity.CONCERN,
    categories=frozenset({CrisisCategory.SUICIDAL_IDEATION}),
    rules=("questionnaire",),
)


def _choices() -> list[Instrument]:
    known = [INSTRUMENTS[name] for name in ORDER if name in INSTRUMENTS]
    return known + [i for name, i in INSTRUMENTS.items() if name not in ORDER]


async def _stored_run(state: FSMContext) -> QuestionnaireRun | None:
    data: dict[str, Any] = await state.get_data()
    raw = data.get(RUN)
    if not raw:
        return None
    try:
        return run_from_dict(raw, INSTRUMENTS)
    except InvalidRunStateError:
        await state.update_data({RUN: None})
        return None


async def on_tests(message: Message, profile: Profile, state: FSMContext, sender: Sender) -> None:
    language = profile.language
    text = say(language, "tests_intro")
    run = await _stored_run(state)
    if run is not None and not run.is_complete:
        text += "\n\n" + say(
            language,
            "tests_unfinished",
            name=run.instrument.short_name,
            number=run.index + 1,
            total=len(run.answers),
        )
    await sender.html(message.chat.id, text, kb.instruments(language, _choices()))


async def on_choice(
    query: CallbackQuery,
    callback_data: kb.TestChoice,
    profile: Profile,
    state: FSMContext,
    sender: Sender,
) -> None:
    await query.answer()
    language = profile.language
    instrument = INSTRUMENTS.get(callback_data.instrument)
    if instrument is None:
        return
    run = await _stored_run(state)
    resume = run is not None and run.instrument.id == instrument.id and not run.is_complete
    text = say(
        language,
        "test_disclaimer",
        title=instrument.title.in_(language),
        disclaimer=instrument.disclaimer.in_(language),
        count=len(instrument.items),
    )
    await sender.html(query.from_user.id, text, kb.test_start(language, instrument, resume))


def question_html(language: Language, run: QuestionnaireRun) -> str:
    item = run.current_item
    assert item is not None
    return say(
        language,
        "test_question",
        name=run.instrument.short_name,
        number=run.index + 1,
        total=len(run.answers),
        instructions=run.instrument.instructions.in_(language),
        question=item.text.in_(language),
    )


async def on_start(
    query: CallbackQuery,
    callback_data: kb.QuestionStep,
    profile: Profile,
    state: FSMContext,
    sender: Sender,
) -> None:
    """Begin the instrument, or resume its unfinished run."""
    language, instrument = profile.language, INSTRUMENTS[callback_data.instrument]
    await query.answer()
    run = await _stored_run(state)
    if run is None or run.instrument.id != instrument.id or run.is_complete:
        run = QuestionnaireRun.start(instrument)
        await state.update_data({RUN: run.to_dict(), CRISIS_SHOWN: False})
    await sender.html(query.from_user.id, question_html(language, run), kb.question(language, run))


async def on_cancel(
    query: CallbackQuery, callback_data: kb.QuestionStep, profile: Profile, state: FSMContext
) -> None:
    language = profile.language
    run = await _stored_run(state)
    if run is None or run.instrument.id != callback_data.instrument:
        await query.answer(say(language, "test_stale"))
        return
    await query.answer()
    await state.update_data({RUN: None, CRISIS_SHOWN: False})
    await _edit(query, say(language, "test_cancelled"), None)


async def on_move(
    query: CallbackQuery,
    callback_data: kb.QuestionStep,
    key: UserKey,
    profile: Profile,
    state: FSMContext,
    services: Services,
    sender: Sender,
) -> None:
    """An answer, a skip or a step back: the run applies it (one transition, three kinds)."""
    language, step = profile.language, callback_data.step()
    run = await _stored_run(state)
    if run is None or run.instrument.id != step.instrument_id or not run.accepts(step):
        await query.answer(say(language, "test_stale"))
        return
    try:
        run = run.apply(step)
    except InvalidStepError:
        await query.answer(say(language, "test_stale"))
        return
    await query.answer()
    await _moved(query, key, profile, run, state, services, sender)


async def on_unknown_step(query: CallbackQuery, profile: Profile) -> None:
    """A questionnaire button that names no instrument of ours, or no step at all."""
    await query.answer(say(profile.language, "test_stale"))


async def _moved(
    query: CallbackQuery,
    key: UserKey,
    profile: Profile,
    run: QuestionnaireRun,
    state: FSMContext,
    services: Services,
    sender: Sender,
) -> None:
    language, chat_id = profile.language, query.from_user.id
    crisis_now = run.crisis and not (await state.get_data()).get(CRISIS_SHOWN, False)
    await state.update_data({RUN: None if run.is_complete else run.to_dict()})
    if crisis_now:
        await state.update_data({CRISIS_SHOWN: True})
        await _edit(query, question_html_answered(query), None)
        await _crisis(chat_id, key, profile, services, sender)
    if run.is_complete:
        await state.update_data({CRISIS_SHOWN: False})
        if not crisis_now:
            await _edit(query, question_html_answered(query), None)
        await _finish(chat_id, key, language, run, services, sender)
    elif crisis_now:
        text = say(language, "test_crisis_continue") + "\n\n" + question_html(language, run)
        await sender.html(chat_id, text, kb.question(language, run))
    else:
        await _edit(query, question_html(language, run), kb.question(language, run))


def question_html_answered(query: CallbackQuery) -> str:
    """The answered question's text as it was (its buttons removed)."""
    message = query.message
    if isinstance(message, Message) and message.html_text:
        return message.html_text
    return "…"


async def _edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_text(text, reply_markup=markup)


async def _crisis(
    chat_id: int, key: UserKey, profile: Profile, services: Services, sender: Sender
) -> None:
    country = (await services.tenants.for_key(key)).hotline_country
    notice = services.safety.notice(ITEM9_SIGNAL, profile.language, profile, country=country)
    await sender.html(chat_id, notice_html(notice), choose_country(notice))
    await services.safety.alert(key, ITEM9_SIGNAL)


async def _finish(
    chat_id: int,
    key: UserKey,
    language: Language,
    run: QuestionnaireRun,
    services: Services,
    sender: Sender,
) -> None:
    try:
        saved = await services.questionnaires.save(key, run)
    except ValueError:
        await sender.html(chat_id, say(language, "test_not_scored"))
        return
    profile = await services.profiles.get(key)
    timezone = profile.timezone if profile else "UTC"
    await sender.html(chat_id, result_html(language, saved, timezone))


def result_html(language: Language, saved: SavedResult, timezone: str) -> str:
    instrument = INSTRUMENTS[saved.result.instrument]
    scored, comparison = saved.scored, saved.comparison
    title = instrument.title.in_(language)
    if instrument.scoring.method is ScoringMethod.SUM and scored.band is not None:
        parts = [
            say(
                language,
                "test_result_sum",
                title=title,
                score=scored.total,
                max=instrument.max_total,
                band=scored.band.label.in_(language),
                meaning=scored.band.meaning.in_(language),
            )
        ]
    else:
        traits = "\n".join(
            say(
                language,
                "test_trait",
                name=instrument.subscale(sub.key).name.in_(language),
                percent=sub.percent,
                band=sub.band.label.in_(language),
            )
            for sub in scored.subscales
            if sub.percent is not None and sub.band is not None
        )
        parts = [html_in_traits(language, title, traits)]
    if scored.prorated:
        parts.append(say(language, "test_prorated"))
    if comparison.change is Change.FIRST:
        parts.append(say(language, "compare_first"))
    elif comparison.previous is not None and comparison.change is not Change.UNKNOWN:
        date = local_day_text(language, comparison.previous.created_at, timezone)
        delta = "" if comparison.delta is None else f"{comparison.delta:+d}".replace("-", "−")
        parts.append(say(language, f"compare_{comparison.change.value}", date=date, delta=delta))
    parts.append(say(language, "test_saved"))
    return "\n\n".join(parts)


def html_in_traits(language: Language, title: str, traits: str) -> str:
    """The traits line: ``traits`` is HTML already, the title is escaped."""
    return say(language, "test_result_traits", title=title, traits=Markup(traits))


def build() -> Router:
    router = Router(name="questionnaires")
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.message.register(on_tests, Command("tests"))
    router.message.register(on_tests, MenuButton("tests"))
    router.callback_query.register(on_choice, kb.TestChoice.filter())
    known = F.instrument.in_(INSTRUMENTS)
    step = kb.QuestionStep.filter
    router.callback_query.register(on_start, step(known & (F.action == Action.START)))
    router.callback_query.register(on_cancel, step(known & (F.action == Action.CANCEL)))
    router.callback_query.register(on_move, step(known))
    # garbled or for an instrument since removed: still a questionnaire button, said so kindly
    prefix = kb.QuestionStep.__prefix__ + kb.QuestionStep.__separator__
    router.callback_query.register(on_unknown_step, F.data.startswith(prefix))
    return router
