"""The text service: one lookup, one fallback rule, one interpolation rule for every catalog."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from importlib import resources

import pytest

from innertalk.domain.users import Language
from innertalk.presentation import texts
from innertalk.presentation.texts import (
    Catalog,
    Markup,
    Texts,
    day_text,
    each_language,
    has_text,
    html,
    local_time,
    text,
)

FAKE = {
    Language.EN: {"greet": "Hello, {name}!", "only_en": "English only", "braces": "a {b} c"},
    Language.RU: {"greet": "Привет, {name}!"},
}


@pytest.fixture
def fake_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    """A catalog whose Russian lacks a key, in place of the files."""

    def catalog(name: str, language: Language) -> Mapping[str, str]:
        return FAKE[language]

    monkeypatch.setattr(texts, "catalog", catalog)


@pytest.mark.usefixtures("fake_catalog")
def test_a_text_missing_in_a_language_is_read_from_english() -> None:
    """The fallback rule: a key Russian lacks comes from English, not a KeyError."""
    assert text("any", Language.RU, "only_en") == "English only"
    assert has_text("any", Language.RU, "only_en")
    assert text("any", Language.RU, "greet", name="Аня") == "Привет, Аня!"


@pytest.mark.usefixtures("fake_catalog")
def test_a_text_missing_everywhere_is_an_error() -> None:
    """A key English lacks too is a programming error, never an empty message."""
    assert not has_text("any", Language.EN, "nowhere")
    with pytest.raises(KeyError):
        text("any", Language.EN, "nowhere")


@pytest.mark.usefixtures("fake_catalog")
def test_a_text_asked_for_without_fields_is_returned_as_written() -> None:
    """The interpolation rule fills placeholders only when fields are given."""
    assert text("any", Language.EN, "braces") == "a {b} c"
    assert text("any", Language.EN, "braces", b="x") == "a x c"


@pytest.mark.usefixtures("fake_catalog")
def test_html_escapes_every_field_except_markup() -> None:
    """Plain values are escaped for Telegram HTML; ``Markup`` (already HTML) is filled as is."""
    assert html("any", Language.EN, "greet", name="<Tom & Jerry>") == (
        "Hello, &lt;Tom &amp; Jerry&gt;!"
    )
    assert html("any", Language.EN, "greet", name=Markup("<b>Tom</b>")) == "Hello, <b>Tom</b>!"
    assert text("any", Language.EN, "greet", name="<Tom>") == "Hello, <Tom>!"


@pytest.mark.usefixtures("fake_catalog")
def test_a_bound_catalog_reads_the_same_texts() -> None:
    """``Texts(catalog)`` is the same lookup with the catalog filled in."""
    bound = Texts(Catalog.BOT)
    assert bound.html(Language.RU, "greet", name="<x>") == "Привет, &lt;x&gt;!"
    assert bound.text(Language.RU, "only_en") == "English only"
    assert bound.has(Language.EN, "greet")
    assert bound.each_language("greet") == {
        "Hello, {name}!": Language.EN,
        "Привет, {name}!": Language.RU,
    }
    assert each_language("any", "greet") == bound.each_language("greet")


def test_every_catalog_file_is_a_catalog_and_every_catalog_has_its_files() -> None:
    """A catalog added without its enum member (or the reverse) fails here, in both languages.
    The web panel's shell words (``panel.toml``) are read by ``presentation/panel/layout.py``
    with every ``panel*.toml`` (tests/integration/presentation/panel/test_panel_texts.py)."""
    for language in Language:
        folder = resources.files("innertalk.locales").joinpath(language.value)
        files = {
            entry.name.removesuffix(".toml")
            for entry in folder.iterdir()
            if entry.name.endswith(".toml") and entry.name != "panel.toml"
        }
        assert files == {member.value for member in Catalog}, language


def test_the_words_stored_in_replies_come_from_the_catalogs() -> None:
    """The cut-off note and the neutral summary are catalog texts, in each language."""
    from innertalk.presentation.reply_words import cut_off_note, withheld_summary

    assert cut_off_note(Language.EN) == "…\n\n(My reply got cut off, sorry.)"
    assert cut_off_note(Language.RU) == "…\n\n(Мой ответ оборвался, прости.)"
    assert withheld_summary(Language.RU).startswith("Мы поговорили")


def test_times_and_days_are_written_one_way() -> None:
    """One clock format in the person's time zone; one day format per language."""
    moment = datetime(2025, 12, 31, 21, 5, tzinfo=UTC)
    assert local_time(moment, "Europe/Moscow") == "00:05"
    assert day_text(Language.RU, date(2025, 12, 31)) == "31.12.2025"
    assert day_text(Language.EN, date(2025, 12, 31)) == "Dec 31, 2025"
