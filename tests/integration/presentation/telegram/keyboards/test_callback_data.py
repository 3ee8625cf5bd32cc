"""Callback data: every family's wire format is the one its buttons always had, and a
questionnaire step round-trips within Telegram's 64 bytes."""

from __future__ import annotations

import pytest
from aiogram.filters.callback_data import CallbackData

from innertalk.domain.questionnaires import Action, Instrument, Step, load_builtin_instruments
from innertalk.domain.users import Language, Style
from innertalk.presentation.telegram.keyboards import menus as kb
from innertalk.presentation.telegram.keyboards import wellbeing as wkb
from innertalk.presentation.telegram.routers.admin import AdminAction, AdminButton

INSTRUMENTS = load_builtin_instruments()

BUTTONS_SENT_BEFORE: list[tuple[str, CallbackData]] = [
    ("adm:stats:", AdminAction(action=AdminButton.STATS)),
    ("adm:segment:active7", AdminAction(action=AdminButton.SEGMENT, arg="active7")),
    ("adm:unblock:42", AdminAction(action=AdminButton.UNBLOCK, arg="42")),
    ("onb:ru", kb.OnboardingLanguage(code=Language.RU)),
    ("consent:en", kb.Consent(code=Language.EN)),
    ("style:balanced:1", kb.StyleChoice(value=Style.BALANCED, onboarding=True)),
    ("set:timezone", kb.SettingsAction(action=kb.SettingsButton.TIMEZONE)),
    ("lang:en", kb.LanguageChoice(code=Language.EN)),
    ("tz:Europe/Moscow", kb.TimezoneChoice(name="Europe/Moscow")),
    (
        "priv:erase:1700000000",
        kb.PrivacyAction(action=kb.PrivacyButton.ERASE, issued=1_700_000_000),
    ),
    ("priv:keep:0", kb.PrivacyAction(action=kb.PrivacyButton.KEEP)),
    ("talk:end", kb.TalkAction(action=kb.TalkButton.END)),
    ("fb:abc123:0", kb.FeedbackVote(turn="abc123", helpful=False)),
    ("md:score:7:", wkb.MoodAction(action=wkb.MoodButton.SCORE, score=7)),
    ("md:tag:7:sad", wkb.MoodAction(action=wkb.MoodButton.TAG, score=7, tag="sad")),
    ("md:cancel:0:", wkb.MoodAction(action=wkb.MoodButton.CANCEL)),
    ("chart:90", wkb.ChartPeriod(days=90)),
    ("qpick:phq9", wkb.TestChoice(instrument="phq9")),
    ("qz:phq9:3:a2", wkb.QuestionStep(instrument="phq9", index=3, press="a2")),
    ("qz:phq9:0:g", wkb.QuestionStep(instrument="phq9", index=0, press="g")),
    ("ptp:p1:2", wkb.PortraitPage(portrait="p1", page=2)),
    ("rem:quiet:22000700", wkb.ReminderAction(action=wkb.ReminderButton.QUIET, value="22000700")),
    ("rem:stop:", wkb.ReminderAction(action=wkb.ReminderButton.STOP)),
    ("forget:summaries", wkb.ForgetChoice(what=wkb.ForgetPart.SUMMARIES)),
]


@pytest.mark.parametrize(("data", "expected"), BUTTONS_SENT_BEFORE, ids=lambda v: str(v)[:24])
def test_buttons_sent_before_the_enums_still_unpack(data: str, expected: CallbackData) -> None:
    """A button on a message sent before actions became StrEnums unpacks to the same action,
    and today's keyboards pack that action to exactly the same bytes."""
    assert type(expected).unpack(data) == expected
    assert expected.pack() == data


@pytest.mark.parametrize("instrument", INSTRUMENTS.values(), ids=list(INSTRUMENTS))
def test_every_question_step_fits_and_round_trips(instrument: Instrument) -> None:
    """Every button of every item packs to <= 64 bytes and unpacks to the same step."""
    for index in range(len(instrument.items) + 1):
        steps = [Step.answer(instrument.id, index, value) for value in instrument.option_values]
        steps += [Step(instrument.id, index, action) for action in Action if action != "a"]
        for step in steps:
            data = wkb.QuestionStep.of(step).pack()
            assert len(data.encode()) <= 64
            assert wkb.QuestionStep.unpack(data).step() == step


def test_a_question_step_has_the_documented_format() -> None:
    """'qz:<instrument>:<index>:<action><value>', the format questionnaire buttons always had."""
    assert wkb.QuestionStep.of(Step.answer("phq9", 3, 2)).pack() == "qz:phq9:3:a2"
    assert wkb.QuestionStep.of(Step("phq9", 3, Action.BACK)).pack() == "qz:phq9:3:b"
    assert wkb.QuestionStep.of(Step.answer("bigfive", 1, -1)).pack() == "qz:bigfive:1:a-1"


@pytest.mark.parametrize(
    "data",
    [
        "",
        "qz",
        "qz:phq9:1",
        "qz:phq9:1:",
        "qz:phq9:1:a",
        "qz:phq9:x:a1",
        "qz:PHQ9:1:a1",
        "mood:phq9:1:a1",
        "qz:phq9:1:z",
        "qz:phq9:1:s1",
        "qz:phq9:١:a1",
        "qz:phq9:-1:g",
        "qz:phq9:1:a--1",
        "qz:phq9:1:a1:extra",
        "qz::1:a1",
    ],
)
def test_malformed_question_steps_do_not_unpack(data: str) -> None:
    """Anything that is not a well-formed step fails to unpack, so no step handler runs."""
    with pytest.raises((TypeError, ValueError)):
        wkb.QuestionStep.unpack(data)


@pytest.mark.parametrize(
    ("family", "data"),
    [
        (AdminAction, "adm:reboot:"),
        (kb.SettingsAction, "set:everything"),
        (kb.PrivacyAction, "priv:wipe:0"),
        (kb.OnboardingLanguage, "onb:xx"),
        (wkb.MoodAction, "md:score:seven:"),
        (wkb.ReminderAction, "rem:later:"),
        (wkb.ForgetChoice, "forget:everything"),
    ],
)
def test_an_action_outside_its_enum_does_not_unpack(family: type[CallbackData], data: str) -> None:
    """An action no button carries fails to unpack instead of reaching a handler's else branch."""
    with pytest.raises((TypeError, ValueError)):
        family.unpack(data)
