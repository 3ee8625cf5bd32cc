"""Text cleaned at the edge: lone surrogates become U+FFFD, NUL goes, nothing else changes."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from innertalk.domain.messages import clean_json, clean_message, clean_text

# any code point, lone surrogates included (what surrogateescape or broken UTF-16 produce)
ANY_TEXT = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF))


@given(ANY_TEXT)
def test_cleaned_text_always_encodes_as_utf8(text: str) -> None:
    """Whatever comes in, the cleaned text encodes as UTF-8 and holds no NUL."""
    cleaned = clean_text(text)
    cleaned.encode("utf-8")
    assert "\0" not in cleaned


@given(ANY_TEXT)
def test_each_lone_surrogate_becomes_one_replacement_character(text: str) -> None:
    """Length and every other character are kept: one U+FFFD per surrogate, NULs dropped."""
    cleaned = clean_text(text)
    expected = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text if c != "\0")
    assert cleaned == expected


@given(st.text())
def test_valid_text_without_nul_is_left_alone(text: str) -> None:
    """Text that is already clean passes unchanged (and cleaning twice changes nothing)."""
    text = text.replace("\0", "")
    assert clean_text(text) == text
    assert clean_text(clean_text(text)) == clean_text(text)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
    max_leaves=12,
)


@given(JSON)
def test_cleaned_json_always_serializes(value: object) -> None:
    """Every string of a decoded update (keys too) is cleaned, so its JSON always encodes."""
    json.dumps(clean_json(value), ensure_ascii=False).encode("utf-8")


def test_the_issue_example_is_cleaned() -> None:
    """``hello \\xed\\xa0\\x80 \\xff\\xfe sad`` read with surrogateescape: replaced, not fatal."""
    line = b"hello \xed\xa0\x80 \xff\xfe sad\0".decode("utf-8", "surrogateescape")
    assert clean_message(line) == "hello \ufffd\ufffd\ufffd \ufffd\ufffd sad"
