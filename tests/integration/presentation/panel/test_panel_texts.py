"""The panel's words: English and Russian catalogs hold the same keys, every key a shell
template asks for exists, and Accept-Language picks the panel's language."""

from __future__ import annotations

import re
from importlib import resources

from innertalk.domain.users import Language
from innertalk.presentation.panel.layout import accepted_language, panel_texts

USED = re.compile(r"""\bt\(\s*'([a-z0-9_]+)'""")


def test_both_languages_have_every_panel_text() -> None:
    """No key only in English or only in Russian (a missing one would show in English)."""
    assert set(panel_texts(Language.EN)) == set(panel_texts(Language.RU))


def test_every_text_a_shell_template_uses_exists() -> None:
    """Each t('key') in templates/shell/ is in the English catalog."""
    folder = resources.files("innertalk.presentation.panel").joinpath("templates", "shell")
    used = {
        key
        for template in folder.iterdir()
        for key in USED.findall(template.read_text(encoding="utf-8"))
    }
    assert used
    assert used <= set(panel_texts(Language.EN))


def test_accept_language_picks_a_supported_language() -> None:
    """The first supported language wins; anything else is English."""
    assert accepted_language("ru-RU,ru;q=0.9,en;q=0.8") is Language.RU
    assert accepted_language("de-DE,en;q=0.5,ru;q=0.3") is Language.EN
    assert accepted_language("fr") is Language.EN
    assert accepted_language("") is Language.EN
