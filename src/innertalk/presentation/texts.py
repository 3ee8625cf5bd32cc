"""User-visible texts, kept in ``innertalk/locales/<language>/<catalog>.toml``."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

from innertalk.domain.users import Language


@cache
def catalog(name: str, language: Language) -> dict[str, str]:
    """Every text of catalog ``name`` in ``language``."""
    source = resources.files("innertalk.locales").joinpath(language.value, f"{name}.toml")
    data: dict[str, Any] = tomllib.loads(source.read_text(encoding="utf-8"))
    return {key: str(value) for key, value in data.items()}


def text(name: str, language: Language, key: str, **fields: object) -> str:
    """One text, with ``fields`` filled into its ``{placeholders}``."""
    template = catalog(name, language)[key]
    return template.format(**fields) if fields else template
