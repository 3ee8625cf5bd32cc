"""TDLib's ``parse_html`` (the code behind the Bot API's HTML parse mode), in Python.

Messages and byte offsets match Telegram's; ``strict`` adds the checks described in
``html_entities``. Used through ``html_entities.parse_telegram_html``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from innertalk.presentation.telegram.render.html_syntax import (
    LINK_SCHEMES,
    STRICT_LINK_SCHEME,
    HTMLToken,
    ParsedEntity,
    TelegramHTMLError,
    decode_reference,
    utf16_len,
)

_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler"}
    | {"tg-emoji", "code", "pre", "blockquote"}
)
_ENTITY_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler",
}  # fmt: skip
_SPACES = " \t\r\n\v\f"
_TEXT = {True: re.compile(r"[^<&>]+"), False: re.compile(r"[^<&]+")}
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(slots=True)
class _OpenTag:
    name: str
    argument: str
    expandable: bool
    offset: int
    text_start: int


@dataclass(slots=True)
class TelegramHTMLParser:
    """One parse of ``html``: ``run()`` fills ``pieces`` (the text), ``entities``, ``tokens``."""

    html: str
    strict: bool
    pos: int = 0
    u16: int = 0
    chars: int = 0
    pieces: list[str] = field(default_factory=list)
    open: list[_OpenTag] = field(default_factory=list)
    entities: list[ParsedEntity] = field(default_factory=list)
    tokens: list[HTMLToken] = field(default_factory=list)

    def text(self) -> str:
        return "".join(self.pieces)

    def run(self) -> None:
        if _SURROGATE.search(self.html):
            raise TelegramHTMLError("Strings must be encoded in UTF-8")
        text_run = _TEXT[self.strict]
        while self.pos < len(self.html):
            char = self.html[self.pos]
            if char == "&":
                self._reference()
            elif char == "<":
                self._tag()
            elif char == ">":  # only reached in strict mode
                raise self._error('Unescaped ">" at byte offset', self.pos)
            else:
                match = text_run.match(self.html, self.pos)
                assert match is not None
                self._append(match.group())
                self.pos = match.end()
        if self.open:
            name = self.open[-1].name
            raise TelegramHTMLError(f'Can\'t find end tag corresponding to start tag "{name}"')
        if _SURROGATE.search(self.text()):
            raise TelegramHTMLError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )

    def _append(self, text: str) -> None:
        self.pieces.append(text)
        self.u16 += utf16_len(text)
        self.chars += len(text)
        if self.tokens and self.tokens[-1].kind == "text":
            self.tokens[-1] = HTMLToken("text", self.tokens[-1].text + text)
        else:
            self.tokens.append(HTMLToken("text", text))

    def _error(self, message: str, pos: int, suffix: str = "") -> TelegramHTMLError:
        offset = len(self.html[:pos].encode("utf-8", "surrogatepass"))
        return TelegramHTMLError(f"{message} {offset}{suffix}")

    def _reference(self) -> None:
        decoded = decode_reference(self.html, self.pos)
        if decoded is None or (self.strict and not decoded[2]):
            if self.strict:
                raise self._error('Unescaped "&" at byte offset', self.pos)
            self._append("&")
            self.pos += 1
            return
        char, self.pos, _ = decoded
        self._append(char)

    def _tag(self) -> None:
        html, begin = self.html, self.pos
        if html.startswith("</", begin):
            self._end_tag(begin)
            return
        i = _scan(html, begin + 1, _SPACES + ">")
        if i >= len(html):
            raise self._error("Unclosed start tag at byte offset", begin)
        name = html[begin + 1 : i].lower()
        if name not in _TAGS:
            raise self._error(f'Unsupported start tag "{name}" at byte offset', begin)
        attributes = _Attributes(self, name, begin)
        i = attributes.read(i)
        if name == "span" and attributes.argument != "spoiler":
            raise self._error('Tag "span" must have class "tg-spoiler" at byte offset', begin)
        if self.strict:
            self._check_nesting(name, begin)
        self.pos = i + 1
        tag = _OpenTag(name, attributes.argument, attributes.expandable, self.u16, self.chars)
        self.open.append(tag)
        self.tokens.append(HTMLToken("open", name=name, source=html[begin : self.pos]))

    def _check_nesting(self, name: str, begin: int) -> None:
        names = [tag.name for tag in self.open]
        parent = names[-1] if names else ""
        if parent == "code" or (parent == "pre" and name != "code"):
            raise self._error(
                f'Tag "{name}" is not allowed inside "{parent}" at byte offset', begin
            )
        if name in ("blockquote", "a") and name in names:
            raise self._error(f'Tag "{name}" can\'t be nested at byte offset', begin)

    def _end_tag(self, begin: int) -> None:
        html = self.html
        if not self.open:
            raise self._error("Unexpected end tag at byte offset", begin)
        i = _scan(html, begin + 2, _SPACES + ">")
        end_name = html[begin + 2 : i].lower()
        while i < len(html) and html[i] in _SPACES:
            i += 1
        if i >= len(html) or html[i] != ">":
            raise self._error("Unclosed end tag at byte offset", begin)
        tag = self.open[-1]
        if end_name and end_name != tag.name:
            expected = f'expected "</{tag.name}>", found "</{end_name}>"'
            raise self._error("Unmatched end tag at byte offset", begin, f", {expected}")
        self.pos = i + 1
        self.open.pop()
        self.tokens.append(HTMLToken("close", name=tag.name))
        if self.u16 > tag.offset:
            self._add_entity(tag, self.u16 - tag.offset)

    def _add_entity(self, tag: _OpenTag, length: int) -> None:
        offset, last = tag.offset, self.entities[-1] if self.entities else None
        same_span = last is not None and (last.offset, last.length) == (offset, length)
        if tag.name in _ENTITY_TYPES:
            self.entities.append(ParsedEntity(_ENTITY_TYPES[tag.name], offset, length))
        elif tag.name == "blockquote":
            kind = "expandable_blockquote" if tag.expandable else "blockquote"
            self.entities.append(ParsedEntity(kind, offset, length))
        elif tag.name == "tg-emoji":
            if not tag.argument.isdecimal() or int(tag.argument) == 0:
                raise TelegramHTMLError("Invalid custom emoji identifier specified")
            self.entities.append(
                ParsedEntity("custom_emoji", offset, length, None, None, tag.argument)
            )
        elif tag.name == "a":
            url = _checked_link(tag.argument or self.text()[tag.text_start :], strict=self.strict)
            if url is not None:
                self.entities.append(ParsedEntity("text_link", offset, length, url))
        elif same_span and last is not None and {tag.name, last.type} == {"pre", "code"}:
            # <pre><code class="language-x"> (either order) is one pre entity with a language
            language = last.language if tag.name == "pre" else tag.argument or None
            if language is None:
                self.entities.append(ParsedEntity(tag.name, offset, length))
            else:
                self.entities[-1] = ParsedEntity("pre", offset, length, language=language)
        else:  # code keeps its language only until a same-span pre claims it
            language = tag.argument or None if tag.name == "code" else None
            self.entities.append(ParsedEntity(tag.name, offset, length, language=language))


class _Attributes:
    """Reads a start tag's attributes the way TDLib does, keeping the one that matters."""

    def __init__(self, parser: TelegramHTMLParser, name: str, begin: int) -> None:
        self.parser, self.name, self.begin = parser, name, begin
        self.argument = ""
        self.expandable = False

    def read(self, i: int) -> int:
        """Reads attributes from ``i``; returns the position of the closing ``>``."""
        html, name, error = self.parser.html, self.name, self.parser._error
        while True:
            i = _skip_spaces(html, i)
            if i >= len(html):
                raise error("Unclosed start tag at byte offset", self.begin)
            if html[i] == ">":
                return i
            attribute_begin = i
            i = _scan(html, i, _SPACES + "=>")
            attribute = html[attribute_begin:i]
            if not attribute:
                raise error(f'Empty attribute name in the tag "{name}" at byte offset', self.begin)
            i = _skip_spaces(html, i)
            if i >= len(html) or html[i] != "=":
                if name == "blockquote" and attribute == "expandable":
                    self.expandable = True
                    continue
                raise error(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{name}" at byte offset',
                    self.begin,
                )
            i = _skip_spaces(html, i + 1)
            if i >= len(html):
                raise error(f'Unclosed start tag "{name}" at byte offset', self.begin)
            value, i = self._value(i)
            if i >= len(html):
                raise error("Unclosed start tag at byte offset", self.begin)
            self._keep(attribute, value)

    def _value(self, i: int) -> tuple[str, int]:
        html = self.parser.html
        if html[i] not in "'\"":
            token_begin = i
            while i < len(html) and ((html[i].isascii() and html[i].isalnum()) or html[i] in ".-"):
                i += 1
            if i < len(html) and html[i] not in _SPACES + ">":
                raise self.parser._error(
                    "Unexpected end of name token at byte offset", token_begin
                )
            return html[token_begin:i].lower(), i
        quote, chars = html[i], []
        i += 1
        while i < len(html) and html[i] != quote:
            decoded = decode_reference(html, i) if html[i] == "&" else None
            if decoded is not None and (decoded[2] or not self.parser.strict):
                chars.append(decoded[0])
                i = decoded[1]
                continue
            if self.parser.strict and html[i] in "&<>":
                raise self.parser._error(f'Unescaped "{html[i]}" at byte offset', i)
            chars.append(html[i])
            i += 1
        return "".join(chars), i + 1 if i < len(html) else i

    def _keep(self, attribute: str, value: str) -> None:
        name = self.name
        if name == "a" and attribute == "href":
            self.argument = value
        elif name == "code" and attribute == "class" and value.startswith("language-"):
            self.argument = value.removeprefix("language-")
        elif name == "span" and attribute == "class" and value.startswith("tg-"):
            self.argument = value.removeprefix("tg-")
        elif name == "tg-emoji" and attribute == "emoji-id":
            self.argument = value
        elif name == "blockquote" and attribute == "expandable":
            self.expandable = True
        elif self.parser.strict:
            raise self.parser._error(
                f'Unsupported attribute "{attribute}" in the tag "{name}" at byte offset',
                self.begin,
            )


def _checked_link(url: str, *, strict: bool) -> str | None:
    if strict and not url.lower().startswith(STRICT_LINK_SCHEME):
        raise TelegramHTMLError(f'Unsupported URL "{url}" in a link')
    if url.lower().startswith(LINK_SCHEMES):
        return url
    if re.match(r"^[a-z][a-z0-9+.-]*:", url, re.IGNORECASE) or not url.strip():
        return None  # Telegram drops links it can't use and keeps their text
    return f"http://{url}"


def _scan(html: str, i: int, stops: str) -> int:
    while i < len(html) and html[i] not in stops:
        i += 1
    return i


def _skip_spaces(html: str, i: int) -> int:
    while i < len(html) and html[i] in _SPACES:
        i += 1
    return i
