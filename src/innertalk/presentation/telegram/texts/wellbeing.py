"""Texts of the wellbeing screens, from the ``wellbeing_bot``, ``diary``, ``portrait`` and
``safety`` catalogs, through the text service, ready to send as Telegram HTML."""

from __future__ import annotations

from innertalk.domain.users import Language
from innertalk.presentation.texts import Catalog, Texts, catalog, html, text

__all__ = [
    "DIARY",
    "PORTRAIT",
    "SAFETY",
    "WELLBEING",
    "label",
    "label_in",
    "plain_text",
    "portrait_labels",
    "say",
    "say_in",
]

WELLBEING = Catalog.WELLBEING
DIARY = Catalog.DIARY
PORTRAIT = Catalog.PORTRAIT
SAFETY = Catalog.SAFETY

say_in = html
"""The text ``key`` of catalog ``name`` as HTML, fields escaped unless they are ``Markup``."""
label_in = text
"""A button label of catalog ``name`` (plain text)."""
say = Texts(WELLBEING).html
label = Texts(WELLBEING).text


def portrait_labels(language: Language) -> dict[str, str]:
    """The structured portrait's words: the diary catalog, then the portrait one on top."""
    return {**catalog(DIARY, language), **catalog(PORTRAIT, language)}


def plain_text(html_text: str) -> str:
    """HTML as the plain text a button alert shows."""
    from innertalk.presentation.telegram.render.markdown import to_plain_text

    return to_plain_text(html_text)
