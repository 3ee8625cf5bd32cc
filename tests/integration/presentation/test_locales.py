"""Locale catalogs: every language has every text, with the same placeholders."""

from __future__ import annotations

import string
from importlib import resources

import pytest

from innertalk.domain.users import Language
from innertalk.presentation.texts import catalog

CATALOGS = sorted(
    entry.name.removesuffix(".toml")
    for entry in resources.files("innertalk.locales").joinpath("en").iterdir()
    if entry.name.endswith(".toml")
)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("name", CATALOGS)
def test_languages_have_the_same_texts_and_placeholders(name: str) -> None:
    """A text missing in one language, or a placeholder only one language fills, fails here."""
    english = catalog(name, Language.EN)
    russian = catalog(name, Language.RU)
    assert set(english) == set(russian)
    for key, template in english.items():
        assert _fields(template) == _fields(russian[key]), key
        assert template.strip(), key
        assert russian[key].strip(), key


def test_there_is_at_least_one_catalog() -> None:
    """The catalog discovery above finds the console texts."""
    assert "console" in CATALOGS
