"""Templates and words of the panel: jinja2 with autoescaping, texts from every
``locales/<language>/panel*.toml`` (the shell's ``panel.toml`` and each part's own file).

A key missing in Russian is read from English; a key missing everywhere is shown as itself,
so a page merged without its words still renders (``tests`` keep the catalogs complete).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from innertalk.domain.users import Language
from innertalk.presentation.texts import FALLBACK

SUPPORTED = (Language.EN, Language.RU)


@cache
def panel_texts(language: Language) -> Mapping[str, str]:
    """Every panel text in ``language`` (all ``panel*.toml`` files merged)."""
    folder = resources.files("innertalk.locales").joinpath(language.value)
    merged: dict[str, str] = {}
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.name.startswith("panel") and entry.name.endswith(".toml"):
            data: dict[str, Any] = tomllib.loads(entry.read_text(encoding="utf-8"))
            merged.update({key: str(value) for key, value in data.items()})
    return merged


def words(language: Language) -> Callable[..., str]:
    """``t(key, **fields)`` for templates: the text in ``language``, fields filled in (the
    template's autoescaping escapes the result)."""
    own, fallback = panel_texts(language), panel_texts(FALLBACK)

    def t(key: str, /, **fields: object) -> str:
        written = own.get(key) or fallback.get(key) or key
        return written.format(**fields) if fields else written

    return t


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("innertalk.presentation.panel", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, language: Language, **context: object) -> Markup:
    """Template ``name`` (under ``templates/``) with the language's ``t``."""
    template = environment().get_template(name)
    rendered = template.render(t=words(language), language=language.value, **context)
    return Markup(rendered)  # noqa: S704 - autoescaped by the template


def accepted_language(header: str) -> Language:
    """The first supported language of an ``Accept-Language`` header; English otherwise."""
    for part in header.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        for language in SUPPORTED:
            if code == language.value:
                return language
    return FALLBACK
