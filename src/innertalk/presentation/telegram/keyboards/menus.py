"""Keyboards and the callback data behind their buttons (each packs to at most 64 bytes).

A family's closed set of actions is a StrEnum whose values are the strings buttons always
carried, so a button sent before a release still unpacks after it.

The main menu is a persistent reply keyboard (big buttons, always under the input field on a
phone); choices inside a screen are inline buttons.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from innertalk.domain.users import Language, Style
from innertalk.presentation.telegram.keyboards.timezones import COMMON_ZONES, utc_offset
from innertalk.presentation.telegram.texts.bot import label, labels, language_name, style_name


class OnboardingLanguage(CallbackData, prefix="onb"):
    code: Language


class Consent(CallbackData, prefix="consent"):
    code: Language
    """The language chosen while reading the explanation the person agreed to."""


class StyleChoice(CallbackData, prefix="style"):
    value: Style
    onboarding: bool = False


class SettingsButton(StrEnum):
    LANGUAGE = "language"
    TIMEZONE = "timezone"
    REMINDERS = "reminders"
    PRIVACY = "privacy"
    CANCEL = "cancel"


class SettingsAction(CallbackData, prefix="set"):
    action: SettingsButton


class LanguageChoice(CallbackData, prefix="lang"):
    code: Language


class TimezoneChoice(CallbackData, prefix="tz"):
    name: str


class PrivacyButton(StrEnum):
    EXPORT = "export"
    DELETE = "delete"
    """Asks for a confirmation."""
    ERASE = "erase"
    """The confirmation."""
    KEEP = "keep"


class PrivacyAction(CallbackData, prefix="priv"):
    action: PrivacyButton
    issued: int = 0
    """When the confirmation was offered (Unix time); old confirmations expire."""


class TalkButton(StrEnum):
    END = "end"


class TalkAction(CallbackData, prefix="talk"):
    action: TalkButton


class FeedbackVote(CallbackData, prefix="fb"):
    turn: str
    helpful: bool


MENU = (
    ("talk", "end"),
    ("diary", "progress", "tests"),
    ("portrait", "style", "settings"),
    ("about", "help"),
)
"""The main menu's rows of actions; each button's label is ``menu_<action>``."""
MENU_ACTIONS = tuple(action for row in MENU for action in row)


def menu_action(typed: str) -> str | None:
    """The menu action whose label (in any language) is exactly ``typed``."""
    for row in MENU:
        for action in row:
            if typed in labels(f"menu_{action}"):
                return action
    return None


def main_menu(language: Language) -> ReplyKeyboardMarkup:
    rows = [
        [KeyboardButton(text=label(language, f"menu_{action}")) for action in row] for row in MENU
    ]
    return ReplyKeyboardMarkup(
        keyboard=rows,
        resize_keyboard=True,
        is_persistent=True,
        input_field_placeholder=label(language, "menu_placeholder"),
    )


def _inline(rows: Iterable[Iterable[tuple[str, CallbackData]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data.pack()) for text, data in row]
            for row in rows
        ]
    )


def _checked(text: str, chosen: bool) -> str:
    return f"✓ {text}" if chosen else text


def onboarding_languages(preselected: Language) -> InlineKeyboardMarkup:
    return _inline(
        [
            [
                (_checked(language_name(language), language is preselected),
                 OnboardingLanguage(code=language))
                for language in (Language.RU, Language.EN)
            ]
        ]
    )  # fmt: skip


def consent(language: Language) -> InlineKeyboardMarkup:
    other = Language.EN if language is Language.RU else Language.RU
    return _inline(
        [
            [(label(language, "button_consent"), Consent(code=language))],
            [(label(language, "button_language"), OnboardingLanguage(code=other))],
        ]
    )


def styles(language: Language, current: Style | None, *, onboarding: bool) -> InlineKeyboardMarkup:
    return _inline(
        [
            [(_checked(style_name(language, style), style is current),
              StyleChoice(value=style, onboarding=onboarding))]
            for style in (Style.EMPATHY, Style.ACTION, Style.BALANCED)
        ]
    )  # fmt: skip


def settings(language: Language) -> InlineKeyboardMarkup:
    def button(action: SettingsButton) -> tuple[str, CallbackData]:
        return label(language, f"button_settings_{action}"), SettingsAction(action=action)

    return _inline(
        [
            [button(SettingsButton.LANGUAGE), button(SettingsButton.TIMEZONE)],
            [button(SettingsButton.REMINDERS), button(SettingsButton.PRIVACY)],
        ]
    )


def languages(current: Language) -> InlineKeyboardMarkup:
    return _inline(
        [
            [
                (_checked(language_name(language), language is current),
                 LanguageChoice(code=language))
                for language in (Language.RU, Language.EN)
            ]
        ]
    )  # fmt: skip


def timezones(language: Language, current: str, now: datetime) -> InlineKeyboardMarkup:
    buttons: list[tuple[str, CallbackData]] = [
        (_checked(f"{name} · {utc_offset(name, now)}", name == current), TimezoneChoice(name=name))
        for name in COMMON_ZONES
    ]
    rows = [buttons[index : index + 2] for index in range(0, len(buttons), 2)]
    rows.append([(label(language, "button_cancel"), SettingsAction(action=SettingsButton.CANCEL))])
    return _inline(rows)


def privacy(language: Language) -> InlineKeyboardMarkup:
    return _inline(
        [
            [(label(language, "button_export"), PrivacyAction(action=PrivacyButton.EXPORT))],
            [(label(language, "button_delete"), PrivacyAction(action=PrivacyButton.DELETE))],
        ]
    )


def confirm_delete(language: Language, issued: int) -> InlineKeyboardMarkup:
    return _inline(
        [
            [
                (
                    label(language, "button_delete_confirm"),
                    PrivacyAction(action=PrivacyButton.ERASE, issued=issued),
                )
            ],
            [(label(language, "button_cancel"), PrivacyAction(action=PrivacyButton.KEEP))],
        ]
    )


def end_session(language: Language) -> InlineKeyboardMarkup:
    return _inline([[(label(language, "button_end_session"), TalkAction(action=TalkButton.END))]])


def feedback(language: Language, turn_id: str, chosen: bool | None = None) -> InlineKeyboardMarkup:
    return _inline(
        [
            [
                (_checked(label(language, "button_helpful"), chosen is True),
                 FeedbackVote(turn=turn_id, helpful=True)),
                (_checked(label(language, "button_unhelpful"), chosen is False),
                 FeedbackVote(turn=turn_id, helpful=False)),
            ]
        ]
    )  # fmt: skip


def private_chat(language: Language, bot_username: str) -> InlineKeyboardMarkup:
    url = f"https://t.me/{bot_username}?start=group"
    button = InlineKeyboardButton(text=label(language, "button_open_private"), url=url)
    return InlineKeyboardMarkup(inline_keyboard=[[button]])
