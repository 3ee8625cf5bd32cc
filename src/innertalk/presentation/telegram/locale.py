"""The bot's words: texts from ``locales/<language>/bot.toml``, ready to send as Telegram HTML.

``say`` escapes every value filled into a text, so a name like ``<Tom & Jerry>`` can never break
the message; ``label`` reads button labels, which Telegram shows verbatim (no HTML at all).
"""

from __future__ import annotations

import html
from datetime import datetime

from innertalk.domain.sessions import zone
from innertalk.domain.users import Language, Style
from innertalk.presentation.telegram.render import to_plain_text
from innertalk.presentation.texts import catalog

CATALOG = "bot"


def say(language: Language, key: str, **fields: object) -> str:
    """The text ``key`` as Telegram HTML, with ``fields`` HTML-escaped into its placeholders."""
    template = catalog(CATALOG, language)[key]
    if not fields:
        return template
    return template.format(
        **{name: html.escape(str(value), quote=False) for name, value in fields.items()}
    )


def label(language: Language, key: str) -> str:
    """A button label or command description (plain text)."""
    return catalog(CATALOG, language)[key]


def labels(key: str) -> dict[str, Language]:
    """The label ``key`` in every language, mapped to its language (for matching typed buttons)."""
    return {catalog(CATALOG, language)[key]: language for language in Language}


def has_text(language: Language, key: str) -> bool:
    return key in catalog(CATALOG, language)


def language_of(code: str | None) -> Language:
    """The language to greet a new person in, from their Telegram app's ``language_code``."""
    return Language.RU if (code or "").lower().startswith("ru") else Language.EN


def language_name(language: Language) -> str:
    return label(language, f"language_{language.value}")


def style_name(language: Language, style: Style) -> str:
    return label(language, f"style_{style.value}")


def local_time(moment: datetime, timezone: str) -> str:
    """``moment`` as ``HH:MM`` on the clock of ``timezone``."""
    return moment.astimezone(zone(timezone)).strftime("%H:%M")


def duration(language: Language, seconds: float) -> str:
    """``5 h 20 min`` / ``5 ч 20 мин``, rounded up to a whole minute."""
    minutes = max(0, int(-(-seconds // 60)))
    return say(language, "duration", hours=minutes // 60, minutes=minutes % 60)


def plain(language: Language, key: str, **fields: object) -> str:
    """The text ``key`` without formatting, for places that show plain text (button alerts)."""
    return to_plain_text(say(language, key, **fields))
