"""Splitting Telegram HTML into messages: where it cuts, how tags survive, how it counts."""

from __future__ import annotations

import pytest

from innertalk.presentation.telegram import (
    TelegramHTMLError,
    parse_telegram_html,
    split_html,
    split_text,
    to_plain_text,
    utf16_len,
)


def split(html: str, limit: int) -> list[str]:
    parts = split_html(html, limit)
    for part in parts:
        text, _ = parse_telegram_html(part)
        assert 0 < utf16_len(text) <= limit
    return parts


def test_short_text_is_one_part_unchanged() -> None:
    """Anything within the limit is sent as it is, in one message."""
    html = "<b>Hello</b> &amp; welcome"
    assert split_html(html) == [html]


def test_nothing_visible_gives_no_parts() -> None:
    """Empty or whitespace-only HTML gives no messages at all (Telegram refuses empty text)."""
    assert split_html("") == []
    assert split_html(" \n <b> </b>\n") == []


def test_prefers_paragraph_breaks() -> None:
    """A paragraph break in the second half of the budget wins over later line breaks."""
    html = "aaaa aaaa\nbbbb.\n\ncccc\ndddd"
    assert split(html, 22) == ["aaaa aaaa\nbbbb.", "cccc\ndddd"]


def test_then_line_breaks() -> None:
    """Without a paragraph break, the last line break in the second half is used."""
    assert split("one two\nthree four five", 14) == ["one two", "three four", "five"]


def test_then_sentence_ends() -> None:
    """Without line breaks, the cut goes after the last sentence end."""
    assert split("First one. Second one! Third one", 25) == ["First one. Second one!", "Third one"]


def test_then_spaces_then_anywhere() -> None:
    """Without sentence ends the cut is at a space; one long word is cut where it must."""
    assert split("alpha beta gamma", 12) == ["alpha beta", "gamma"]
    assert split("abcdefghij", 4) == ["abcd", "efgh", "ij"]


def test_counts_utf16_units_like_telegram() -> None:
    """An emoji weighs two units, so only two fit into a limit of five."""
    assert split("😀😀😀", 5) == ["😀😀", "😀"]


def test_counts_text_after_entity_parsing() -> None:
    """Tags weigh nothing and &amp; weighs one, so this fits exactly."""
    html = "<b>" + "&amp;" * 10 + "</b>"
    assert split_html(html, 10) == [html]


def test_never_cuts_inside_a_character_reference() -> None:
    """A cut between escaped characters leaves every reference whole."""
    assert split("&lt;&gt;&amp;&quot;", 2) == ["&lt;&gt;", '&amp;"']


def test_tags_are_closed_and_reopened_across_a_cut() -> None:
    """Open tags are closed at the end of a part and reopened, with attributes, in the next."""
    html = '<a href="https://x.io/?a=1&amp;b=2"><b>one two</b> three</a>'
    assert split(html, 8) == [
        '<a href="https://x.io/?a=1&amp;b=2"><b>one two</b></a>',
        '<a href="https://x.io/?a=1&amp;b=2">three</a>',
    ]


def test_code_blocks_keep_language_and_indentation_across_a_cut() -> None:
    """A long code block continues as code with its language and its lines' indentation."""
    html = '<pre><code class="language-py">def f():\n    return 1\n    # end</code></pre>'
    parts = split(html, 24)
    assert parts == [
        '<pre><code class="language-py">def f():\n    return 1</code></pre>',
        '<pre><code class="language-py">    # end</code></pre>',
    ]
    assert all(parse_telegram_html(part)[1][0].language == "py" for part in parts)


def test_tags_without_text_in_a_part_are_not_emitted() -> None:
    """A part never carries empty elements left over from a cut."""
    assert split("aaaa <i>bbbb</i>", 5) == ["aaaa", "<i>bbbb</i>"]


def test_does_not_separate_combining_marks_from_their_letter() -> None:
    """A hard cut moves back rather than split a letter from its accent."""
    assert split("abce\u0301", 4) == ["abc", "e\u0301"]


def test_does_not_split_emoji_joined_sequences_when_avoidable() -> None:
    """A hard cut moves back rather than break a zero-width-joined emoji."""
    family = "👨\u200d👩\u200d👧"
    assert split("ab" + family, 9) == ["ab", family]


def test_limit_must_fit_a_character() -> None:
    """A limit that could not hold an emoji is refused instead of looping."""
    with pytest.raises(ValueError, match="limit"):
        split_html("x", 1)


def test_refuses_html_telegram_would_refuse() -> None:
    """Invalid HTML is reported, not split into something worse."""
    with pytest.raises(TelegramHTMLError):
        split_html("<b>unclosed")


def test_split_text_cuts_plain_text() -> None:
    """Plain text (the no-parse-mode fallback) is cut the same way and stays unescaped."""
    assert split_text("a < b & c. d > e", 10) == ["a < b & c.", "d > e"]
    assert to_plain_text(split_html("x &amp; y")[0]) == "x & y"
