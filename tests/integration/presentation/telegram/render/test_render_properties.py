"""Properties of rendering and splitting that must hold for any text a model could write."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from innertalk.presentation.telegram import (
    MESSAGE_LIMIT,
    parse_telegram_html,
    render_markdown,
    split_html,
    to_plain_text,
    utf16_len,
)

FRAGMENTS = [
    "**", "__", "*", "_", "~~", "||", "`", "``", "```", "```python\n", "~~~\n", "\n", "\n\n",
    "> ", ">> ", "# ", "### ", "- ", "* ", "1. ", "---\n", "[", "]", "](", ")", "(",
    "https://example.com/?a=1&b=2", "javascript:alert(1)", "mailto:a@b.c", "<https://x.io>",
    "<", ">", "&", "&amp;", "&lt;", "&#128512;", "&#xD800;", "<b>", "</i>", "<a href='x'>",
    '"', "'", "\\", "\\*", ".", "! ", "? ", " ", "  ", "\t", "\r\n", "|", "~", "😀", "👍🏽",
    "👨\u200d👩\u200d👧", "🇺🇦", "\u200b", "\u200d", "\u200f", "\u202e", "\ufeff", "שלום",
    "مرحبا", "Привет", "e\u0301", "\x00", "\x1b",
]  # fmt: skip

markdownish = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=80
).map("".join)
long_markdownish = st.tuples(markdownish, st.integers(min_value=1, max_value=300)).map(
    lambda pair: (pair[0] + "\n") * pair[1]
)
limits = st.integers(min_value=2, max_value=400)


def visible(text: str) -> str:
    """The text with whitespace removed: what a split may not change."""
    return "".join(char for char in text if not char.isspace())


@given(markdownish)
def test_rendered_html_is_always_valid(text: str) -> None:
    """Whatever the model writes, the HTML passes Telegram's parser in strict mode."""
    parse_telegram_html(render_markdown(text))


@given(st.one_of(markdownish, long_markdownish), limits)
@settings(deadline=None)
def test_every_part_is_valid_and_fits(text: str, limit: int) -> None:
    """Each part is valid HTML with non-empty visible text no longer than the limit."""
    for part in split_html(render_markdown(text), limit):
        shown, _ = parse_telegram_html(part)
        assert 0 < utf16_len(shown) <= limit
        assert shown.strip()


@given(st.one_of(markdownish, long_markdownish), limits)
@settings(deadline=None)
def test_splitting_loses_no_visible_characters(text: str, limit: int) -> None:
    """Joined parts show exactly the characters of the whole, modulo whitespace at cuts."""
    html = render_markdown(text)
    parts = split_html(html, limit)
    assert visible("".join(to_plain_text(part) for part in parts)) == visible(to_plain_text(html))


@given(long_markdownish)
@settings(deadline=None, max_examples=30)
def test_long_replies_fit_telegram_messages(text: str) -> None:
    """Long replies split into valid parts of at most 4096 UTF-16 units each."""
    html = render_markdown(text * 4)
    parts = split_html(html)
    for part in parts:
        assert utf16_len(parse_telegram_html(part)[0]) <= MESSAGE_LIMIT
    assert visible("".join(to_plain_text(part) for part in parts)) == visible(to_plain_text(html))


plain_alphabet = st.characters(
    blacklist_categories=("Cc", "Cs"), blacklist_characters="*_~|`[]>#-+\\.)"
)


@given(st.text(alphabet=st.one_of(plain_alphabet, st.just("\n"))))
def test_text_without_markdown_is_shown_exactly(text: str) -> None:
    """Text without Markdown markers (but with <, &, quotes, emoji, RTL) is shown as written."""
    assert visible(to_plain_text(render_markdown(text))) == visible(text)


@given(st.text())
def test_split_of_escaped_plain_text_round_trips(text: str) -> None:
    """Any plain text, escaped and split, comes back whole from the parts."""
    html = "".join({"&": "&amp;", "<": "&lt;", ">": "&gt;"}.get(char, char) for char in text)
    parts = split_html(html, 50)
    assert visible("".join(to_plain_text(part) for part in parts)) == visible(text)
