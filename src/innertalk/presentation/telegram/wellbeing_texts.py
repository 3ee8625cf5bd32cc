"""Texts of the wellbeing screens, from the ``wellbeing_bot``, ``diary``, ``portrait`` and
``safety`` catalogs, ready to send as Telegram HTML (every filled-in value is escaped)."""

from __future__ import annotations

import html
from datetime import date, datetime

from innertalk.domain.sessions import zone
from innertalk.domain.users import Language
from innertalk.presentation.texts import catalog

WELLBEING = "wellbeing_bot"
DIARY = "diary"
PORTRAIT = "portrait"
SAFETY = "safety"


def say_in(name: str, language: Language, key: str, /, **fields: object) -> str:
    """The text ``key`` of catalog ``name`` as HTML, with ``fields`` escaped into it."""
    template = catalog(name, language)[key]
    if not fields:
        return template
    return template.format(**{k: html.escape(str(v), quote=False) for k, v in fields.items()})


def html_in(name: str, language: Language, key: str, /, **fields: str) -> str:
    """Like ``say_in``, but ``fields`` are already HTML (built from escaped parts)."""
    return catalog(name, language)[key].format(**fields)


def label_in(name: str, language: Language, key: str) -> str:
    """A button label (plain text)."""
    return catalog(name, language)[key]


def say(language: Language, key: str, /, **fields: object) -> str:
    return say_in(WELLBEING, language, key, **fields)


def label(language: Language, key: str) -> str:
    return label_in(WELLBEING, language, key)


def portrait_labels(language: Language) -> dict[str, str]:
    """The structured portrait's words: the diary catalog, then the portrait one on top."""
    return {**catalog(DIARY, language), **catalog(PORTRAIT, language)}


def day_text(language: Language, day: date) -> str:
    return day.strftime("%d.%m.%Y" if language is Language.RU else "%b %d, %Y")


def local_day_text(language: Language, moment: datetime, timezone: str) -> str:
    return day_text(language, moment.astimezone(zone(timezone)).date())


def local_clock(moment: datetime, timezone: str) -> str:
    return moment.astimezone(zone(timezone)).strftime("%H:%M")


def plain_text(html_text: str) -> str:
    """HTML as the plain text a button alert shows."""
    from innertalk.presentation.telegram.render import to_plain_text

    return to_plain_text(html_text)
