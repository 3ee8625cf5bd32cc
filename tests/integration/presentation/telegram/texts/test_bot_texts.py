"""The bot's texts and keyboards fit Telegram: valid HTML, plain labels, every length limit."""

from __future__ import annotations

import string
from datetime import UTC, datetime

import pytest

from innertalk.domain.users import Language, Style
from innertalk.presentation.telegram import parse_telegram_html
from innertalk.presentation.telegram.commands import ADMIN_COMMANDS, COMMANDS, commands
from innertalk.presentation.telegram.keyboards import menus as keyboards
from innertalk.presentation.telegram.texts.bot import CATALOG, say
from innertalk.presentation.texts import catalog

PLAIN_PREFIXES = ("button_", "menu_", "language_", "style_", "alert_kind_", "cmd_", "bot_")
TRICKY = "<Tom & Jerry> 5 > 3"


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("language", list(Language))
def test_every_message_text_is_valid_telegram_html(language: Language) -> None:
    """Each text, with placeholders holding <, > and &, parses as strict Telegram HTML."""
    for key, template in catalog(CATALOG, language).items():
        if key.startswith(PLAIN_PREFIXES):
            continue
        html = say(language, key, **dict.fromkeys(_fields(template), TRICKY))
        parse_telegram_html(html, strict=True)


@pytest.mark.parametrize("language", list(Language))
def test_labels_are_plain_text_within_telegrams_limits(language: Language) -> None:
    """Buttons and command descriptions are shown verbatim: no markup, within their limits."""
    texts = catalog(CATALOG, language)
    for key, value in texts.items():
        if key.startswith(PLAIN_PREFIXES):
            assert not set(value) & set("<>&"), key
    assert len(texts["menu_placeholder"]) <= 64
    assert len(texts["bot_description"]) <= 512
    assert len(texts["bot_short_description"]) <= 120
    for command in commands(language, admin=True):
        assert 1 <= len(command.description) <= 256
    for key in ("rate_limited", "stale_button", "feedback_thanks"):  # callback answers
        assert len(texts[key]) <= 200


def test_every_command_is_described_in_every_language() -> None:
    """The command menu lists the issue's commands, and /health and /admin only for admins."""
    assert set(COMMANDS) == {
        "start", "help", "talk", "end", "mood", "progress", "tests", "portrait", "style",
        "settings", "language", "privacy", "export", "delete", "memory", "forget", "reminders",
        "private",
    }  # fmt: skip
    assert ADMIN_COMMANDS == ("health", "admin")
    for language in Language:
        assert [c.command for c in commands(language)] == list(COMMANDS)


@pytest.mark.parametrize("language", list(Language))
def test_every_keyboard_packs_within_64_bytes(language: Language) -> None:
    """All callback data fits Telegram's 64-byte limit (the longest time zone and turn ids)."""
    now = datetime(2026, 11, 25, tzinfo=UTC)
    markups = [
        keyboards.onboarding_languages(language),
        keyboards.consent(language),
        keyboards.styles(language, Style.BALANCED, onboarding=True),
        keyboards.settings(language),
        keyboards.languages(language),
        keyboards.timezones(language, "Europe/Moscow", now),
        keyboards.privacy(language),
        keyboards.confirm_delete(language, 4_102_444_800),
        keyboards.end_session(language),
        keyboards.feedback(language, "f" * 32, True),
    ]
    for markup in markups:
        for row in markup.inline_keyboard:
            for button in row:
                assert button.callback_data is not None
                assert 1 <= len(button.callback_data.encode()) <= 64
                assert button.text


def test_menu_buttons_are_recognized_in_both_languages() -> None:
    """A menu label typed (or tapped) in either language maps to its action."""
    for language in Language:
        menu = keyboards.main_menu(language)
        actions = [keyboards.menu_action(b.text) for row in menu.keyboard for b in row]
        assert actions == list(keyboards.MENU_ACTIONS)
    assert keyboards.menu_action("Talk") is None


WELLBEING_CATALOGS = ("wellbeing_bot", "diary", "portrait")


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("name", WELLBEING_CATALOGS)
def test_wellbeing_texts_are_valid_telegram_html(name: str, language: Language) -> None:
    """The wellbeing screens' texts, with tricky values filled in, parse as strict HTML;
    their button labels are plain text."""
    from innertalk.presentation.telegram.texts.wellbeing import say_in

    for key, template in catalog(name, language).items():
        if key.startswith(PLAIN_PREFIXES) or key.startswith(("tag_", "chart_")):
            assert not set(template) & set("<>&"), key
            continue
        html = say_in(name, language, key, **dict.fromkeys(_fields(template), TRICKY))
        parse_telegram_html(html, strict=True)


@pytest.mark.parametrize("language", list(Language))
def test_wellbeing_keyboards_pack_within_64_bytes(language: Language) -> None:
    """Diary, chart, tests, portrait, reminders and forget buttons fit 64 bytes."""
    from innertalk.domain.questionnaires import QuestionnaireRun, load_builtin_instruments
    from innertalk.presentation.telegram.keyboards import wellbeing as kb

    instruments = list(load_builtin_instruments().values())
    markups = [
        kb.mood_scores(),
        kb.mood_tags(language, 10, ["overwhelmed"]),
        kb.mood_note(language, 10),
        kb.chart_periods(language),
        kb.instruments(language, instruments),
        kb.reminder_settings(language, True),
        kb.reminder(language),
        kb.forget(language),
        kb.portrait_pages(language, "f" * 32, 1, 3),
    ]
    for instrument in instruments:
        markups.append(kb.test_start(language, instrument, True))
        run = QuestionnaireRun.start(instrument).answer(instrument.min_value)
        markups.append(kb.question(language, run))
    for markup in markups:
        assert markup is not None
        for row in markup.inline_keyboard:
            for button in row:
                assert button.callback_data is not None
                assert 1 <= len(button.callback_data.encode()) <= 64


@pytest.mark.parametrize("language", list(Language))
def test_memory_shows_the_neutral_line_for_a_withheld_summary(language: Language) -> None:
    """/memory renders ``Memory.summary_withheld`` as the catalog's neutral summary line."""
    from innertalk.application.conversation.memory import Memory
    from innertalk.domain.users import Profile, UserKey
    from innertalk.presentation.reply_words import withheld_summary
    from innertalk.presentation.telegram.routers.memory import memory_text

    moment = datetime(2025, 1, 1, tzinfo=UTC)
    profile = Profile(UserKey("bot", 1), moment, moment, language=language)
    shown = memory_text(Memory(profile, None, (), summary_withheld=True), profile)
    assert withheld_summary(language) in shown
    empty = memory_text(Memory(profile, None, ()), profile)
    assert withheld_summary(language) not in empty
