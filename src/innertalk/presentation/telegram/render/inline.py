"""Inline Markdown — emphasis, code spans, links — to Telegram HTML.

Follows CommonMark where it matters for model output: a delimiter run opens or closes emphasis
only when it is left-/right-flanking (so ``2 * 3 * 4`` and ``snake_case_name`` stay literal),
backslash escapes work, code spans are atomic. Pairs become ``**b**``/``__b__`` → ``<b>``,
``*i*``/``_i_`` → ``<i>``, ``~~s~~`` → ``<s>``, ``||x||`` → ``<tg-spoiler>``. Every unmatched
marker stays literal text. Links (``[label](url)``, ``<url>``) become ``<a href>`` only for https
URLs, with the host shown after the label (``links``); any other link stays the text written.
Matching wraps a contiguous run of already-built nodes, so the output is balanced and properly
nested by construction.
"""

from __future__ import annotations

import bisect
import re
import string
import unicodedata
from dataclasses import dataclass, field
from html import escape, unescape

from innertalk.presentation.telegram.render.links import SafeLink, anchor, safe_link

_ASCII_PUNCTUATION = frozenset(string.punctuation)
_DELIMITERS = "*_~|"
_DOUBLE_ONLY = "~|"  # ~~strike~~ and ||spoiler|| need exactly two characters
_TAG_BY_RUN = {("*", 1): "i", ("_", 1): "i", ("*", 2): "b", ("_", 2): "b"}
_TAG_BY_RUN |= {("~", 2): "s", ("|", 2): "tg-spoiler"}
_LINK = re.compile(
    r"\[(?P<label>(?:\\.|[^\\\[\]\n]){1,1000})\]"
    r"\(\s*(?P<url>(?:\\.|[^\s()<>\\]|\((?:\\.|[^\s()<>\\])*\))+)(?:\s+\"[^\"\n]*\")?\s*\)"
)
_AUTOLINK = re.compile(r"<(?P<url>https://[^\s<>]+)>", re.IGNORECASE)
_BACKSLASH_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_BACKTICKS = re.compile(r"`+")
_RUNS = {char: re.compile(re.escape(char) + "+") for char in _DELIMITERS + "`"}
_BacktickRuns = dict[int, list[int]]
"""Start of every run of backticks in a text, by the run's length (found once per text)."""


def render_inline(text: str) -> str:
    """Telegram HTML for one paragraph (or line) of inline Markdown."""
    return _render(_match_emphasis(_tokenize(text, links=True)))


@dataclass(slots=True)
class _Delimiter:
    char: str
    count: int
    can_open: bool
    can_close: bool


@dataclass(slots=True)
class _Element:
    tag: str
    children: list[_Node]
    link: SafeLink | None = None


_Node = str | _Delimiter | _Element  # in a token list, str nodes are already-escaped HTML


@dataclass(slots=True)
class _Frame:
    """An opening delimiter still waiting for its closer, with what followed it so far."""

    opener: _Delimiter | None
    children: list[_Node] = field(default_factory=list)


def _tokenize(text: str, *, links: bool) -> list[_Node]:
    nodes: list[_Node] = []
    plain: list[str] = []
    runs: _BacktickRuns = {}
    i = 0

    def flush() -> None:
        if plain:
            nodes.append(escape("".join(plain), quote=False))
            plain.clear()

    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in _ASCII_PUNCTUATION:
            plain.append(text[i + 1])
            i += 2
            continue
        special = _special(text, i, runs, links=links)
        if special is None:
            plain.append(char)
            i += 1
            continue
        node, i = special
        if isinstance(node, str):
            plain.append(node)  # a run that matched nothing: literal text
            continue
        flush()
        nodes.append(node)
    flush()
    return nodes


def _special(text: str, i: int, runs: _BacktickRuns, *, links: bool) -> tuple[_Node, int] | None:
    """The code span, link or delimiter run starting at ``text[i]`` (plain ``str`` when it is
    literal text after all) and where it ends; None for an ordinary character."""
    char = text[i]
    if char == "`":
        return _code_span(text, i, runs)
    if char == "[" and links and (match := _LINK.match(text, i)):
        link = safe_link(_BACKSLASH_ESCAPE.sub(r"\1", match["url"]))
        if link is not None:
            label = _match_emphasis(_tokenize(match["label"], links=False))
            return _Element("a", label, link), match.end()
    if char == "<" and links and (match := _AUTOLINK.match(text, i)):
        link = safe_link(match["url"])
        if link is not None:
            return _Element("a", [escape(match["url"], quote=False)], link), match.end()
    if char in _DELIMITERS:
        return _delimiter_run(text, i)
    return None


def _code_span(text: str, i: int, runs: _BacktickRuns) -> tuple[_Node, int]:
    run = _run_length(text, i)
    if not runs:
        for match in _BACKTICKS.finditer(text):
            runs.setdefault(len(match[0]), []).append(match.start())
    closers = runs.get(run, [])
    index = bisect.bisect_right(closers, i)
    if index == len(closers):
        return "`" * run, i + run
    close = closers[index]
    content = text[i + run : close].replace("\n", " ")
    if content.startswith(" ") and content.endswith(" ") and content.strip(" "):
        content = content[1:-1]
    return _Element("code", [escape(content, quote=False)]), close + run


def _delimiter_run(text: str, i: int) -> tuple[_Node, int]:
    char, run = text[i], _run_length(text, i)
    end = i + run
    if char in _DOUBLE_ONLY and run != 2:
        return char * run, end
    before = text[i - 1] if i > 0 else " "
    after = text[end] if end < len(text) else " "
    left = not after.isspace() and (
        not _is_punctuation(after) or before.isspace() or _is_punctuation(before)
    )
    right = not before.isspace() and (
        not _is_punctuation(before) or after.isspace() or _is_punctuation(after)
    )
    if char == "_":  # no intraword emphasis with underscores: snake_case stays as written
        can_open = left and (not right or _is_punctuation(before))
        can_close = right and (not left or _is_punctuation(after))
    else:
        can_open, can_close = left, right
    return _Delimiter(char, run, can_open, can_close), end


def _match_emphasis(nodes: list[_Node]) -> list[_Node]:
    """Pairs delimiters into elements (CommonMark's "process emphasis", simplified)."""
    stack = [_Frame(None)]
    waiting: dict[str, int] = dict.fromkeys(_DELIMITERS, 0)  # open frames per character
    for node in nodes:
        if not isinstance(node, _Delimiter):
            stack[-1].children.append(node)
            continue
        if node.can_close and waiting[node.char]:
            _close(stack, waiting, node)
        if node.count and node.can_open:
            stack.append(_Frame(node))
            waiting[node.char] += 1
        elif node.count:
            stack[-1].children.append(_literal(node))
    _flatten_above(stack, waiting, None)
    return stack[0].children


def _close(stack: list[_Frame], waiting: dict[str, int], closer: _Delimiter) -> None:
    while closer.count and waiting[closer.char]:
        _flatten_above(stack, waiting, closer.char)
        frame = stack[-1]
        assert frame.opener is not None
        used = 2 if frame.opener.count >= 2 and closer.count >= 2 else 1
        element = _Element(_TAG_BY_RUN[closer.char, used], frame.children)
        frame.opener.count -= used
        closer.count -= used
        if frame.opener.count:
            frame.children = [element]
        else:
            stack.pop()
            waiting[closer.char] -= 1
            stack[-1].children.append(element)


def _flatten_above(stack: list[_Frame], waiting: dict[str, int], char: str | None) -> None:
    """Turns every open frame above the newest one opened by ``char`` (all of them for None)
    back into literal text inside it, in one pass so long unmatched runs stay linear."""
    keep = len(stack) - 1
    while keep > 0 and (opener := stack[keep].opener) is not None and opener.char != char:
        keep -= 1
    for frame in stack[keep + 1 :]:
        assert frame.opener is not None
        waiting[frame.opener.char] -= 1
        stack[keep].children.append(_literal(frame.opener))
        stack[keep].children.extend(frame.children)
    del stack[keep + 1 :]


def _literal(delimiter: _Delimiter) -> str:
    return escape(delimiter.char * delimiter.count, quote=False)


def _render(nodes: list[_Node]) -> str:
    parts: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            parts.append(node)
        elif isinstance(node, _Delimiter):
            parts.append(_literal(node))
        elif node.link is not None:
            parts.append(anchor(node.link, _render(node.children), _plain(node.children)))
        else:
            parts.append(f"<{node.tag}>{_render(node.children)}</{node.tag}>")
    return "".join(parts)


def _plain(nodes: list[_Node]) -> str:
    """The text ``nodes`` show (str nodes are escaped HTML, hence ``unescape``)."""
    parts: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            parts.append(unescape(node))
        elif isinstance(node, _Delimiter):
            parts.append(node.char * node.count)
        else:
            parts.append(_plain(node.children))
    return "".join(parts)


def _run_length(text: str, i: int) -> int:
    match = _RUNS[text[i]].match(text, i)
    assert match is not None
    return match.end() - i


def _is_punctuation(char: str) -> bool:
    return char in _ASCII_PUNCTUATION or unicodedata.category(char).startswith("P")
