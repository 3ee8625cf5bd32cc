"""The vocabulary of Telegram's HTML parse mode: limits, errors, entities, tokens, counting.

The parser (``html_parser``) and the public API (``html_entities``) build on these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MESSAGE_LIMIT = 4096
"""Telegram's maximum message text, in UTF-16 code units of the text after entity parsing."""

CAPTION_LIMIT = 1024
"""Telegram's maximum media caption, counted the same way."""

LINK_SCHEMES = ("http://", "https://", "tg://", "mailto:")
"""URL prefixes Telegram keeps as links (the renderer itself only ever writes https ones)."""
STRICT_LINK_SCHEME = "https://"
"""The only links the strict parser accepts: what ``presentation.telegram.links`` allows."""

_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_DIGITS = "0123456789"
_HEX_DIGITS = "0123456789abcdefABCDEF"


class TelegramHTMLError(ValueError):
    """Telegram would refuse this HTML; ``reason`` is its explanation without the prefix."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"Can't parse entities: {reason}")


@dataclass(frozen=True, slots=True)
class ParsedEntity:
    """One formatting entity, shaped like the Bot API's ``MessageEntity``."""

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None

    def to_api(self) -> dict[str, object]:
        """The entity as the Bot API's JSON object (unset fields left out)."""
        fields = {
            "url": self.url,
            "language": self.language,
            "custom_emoji_id": self.custom_emoji_id,
        }
        extra = {name: value for name, value in fields.items() if value is not None}
        return {"type": self.type, "offset": self.offset, "length": self.length, **extra}


@dataclass(frozen=True, slots=True)
class HTMLToken:
    """A piece of parsed HTML: decoded ``text``, or an ``open`` tag (``source`` is its exact
    markup) or a ``close`` tag, both with the lower-cased tag ``name``."""

    kind: Literal["text", "open", "close"]
    text: str = ""
    name: str = ""
    source: str = ""


def utf16_len(text: str) -> int:
    """Length of ``text`` as Telegram counts it: UTF-16 code units (an emoji is usually 2)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def decode_reference(html: str, pos: int) -> tuple[str, int, bool] | None:
    """The character reference at ``html[pos]`` (``&lt;``, ``&#128512;``, ``&#x1F600;``…) as
    (character, position after it, whether ``;`` ended it), or None where Telegram keeps the
    ``&`` literally (unknown names such as ``&laquo;``, zero, out-of-range numbers)."""
    end, value = pos + 1, 0
    if html.startswith("#", end):
        end += 1
        base, digits = 10, _DIGITS
        if html.startswith("x", end):  # TDLib accepts only a lower-case x
            base, digits, end = 16, _HEX_DIGITS, end + 1
        while end < len(html) and html[end] in digits:
            value = value * base + int(html[end], 16)
            end += 1
            if value >= 0x10FFFF:
                return None
        if value == 0 or end - pos >= 10:
            return None
        char = chr(value)
    else:
        end = _scan_letters(html, end)
        named = _NAMED.get(html[pos + 1 : end])
        if named is None:
            return None
        char = named
    terminated = html.startswith(";", end)
    return char, end + 1 if terminated else end, terminated


def _scan_letters(html: str, i: int) -> int:
    while i < len(html) and html[i].isascii() and html[i].isalpha():
        i += 1
    return i
