"""The bot's texts and keyboards fit Telegram: valid HTML, plain labels, every length limit."""

from __future__ import annotations

import string
from datetime import UTC, datetime

import pytest

from innertalk.domain.users import Language, Style
from innertalk.presentation.telegram import keyboards, parse_telegram_html
from innertalk.presentation.telegram.commands import ADMIN_COMMANDS, COMMANDS, commands
from innertalk.presentation.telegram.locale import CATALOG, say
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
    """The command menu lists the issue's commands, and /health only for admins."""
    assert set(COMMANDS) == {
        "start", "help", "talk", "end", "mood", "progress", "tests", "portrait", "style",
        "settings", "language", "privacy", "export", "delete",
    }  # fmt: skip
    assert ADMIN_COMMANDS == ("health",)
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
