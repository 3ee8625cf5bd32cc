"""Splitting Telegram HTML into messages that each fit Telegram's limit.

Telegram checks its 4,096 limit on the text *after* entity parsing, in UTF-16 code units (an
emoji outside the Basic Multilingual Plane counts 2). ``split_html`` measures exactly that —
tags weigh nothing, ``&amp;`` weighs 1 — and every part it returns is at most ``limit`` units.
That is the same count Telegram applies, never an estimate, so no safety margin is needed.

Where a message must be cut, the cut goes at the last paragraph break in the second half of
the part's budget, else the last line break there, else the last sentence end there, else the
last space anywhere, else (one unbroken word) as late as possible without separating a
combining mark, variation selector or zero-width joiner from its base. Whitespace at a cut is
dropped. Cuts fall between characters of the *text*, so they can never land inside a tag or a
character reference; tags open at a cut are closed at the end of the part and reopened (same
attributes) at the start of the next one.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from dataclasses import dataclass
from html import escape

from innertalk.presentation.telegram.render.html_entities import (
    MESSAGE_LIMIT,
    HTMLToken,
    tokenize_telegram_html,
)
from innertalk.presentation.telegram.render.markdown import to_plain_text

_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_SENTENCE = re.compile(r"[.!?…。！？][\"')\]»”’]*(?=\s)")
_GLUE = frozenset({"\u200d", "\u20e3"})  # zero-width joiner, combining keycap
_BACKTRACK = 16  # how far a hard cut may move back to keep a grapheme together


def split_html(html: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """``html`` as messages of at most ``limit`` UTF-16 units of visible text each.

    Parts with no visible text are left out, so an empty (or whitespace-only) ``html`` gives
    ``[]``. Raises ``TelegramHTMLError`` for HTML Telegram itself would refuse.
    """
    if limit < 2:
        raise ValueError("limit must leave room for at least one character (2 UTF-16 units)")
    tokens = tokenize_telegram_html(html)
    text = "".join(token.text for token in tokens if token.kind == "text")
    return _Emitter(text, _plan(text, limit)).emit(tokens)


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Plain ``text`` cut like ``split_html`` (for messages sent without a parse mode)."""
    return [to_plain_text(part) for part in split_html(escape(text, quote=False), limit)]


def _plan(text: str, limit: int) -> list[tuple[int, int]]:
    """The ``[start, end)`` character ranges of ``text`` that become the parts."""
    units = [0, *itertools.accumulate(2 if ord(char) > 0xFFFF else 1 for char in text)]
    ranges: list[tuple[int, int]] = []
    start = _skip(text, 0)
    while start < len(text):
        end = bisect.bisect_right(units, units[start] + limit) - 1
        if end >= len(text):
            cut, resume = len(text), len(text)
        else:
            cut, resume = _best_cut(text, start, end)
        stop = _rstrip(text, start, cut)
        if stop > start:
            ranges.append((start, stop))
        start = resume
    return ranges


def _best_cut(text: str, start: int, end: int) -> tuple[int, int]:
    """Where to end the part that may span ``text[start:end]``, and where the next one starts."""
    half = start + max(1, (end - start) // 2)
    paragraphs = [match.start() for match in _PARAGRAPH.finditer(text, half, end + 1)]
    if paragraphs and paragraphs[-1] <= end:
        return paragraphs[-1], _skip_to_line(text, paragraphs[-1])
    line = text.rfind("\n", half, end + 1)
    if line != -1:
        return line, _skip_to_line(text, line)
    sentences = [match.end() for match in _SENTENCE.finditer(text, half, end + 1)]
    if sentences:
        return sentences[-1], _skip(text, sentences[-1])
    for space in range(end, start, -1):
        if text[space].isspace():
            return space, _skip(text, space)
    cut = end
    while cut > start + 1 and end - cut < _BACKTRACK and _joins(text[cut - 1], text[cut]):
        cut -= 1
    if _joins(text[cut - 1], text[cut]):
        cut = end  # one enormous cluster: it has to be cut somewhere
    return cut, cut


def _joins(before: str, after: str) -> bool:
    """Whether cutting between ``before`` and ``after`` would split one visible character."""
    code = ord(after)
    return (
        before in _GLUE
        or after in _GLUE
        or unicodedata.category(after) in ("Mn", "Mc", "Me")
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # emoji tag sequences (flags of regions)
    )


def _skip_to_line(text: str, i: int) -> int:
    """Past the whitespace at ``i`` up to the start of the next non-blank line, keeping that
    line's indentation (it matters in code blocks)."""
    end = _skip(text, i)
    newline = text.rfind("\n", i, end)
    return newline + 1 if newline != -1 else end


def _skip(text: str, i: int) -> int:
    """Past the whitespace at ``i``."""
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _rstrip(text: str, start: int, stop: int) -> int:
    while stop > start and text[stop - 1].isspace():
        stop -= 1
    return stop


@dataclass(slots=True)
class _Emitter:
    """Walks the tokens once, writing each planned range as a well-formed part. Tags are opened
    lazily, right before the first text of a part that needs them, so no part carries empty
    elements."""

    text: str
    ranges: list[tuple[int, int]]

    def emit(self, tokens: list[HTMLToken]) -> list[str]:
        parts: list[list[str]] = [[] for _ in self.ranges]
        stack: list[HTMLToken] = []
        opened = 0  # how many tags of ``stack`` are open in the current part
        position, current = 0, 0
        for token in tokens:
            if token.kind == "open":
                stack.append(token)
            elif token.kind == "close":
                if opened == len(stack):
                    parts[current].append(f"</{token.name}>")
                    opened -= 1
                stack.pop()
            else:
                first, last = position, position + len(token.text)
                position = last
                while current < len(self.ranges):
                    start, stop = self.ranges[current]
                    low, high = max(first, start), min(last, stop)
                    if low < high:
                        parts[current].extend(tag.source for tag in stack[opened:])
                        opened = len(stack)
                        parts[current].append(escape(self.text[low:high], quote=False))
                    if stop > last:
                        break
                    parts[current].extend(f"</{tag.name}>" for tag in reversed(stack[:opened]))
                    opened, current = 0, current + 1
        return ["".join(part) for part in parts]
