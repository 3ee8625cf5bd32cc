"""The bot's words (``locales/<language>/bot.toml``) through the text service, ready to send as
Telegram HTML.

``say`` escapes every value filled into a text, so a name like ``<Tom & Jerry>`` can never break
the message; ``label`` reads button labels, which Telegram shows verbatim (no HTML at all).
"""

from __future__ import annotations

from innertalk.domain.users import Language, Style
from innertalk.presentation.telegram.render.markdown import to_plain_text
from innertalk.presentation.texts import Catalog, Texts, local_time

__all__ = [
    "CATALOG",
    "duration",
    "has_text",
    "known_language",
    "label",
    "labels",
    "language_name",
    "language_of",
    "local_time",
    "plain",
    "say",
    "style_name",
]

CATALOG = Catalog.BOT
BOT = Texts(CATALOG)

say = BOT.html
"""The text ``key`` as Telegram HTML, with ``fields`` HTML-escaped into its placeholders."""
label = BOT.text
"""A button label or command description (plain text)."""
labels = BOT.each_language
"""The label ``key`` in every language, mapped to its language (for matching typed buttons)."""
has_text = BOT.has


def language_of(code: str | None) -> Language:
    """The language to greet a new person in, from their Telegram app's ``language_code``."""
    return known_language(code) or Language.EN


def known_language(code: str | None) -> Language | None:
    """The language of a Telegram ``language_code`` we speak; ``None`` for any other (then
    the person's tenant's default language applies)."""
    code = (code or "").lower()
    return next((language for language in Language if code.startswith(language.value)), None)


def language_name(language: Language) -> str:
    return label(language, f"language_{language.value}")


def style_name(language: Language, style: Style) -> str:
    return label(language, f"style_{style.value}")


def duration(language: Language, seconds: float) -> str:
    """``5 h 20 min`` / ``5 ч 20 мин``, rounded up to a whole minute."""
    minutes = max(0, int(-(-seconds // 60)))
    return say(language, "duration", hours=minutes // 60, minutes=minutes % 60)


def plain(language: Language, key: str, **fields: object) -> str:
    """The text ``key`` without formatting, for places that show plain text (button alerts)."""
    return to_plain_text(say(language, key, **fields))
