""" "Choose your country" under a crisis notice: the button, the country list, their callbacks.

The callback carries the signal's category, severity and whose crisis it is (never any words),
so choosing a country rebuilds the same notice with that country's hotlines; nothing is stored.
"""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from innertalk.application.safety import SafetyNotice
from innertalk.domain.safety import CrisisCategory, CrisisSignal, Severity
from innertalk.domain.users import Language
from innertalk.presentation.telegram.texts.bot import has_text, label

INTERNATIONAL = "INT"
"""The "another country" choice: the international directories."""
LIST = "?"
"""Opens the country list; the country shown follows it (``?RU``, ``?INT``) to be checked."""
FLAGS = {"RU": "🇷🇺", "UA": "🇺🇦", "BY": "🇧🇾", "KZ": "🇰🇿", "US": "🇺🇸", "GB": "🇬🇧"}


class HotlineCountry(CallbackData, prefix="hl"):
    category: str
    severity: str
    other: bool
    country: str

    def signal(self) -> CrisisSignal:
        """The signal the notice was about (unknown values fall back to the general notice)."""
        try:
            category, severity = CrisisCategory(self.category), Severity(self.severity)
        except ValueError:
            category, severity = CrisisCategory.SUICIDAL_IDEATION, Severity.CONCERN
        return CrisisSignal(category, severity, about_other=self.other)


def _data(notice: SafetyNotice, country: str) -> HotlineCountry:
    signal = notice.signal
    return HotlineCountry(
        category=signal.category.value,
        severity=signal.severity.value,
        other=signal.about_other,
        country=country,
    )


def country_name(language: Language, code: str) -> str:
    """``🇷🇺 Россия``; a country only an operator's hotline file knows is shown by its code."""
    if code == INTERNATIONAL:
        return label(language, "hotline_country_other")
    key = f"country_{code.lower()}"
    if not has_text(language, key):
        return code
    return f"{FLAGS.get(code, '')} {label(language, key)}".strip()


def choose_country(notice: SafetyNotice) -> InlineKeyboardMarkup:
    """The one button under a notice: open the list of countries."""
    text = label(notice.language, "hotline_choose_country")
    return _markup([[(text, _data(notice, LIST + (notice.country or INTERNATIONAL)))]])


def countries(notice: SafetyNotice, available: Iterable[str], shown: str) -> InlineKeyboardMarkup:
    """Every country with hotlines, two a row, ``shown`` checked, then "another country"."""
    buttons = [
        (("✓ " if code == shown else "") + country_name(notice.language, code), code)
        for code in [*available, INTERNATIONAL]
    ]
    rows = [buttons[index : index + 2] for index in range(0, len(buttons), 2)]
    return _markup([[(text, _data(notice, code)) for text, code in row] for row in rows])


def _markup(rows: list[list[tuple[str, HotlineCountry]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data.pack()) for text, data in row]
            for row in rows
        ]
    )
