"""Where to send a person in crisis: hotlines per country, an operator's overrides, a fallback.

The rules here are pure; reading an operator's file is ``infrastructure.hotlines``.

- ``hotlines_for(country, language)`` gives the lines of the person's country (ISO 3166-1
  alpha-2; "UK" is read as "GB"), filtered to those serving the crisis category: the
  emergency number first, then lines dedicated to the category (an abuse helpline for
  abuse), then the rest; lines that state their languages and lack the person's come last.
  An unknown or missing country gets the international fallback: the local emergency number
  and worldwide directories. Nobody is ever left with an empty list.
- An operator's file (``parse_hotlines``) lists lines per country and/or international ones.
  ``merge_hotlines`` lets each country listed there replace that country's built-in list
  whole (a half-merged list could keep a number the operator knows is wrong); unlisted
  countries keep the defaults. ``replace = true`` drops every built-in country. The
  international fallback is replaced only by a non-empty one.
- A contact that is or holds a web address must use ``https://`` with a plain host (no
  ``user@``): the Telegram notice makes it a link, and a link shown to a person in crisis must
  lead where it says. ``http://``, ``tg://``, ``mailto:``, ``javascript:`` and the like are
  refused when the file is parsed.
- The country is rarely known; ``country_from_timezone`` guesses it from the person's time
  zone, which InnerTalk already asks for.

File format (TOML shown; JSON has the same shape)::

    replace = false                      # optional
    [[countries.RU]]
    name = { en = "Emergency services", ru = "Экстренные службы" }   # or one string
    contact = "112"
    kind = "emergency"                   # emergency | crisis | youth | abuse | directory
    note = { en = "free, 24/7", ru = "бесплатно, круглосуточно" }    # optional
    categories = ["acute_danger"]        # optional; default: every category
    languages = ["ru"]                   # optional; languages the line answers in
    [[international]]
    name = "Find A Helpline"
    contact = "https://findahelpline.com"  # a web address must be https://
    kind = "directory"
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from urllib.parse import urlsplit

from innertalk.domain.safety.hotline_defaults import DEFAULT_DATA
from innertalk.domain.safety.signals import CrisisCategory
from innertalk.domain.users import Language


class HotlineKind(StrEnum):
    EMERGENCY = "emergency"
    CRISIS = "crisis"
    YOUTH = "youth"
    ABUSE = "abuse"
    DIRECTORY = "directory"


class HotlineFormatError(ValueError):
    """An operator's hotline data is not in the documented shape."""


@dataclass(frozen=True, slots=True)
class Localized:
    """A short text in English and, optionally, Russian (English stands in when missing)."""

    en: str
    ru: str = ""

    def text(self, language: Language) -> str:
        return self.ru if language is Language.RU and self.ru else self.en


@dataclass(frozen=True, slots=True)
class Hotline:
    """One place to turn to; empty ``categories`` means it serves every category."""

    name: Localized
    contact: str
    kind: HotlineKind
    note: Localized | None = None
    categories: frozenset[CrisisCategory] = frozenset()
    languages: frozenset[str] = frozenset()

    def serves(self, category: CrisisCategory | None) -> bool:
        return category is None or not self.categories or category in self.categories


@dataclass(frozen=True, slots=True)
class HotlineDirectory:
    """Hotlines by country code, the international fallback, and whether this directory,
    merged onto another, replaces that one's countries entirely."""

    countries: Mapping[str, tuple[Hotline, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    international: tuple[Hotline, ...] = ()
    replace: bool = False


_ALIASES = {"UK": "GB"}


def country_code(country: str | None) -> str | None:
    """``country`` as an upper-case ISO 3166-1 alpha-2 code ("uk" → "GB"), or ``None``."""
    if not country or not country.strip():
        return None
    code = country.strip().upper()
    return _ALIASES.get(code, code)


def hotlines_for(
    country: str | None,
    language: Language,
    *,
    category: CrisisCategory | None = None,
    directory: HotlineDirectory | None = None,
) -> list[Hotline]:
    """The hotlines to show a person in ``country`` speaking ``language`` (see module doc)."""
    source = directory if directory is not None else DEFAULT_HOTLINES
    code = country_code(country)
    local = [line for line in source.countries.get(code or "", ()) if line.serves(category)]
    chosen = local or [line for line in source.international if line.serves(category)]
    if not chosen:
        chosen = list(source.international or DEFAULT_HOTLINES.international)
    return sorted(chosen, key=lambda line: _rank(line, language, category))


def _rank(line: Hotline, language: Language, category: CrisisCategory | None) -> tuple[bool, ...]:
    """Emergency numbers first, then lines dedicated to the category, then the rest; lines
    that cannot speak the person's language last within each (a stable sort keeps the data
    order otherwise)."""
    return (
        line.kind is not HotlineKind.EMERGENCY,
        category is None or category not in line.categories,
        bool(line.languages) and language not in line.languages,
    )


def merge_hotlines(base: HotlineDirectory, override: HotlineDirectory) -> HotlineDirectory:
    """``base`` with ``override`` applied (the rule is in the module docstring)."""
    countries = {} if override.replace else dict(base.countries)
    countries.update(override.countries)
    return HotlineDirectory(
        countries=MappingProxyType(countries),
        international=override.international or base.international,
    )


def parse_hotlines(data: Mapping[str, object]) -> HotlineDirectory:
    """A directory from decoded file data; raises ``HotlineFormatError`` naming the problem."""
    unknown = set(data) - {"replace", "countries", "international"}
    if unknown:
        raise HotlineFormatError(f"unknown top-level keys: {sorted(unknown)}")
    replace = data.get("replace", False)
    if not isinstance(replace, bool):
        raise HotlineFormatError("'replace' must be true or false")
    countries = data.get("countries", {})
    if not isinstance(countries, Mapping):
        raise HotlineFormatError("'countries' must map country codes to lists of hotlines")
    parsed: dict[str, tuple[Hotline, ...]] = {}
    for country, lines in countries.items():
        code = country_code(str(country))
        if code is None or len(code) != 2 or not code.isalpha():
            raise HotlineFormatError(f"not a two-letter country code: {country!r}")
        parsed[code] = _lines(lines, f"countries.{code}")
    international = _lines(data.get("international", []), "international")
    return HotlineDirectory(MappingProxyType(parsed), international, replace)


def _lines(items: object, where: str) -> tuple[Hotline, ...]:
    if not isinstance(items, Sequence) or isinstance(items, str):
        raise HotlineFormatError(f"{where} must be a list of hotlines")
    return tuple(_line(item, f"{where}[{index}]") for index, item in enumerate(items))


def _line(item: object, where: str) -> Hotline:
    if not isinstance(item, Mapping):
        raise HotlineFormatError(f"{where} must be a table of fields")
    unknown = set(item) - {"name", "contact", "kind", "note", "categories", "languages"}
    if unknown:
        raise HotlineFormatError(f"{where}: unknown fields {sorted(unknown)}")
    contact = item.get("contact")
    if not isinstance(contact, str) or not contact.strip():
        raise HotlineFormatError(f"{where}: 'contact' must be a non-empty string")
    _check_addresses(contact, where)
    try:
        kind = HotlineKind(item.get("kind", HotlineKind.CRISIS.value))
        categories = frozenset(CrisisCategory(value) for value in _strings(item, "categories"))
    except ValueError as error:
        raise HotlineFormatError(f"{where}: {error}") from None
    note = item.get("note")
    return Hotline(
        name=_localized(item.get("name"), f"{where}.name"),
        contact=contact.strip(),
        kind=kind,
        note=None if note is None else _localized(note, f"{where}.note"),
        categories=categories,
        languages=frozenset(value.lower() for value in _strings(item, "languages")),
    )


_ADDRESS = re.compile(
    r"(?<![a-z0-9+.-])(?P<scheme>[a-z][a-z0-9+.-]*)://"
    r"|\b(?P<bare>javascript|vbscript|data|mailto|tg|file):(?=\S)",
    re.IGNORECASE,
)


def _check_addresses(contact: str, where: str) -> None:
    """Every web address in ``contact`` is https with a plain host (see the module doc)."""
    for match in _ADDRESS.finditer(contact):
        scheme = (match["scheme"] or match["bare"]).lower()
        if scheme != "https":
            raise HotlineFormatError(
                f"{where}: 'contact' may only hold https:// addresses, not {scheme}: ones"
            )
        address = urlsplit(contact[match.start() :].split()[0])
        if not address.hostname or "@" in address.netloc or "\\" in address.netloc:
            raise HotlineFormatError(
                f"{where}: 'contact' has an https:// address without a plain host name"
            )


def _localized(value: object, where: str) -> Localized:
    if isinstance(value, str) and value.strip():
        return Localized(value.strip())
    if isinstance(value, Mapping) and isinstance(value.get("en"), str) and value["en"].strip():
        ru = value.get("ru", "")
        if not isinstance(ru, str) or set(value) - {"en", "ru"}:
            raise HotlineFormatError(f"{where}: only 'en' and 'ru' texts are supported")
        return Localized(value["en"].strip(), ru.strip())
    raise HotlineFormatError(f"{where} must be a string or a table with an 'en' text")


def _strings(item: Mapping[str, object], key: str) -> list[str]:
    values = item.get(key, [])
    if not isinstance(values, Sequence) or isinstance(values, str):
        raise ValueError(f"'{key}' must be a list of strings")
    if not all(isinstance(value, str) for value in values):
        raise ValueError(f"'{key}' must be a list of strings")
    return [str(value) for value in values]


DEFAULT_HOTLINES = parse_hotlines(DEFAULT_DATA)
"""The built-in directory (``hotline_defaults``), parsed by the same rules as a file."""
