"""Model Markdown → Telegram HTML, and back to plain text for the fallback resend.

``render_markdown`` handles the block structure line by line — fenced code, ``>`` quotes,
``#`` headings (a bold line), ``-``/``*``/``+``/``1.`` lists (kept as text: ``•`` bullets and
the original numbers), ``---`` rules — and leaves the inline syntax of paragraphs to
``inline.render_inline``. Its output uses only tags Telegram accepts, escapes every ``&``, ``<``
and ``>`` of the text (and ``"`` in attributes), is balanced and properly nested, and always
passes ``parse_telegram_html(..., strict=True)``. It can be longer than one message: pass it
through ``split_html`` before sending.
"""

from __future__ import annotations

import re
import unicodedata
from html import escape

from innertalk.presentation.telegram.render.html_entities import (
    TelegramHTMLError,
    decode_reference,
    parse_telegram_html,
)
from innertalk.presentation.telegram.render.inline import render_inline

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*?)[ \t]*$")
_LANGUAGE = re.compile(r"[A-Za-z0-9_+#.-]{1,32}")
_QUOTE = re.compile(r"^(?: {0,3}> ?)+")
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(?P<text>.*?)(?:[ \t]+#+)?[ \t]*$")
_BULLET = re.compile(r"^(?P<indent>[ \t]*)[-*+][ \t]+(?P<text>.*)$")
_NUMBERED = re.compile(r"^(?P<indent>[ \t]*)(?P<number>\d{1,9}[.)])[ \t]+(?P<text>.*)$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_TAG = re.compile(r"<[^>]*>")
_SURROGATE = re.compile("[\ud800-\udfff]")
_KEEP_CONTROLS = {"\n", "\t"}
RULE_TEXT = "———"


def render_markdown(text: str) -> str:
    """Telegram HTML for the Markdown-ish ``text`` a model wrote (whitespace-only → ``""``).

    An unclosed code fence runs to the end of the text, as in CommonMark, so a reply that is
    still streaming renders its code as code.
    """
    return _render_blocks(_clean(text).split("\n"), quotes=True).strip()


def to_plain_text(html: str) -> str:
    """The text Telegram would show for ``html``: tags dropped, character references decoded.

    Never raises: HTML Telegram would refuse is stripped of anything tag-like instead, so the
    result is always safe to resend without a parse mode.
    """
    try:
        return parse_telegram_html(html, strict=False)[0]
    except TelegramHTMLError:
        return _decode_references(_TAG.sub("", html))


def _render_blocks(lines: list[str], *, quotes: bool) -> str:
    out: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            out.append(render_inline("\n".join(paragraph)))
            paragraph.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        if fence := _FENCE.match(line):
            flush()
            block, i = _code_block(lines, i, fence)
            out.append(block)
            continue
        if quotes and _QUOTE.match(line):
            flush()
            quoted, i = _quoted_lines(lines, i)
            out.append(f"<blockquote>{_render_blocks(quoted, quotes=False).strip()}</blockquote>")
            continue
        if (block_line := _block_line(line)) is not None:
            flush()
            out.append(block_line)
        elif not line.strip():
            flush()
            out.append("")
        else:
            paragraph.append(line)
        i += 1
    flush()
    return "\n".join(out)


def _block_line(line: str) -> str | None:
    """The HTML of a one-line block (heading, rule, list item), or None for paragraph text."""
    if match := _HEADING.match(line):
        return f"<b>{render_inline(match['text'])}</b>" if match["text"] else ""
    if _RULE.match(line):
        return RULE_TEXT
    if match := _BULLET.match(line):
        return f"{match['indent']}• {render_inline(match['text'])}"
    if match := _NUMBERED.match(line):
        return f"{match['indent']}{match['number']} {render_inline(match['text'])}"
    return None


def _code_block(lines: list[str], start: int, fence: re.Match[str]) -> tuple[str, int]:
    """The ``<pre>`` for the fence opened at ``lines[start]`` and the index after its end."""
    marker, indent = fence["fence"], len(fence["indent"])
    body: list[str] = []
    i = start + 1
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith(marker[0] * len(marker)) and not stripped.strip(marker[0]):
            i += 1
            break
        body.append(_dedent(line, indent))
        i += 1
    code = escape("\n".join(body), quote=False)
    info = fence["info"].split()
    if info and _LANGUAGE.fullmatch(info[0]):
        return f'<pre><code class="language-{info[0]}">{code}</code></pre>', i
    return f"<pre>{code}</pre>", i


def _quoted_lines(lines: list[str], start: int) -> tuple[list[str], int]:
    """The consecutive ``>`` lines from ``start``, without their markers (nested quotes are
    flattened: Telegram can't nest blockquotes)."""
    quoted: list[str] = []
    i = start
    while i < len(lines) and (match := _QUOTE.match(lines[i])):
        quoted.append(lines[i][match.end() :])
        i += 1
    return quoted, i


def _dedent(line: str, indent: int) -> str:
    removable = len(line) - len(line.lstrip(" "))
    return line[min(indent, removable) :]


def _clean(text: str) -> str:
    """``text`` with Windows/old-Mac line ends unified, control characters dropped and lone
    surrogates (invalid in UTF-8, so refused by Telegram) replaced."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SURROGATE.sub("\ufffd", text)
    return "".join(
        char for char in text if char in _KEEP_CONTROLS or unicodedata.category(char) != "Cc"
    )


def _decode_references(text: str) -> str:
    out: list[str] = []
    i = 0
    while (amp := text.find("&", i)) != -1:
        out.append(text[i:amp])
        decoded = decode_reference(text, amp)
        if decoded is None or "\ud800" <= decoded[0] <= "\udfff":
            out.append("&")
            i = amp + 1
        else:
            out.append(decoded[0])
            i = decoded[1]
    out.append(text[i:])
    return "".join(out)
