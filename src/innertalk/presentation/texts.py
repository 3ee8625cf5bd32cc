"""The text service: every user-visible word, from ``innertalk/locales/<language>/<catalog>.toml``.

One lookup, one fallback rule, one interpolation rule, for every entry point:

- **Lookup**: a text is named by its catalog (``Catalog``), the reader's language and its key.
- **Fallback**: a key the language's catalog lacks is read from English (``FALLBACK``); a key
  English lacks too is a programming error (``KeyError``).
  ``tests/integration/presentation/test_texts.py`` keeps both languages complete, so the fallback
  only guards a catalog edited in a hurry.
- **Interpolation**: ``{name}`` placeholders are filled with ``str.format`` when fields are
  given (a text asked for without fields is returned as written). ``text`` fills values as they
  are (plain text: the console, button labels, files); ``html`` escapes every value that is not
  ``Markup``, so a name like ``<Tom & Jerry>`` can never break a Telegram message.

Times and days are shown here too (``local_time``, ``day_text``), so every screen writes them
the same way.
"""

from __future__ import annotations

import html as html_escaping
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from innertalk.domain.sessions import zone
from innertalk.domain.users import Language

FALLBACK = Language.EN
"""The language a missing text is read from."""


class Catalog(StrEnum):
    """The catalogs: one ``<name>.toml`` per language under ``innertalk/locales/``."""

    ADMIN = "admin"
    BOT = "bot"
    CONSOLE = "console"
    DIARY = "diary"
    EXPORT = "export"
    PANEL_ANALYTICS = "panel_analytics"
    PANEL_MAILING = "panel_mailing"
    PANEL_PROVIDERS = "panel_providers"
    PORTRAIT = "portrait"
    REPLY = "reply"
    SAFETY = "safety"
    WELLBEING = "wellbeing_bot"


class Markup(str):
    """Text that already is HTML (built from escaped parts): ``html`` fills it in as it is."""

    __slots__ = ()


@cache
def catalog(name: str, language: Language) -> Mapping[str, str]:
    """Every text of catalog ``name`` as written in ``language`` (no fallback)."""
    source = resources.files("innertalk.locales").joinpath(language.value, f"{name}.toml")
    data: dict[str, Any] = tomllib.loads(source.read_text(encoding="utf-8"))
    return {key: str(value) for key, value in data.items()}


def has_text(name: str, language: Language, key: str, /) -> bool:
    """Whether ``key`` exists (in ``language`` or in the fallback language)."""
    return key in catalog(name, language) or key in catalog(name, FALLBACK)


def template(name: str, language: Language, key: str, /) -> str:
    """The text ``key`` as written, in ``language`` or else in ``FALLBACK``."""
    texts = catalog(name, language)
    if key in texts:
        return texts[key]
    return catalog(name, FALLBACK)[key]


def text(name: str, language: Language, key: str, /, **fields: object) -> str:
    """The text ``key`` with ``fields`` filled in as they are (plain text)."""
    written = template(name, language, key)
    return written.format(**fields) if fields else written


def html(name: str, language: Language, key: str, /, **fields: object) -> str:
    """The text ``key`` as HTML: every field HTML-escaped unless it is ``Markup``."""
    escaped = {
        field: value if isinstance(value, Markup) else html_escaping.escape(str(value), False)
        for field, value in fields.items()
    }
    return text(name, language, key, **escaped)


def each_language(name: str, key: str, /) -> dict[str, Language]:
    """The text ``key`` in every language, mapped to its language (to match typed buttons)."""
    return {template(name, language, key): language for language in Language}


@dataclass(frozen=True, slots=True)
class Texts:
    """The service bound to one catalog, for modules that read mostly one (``Texts(BOT).html``)."""

    name: Catalog

    def text(self, language: Language, key: str, /, **fields: object) -> str:
        return text(self.name, language, key, **fields)

    def html(self, language: Language, key: str, /, **fields: object) -> str:
        return html(self.name, language, key, **fields)

    def has(self, language: Language, key: str, /) -> bool:
        return has_text(self.name, language, key)

    def each_language(self, key: str, /) -> dict[str, Language]:
        return each_language(self.name, key)


def local_time(moment: datetime, timezone: str) -> str:
    """``moment`` as ``HH:MM`` on the clock of ``timezone``."""
    return moment.astimezone(zone(timezone)).strftime("%H:%M")


def day_text(language: Language, day: date) -> str:
    """``31.12.2025`` / ``Dec 31, 2025``."""
    return day.strftime("%d.%m.%Y" if language is Language.RU else "%b %d, %Y")


def local_day_text(language: Language, moment: datetime, timezone: str) -> str:
    """The day of ``moment`` on the calendar of ``timezone``, as ``day_text`` writes it."""
    return day_text(language, moment.astimezone(zone(timezone)).date())
