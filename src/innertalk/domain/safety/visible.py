"""What a person will actually see of a text, as plain words for the output screen.

A model writes Markdown-ish text that is rendered before anyone reads it: ``**le**thal``
is shown as one bold-and-plain word, ``le-\\nthal`` as a word hyphenated at a line end,
``ｌｅｔｈａｌ`` as a word in wide letters. The output screen's patterns are written against
plain words, so the screen reads the text as it will look, not as it was typed:

1. character references decoded (``&#108;`` → ``l``) and NFKC-normalised, so full-width
   letters, digits and punctuation are their ASCII selves and ligatures are letters;
2. invisible characters (soft hyphens, zero-width spaces and joiners, direction marks)
   removed: they are not seen, so they must not split a word for the screen either;
3. markup removed: the emphasis and code marks ``*`` ``_`` ``~`` `````` ``||`` (and the
   backslash escaping one) vanish without a trace, since they never stand for a space; HTML
   tags go (block tags such as ``<br>`` and ``<p>`` leave a space, inline ones like ``<b>``
   nothing, attributes stay as words) and Markdown links keep their label;
4. line breaks read as spaces: a phrase wrapped over two lines is still one phrase;
5. a hyphen between two letters is read both ways, as a space (``lethal-dose``) and as
   nothing (``le-thal``, ``le-`` at a line end), since either may be how a reader takes it;
   hyphens next to digits (``5-го``) are kept;
6. case-folded.

``visible_readings`` returns one reading, or two when the text has hyphens between letters.
Pure stdlib, linear in the text's length: it runs on every streamed draft.
"""

from __future__ import annotations

import html
import re
import unicodedata

_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_BLOCK_TAGS = frozenset(
    ("br", "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
     "pre", "hr", "table", "tr", "td", "th", "thead", "tbody")
)  # fmt: skip
_INLINE_TAGS = frozenset(
    ("b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "span",
     "tg-spoiler", "tg-emoji", "sub", "sup", "mark", "small", "big", "tt", "font", "q",
     "cite", "abbr")
)  # fmt: skip
_KNOWN_TAGS = _BLOCK_TAGS | _INLINE_TAGS
_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?/?>")
"""Tag-shaped text; only known tag names are markup (``<lethal dose>`` is shown as text),
and a tag's attributes stay as words (``<a lethal dose>`` is not an empty tag)."""
_LINK = re.compile(r"!?\[([^\[\]\n]*)\]\([^()\n]*\)")
_ESCAPE = re.compile(r"\\(?=[*_~`|\[\]()#>+\-.!\\])")
_MARKS = re.compile(r"[*_~`]+")
_SPOILER = re.compile(r"\|\|")
_BREAKS = re.compile(r"[\r\n\v\f\x85\u2028\u2029]+")
_LETTER_HYPHEN = re.compile(r"(?<=[^\W\d_])[-\u2010\u2011]\s*(?=[^\W\d_])")
"""A hyphen (possibly at a line end) between two letters."""


def _tag(found: re.Match[str]) -> str:
    name, attributes = found.group(1).lower(), found.group(2)
    if attributes and name in _KNOWN_TAGS:
        return f" {attributes} "
    if name in _BLOCK_TAGS:
        return " "
    return "" if name in _INLINE_TAGS else found.group()


def plain_text(text: str) -> str:
    """``text`` decoded, normalised and stripped of markup and invisible characters (steps
    1-3 above); line breaks and hyphens are still there."""
    text = unicodedata.normalize("NFKC", html.unescape(text))
    # marks first: "[x]**(url)" is still a link and "<**b>" still a tag to a reader
    text = _SPOILER.sub("", _MARKS.sub("", _ESCAPE.sub("", _INVISIBLE.sub("", text))))
    return _LINK.sub(r"\1", _TAG.sub(_tag, text))


def visible_readings(text: str) -> tuple[str, ...]:
    """The ways a reader may take ``text``: lower-case plain words on one line, with a
    hyphen between letters as a space and, when there is one, as nothing."""
    flat = plain_text(text)
    spaced = _BREAKS.sub(" ", _LETTER_HYPHEN.sub(" ", flat)).casefold()
    if not _LETTER_HYPHEN.search(flat):
        return (spaced,)
    joined = _BREAKS.sub(" ", _LETTER_HYPHEN.sub("", flat)).casefold()
    return (spaced, joined)
