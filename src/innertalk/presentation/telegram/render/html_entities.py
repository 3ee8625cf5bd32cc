"""Telegram's HTML parse mode: the parser Telegram runs on ``parse_mode=HTML`` text.

``parse_telegram_html(html)`` returns the text a person sees and its formatting entities (offsets
and lengths in UTF-16 code units, as the Bot API counts), or raises ``TelegramHTMLError`` with the
reason Telegram gives ("Can't parse entities: Unsupported start tag ..."). It follows TDLib's
``parse_html`` (the code behind the Bot API), so the bot can check a message before sending it and
the test fake can reject what Telegram would reject.

Two levels:

- ``strict=False``: exactly what Telegram accepts. A bare ``&`` or ``>`` is literal text,
  unknown attributes are ignored, a link with an unusable URL silently loses its formatting.
- ``strict=True`` (the default): additionally requires the form our renderer promises — every
  ``&`` and ``>`` in text escaped, named references terminated by ``;``, no unknown attributes,
  links only to https (the only ones the renderer writes), nothing inside ``code``/``pre``
  (except ``pre > code``), no nested blockquotes or links. Telegram would accept such input,
  but it means a rendering bug.
"""

from __future__ import annotations

from dataclasses import replace

from innertalk.presentation.telegram.render.html_parser import TelegramHTMLParser
from innertalk.presentation.telegram.render.html_syntax import (
    CAPTION_LIMIT,
    LINK_SCHEMES,
    MESSAGE_LIMIT,
    HTMLToken,
    ParsedEntity,
    TelegramHTMLError,
    decode_reference,
    utf16_len,
)

__all__ = [
    "CAPTION_LIMIT",
    "LINK_SCHEMES",
    "MESSAGE_LIMIT",
    "HTMLToken",
    "ParsedEntity",
    "TelegramHTMLError",
    "decode_reference",
    "parse_telegram_html",
    "tokenize_telegram_html",
    "utf16_len",
    "visible_length",
]


def parse_telegram_html(html: str, *, strict: bool = True) -> tuple[str, list[ParsedEntity]]:
    """The visible text of ``html`` and its entities; ``TelegramHTMLError`` if Telegram would
    refuse it (or, with ``strict``, if it breaks the escaping rules described above)."""
    parser = TelegramHTMLParser(html, strict)
    parser.run()
    entities = [
        replace(entity, language=None) if entity.type == "code" else entity
        for entity in sorted(parser.entities, key=lambda entity: (entity.offset, -entity.length))
    ]
    return parser.text(), entities


def tokenize_telegram_html(html: str, *, strict: bool = False) -> list[HTMLToken]:
    """``html`` as a flat list of text and tag tokens (for splitting); raises like the parser."""
    parser = TelegramHTMLParser(html, strict)
    parser.run()
    return parser.tokens


def visible_length(html: str) -> int:
    """UTF-16 length of the text Telegram shows for ``html`` (what its limits are checked on)."""
    return utf16_len(parse_telegram_html(html, strict=False)[0])
