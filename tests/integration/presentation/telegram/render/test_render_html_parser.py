"""Telegram's HTML parse mode as ``parse_telegram_html`` implements it (cases from TDLib's own)."""

from __future__ import annotations

import pytest

from innertalk.presentation.telegram import (
    ParsedEntity,
    TelegramHTMLError,
    parse_telegram_html,
    utf16_len,
    visible_length,
)


def lenient(html: str) -> tuple[str, list[ParsedEntity]]:
    return parse_telegram_html(html, strict=False)


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("🏟 🏟&lt;<abacaba", "Unclosed start tag at byte offset 13"),
        ("🏟 🏟&lt;<abac aba>", 'Unsupported start tag "abac" at byte offset 13'),
        ("🏟 🏟&lt;<i   =aba>", 'Empty attribute name in the tag "i" at byte offset 13'),
        (
            "🏟 🏟&lt;<i    aba>",
            'Expected equal sign in declaration of an attribute of the tag "i" at byte offset 13',
        ),
        ("🏟 🏟&lt;<i    aba  =  ", 'Unclosed start tag "i" at byte offset 13'),
        ("🏟 🏟&lt;<i    aba  =  190azAz-.,", "Unexpected end of name token at byte offset 27"),
        ('🏟 🏟&lt;<i    aba  =  "&lt;&gt;&quot;>', "Unclosed start tag at byte offset 13"),
        ("🏟 🏟&lt;</", "Unexpected end tag at byte offset 13"),
        ("🏟 🏟&lt;<b></b></", "Unexpected end tag at byte offset 20"),
        ("🏟 🏟&lt;<i>a</i   ", "Unclosed end tag at byte offset 17"),
        (
            "🏟 🏟&lt;<i>a</em   >",
            'Unmatched end tag at byte offset 17, expected "</i>", found "</em>"',
        ),
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ('<span class="x">a</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("&#57311;", "Text contains invalid Unicode characters after decoding HTML entities, "
         "check for unmatched surrogate code units"),
    ],
)  # fmt: skip
def test_refuses_what_telegram_refuses_with_its_words(html: str, reason: str) -> None:
    """Malformed HTML raises with Telegram's own explanation and byte offset."""
    with pytest.raises(TelegramHTMLError) as raised:
        lenient(html)
    assert raised.value.reason == reason
    assert str(raised.value) == f"Can't parse entities: {reason}"


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("&lt;&gt;&amp;&quot;&laquo;&raquo;&#12345678;", '<>&"&laquo;&raquo;&#12345678;'),
        ("🏟 🏟<i>🏟 &lt🏟</i>", "🏟 🏟🏟 <🏟"),
        ("a & b > c", "a & b > c"),
        ("&#128512;&#x1F600;", "😀😀"),
        ("<b aba   =   caba>x</>", "x"),
    ],
)
def test_decodes_text_as_telegram_does(html: str, text: str) -> None:
    """Only &lt; &gt; &amp; &quot; and numeric references decode; others stay literal."""
    assert lenient(html)[0] == text


def test_entity_offsets_count_utf16_code_units() -> None:
    """Offsets and lengths count emoji as two units, as the Bot API does."""
    text, entities = parse_telegram_html("🏟 🏟<i>🏟 &lt;🏟</i>")
    assert text == "🏟 🏟🏟 <🏟"
    assert entities == [ParsedEntity("italic", 5, 6)]
    assert utf16_len(text) == 11


def test_every_allowed_tag_becomes_its_entity() -> None:
    """Each tag of Telegram's HTML subset maps to the Bot API entity type."""
    html = (
        "<b>1</b><strong>2</strong><i>3</i><em>4</em><u>5</u><ins>6</ins><s>7</s>"
        "<strike>8</strike><del>9</del><tg-spoiler>a</tg-spoiler>"
        '<span class="tg-spoiler">b</span><code>c</code><pre>d</pre>'
        '<a href="https://example.com/?q=1&amp;r=2">e</a><blockquote>f</blockquote>'
        "<blockquote expandable>g</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">h</tg-emoji>'
    )
    text, entities = parse_telegram_html(html)
    assert text == "123456789abcdefgh"
    assert [entity.type for entity in entities] == [
        *["bold"] * 2, *["italic"] * 2, *["underline"] * 2, *["strikethrough"] * 3,
        *["spoiler"] * 2, "code", "pre", "text_link", "blockquote", "expandable_blockquote",
        "custom_emoji",
    ]  # fmt: skip
    assert entities[13].url == "https://example.com/?q=1&r=2"


def test_pre_with_code_language_is_one_pre_entity() -> None:
    """<pre><code class="language-x"> becomes a single pre entity carrying the language."""
    _, entities = parse_telegram_html('<pre><code class="language-python">x = 1</code></pre>')
    assert entities == [ParsedEntity("pre", 0, 5, language="python")]
    assert entities[0].to_api() == {"type": "pre", "offset": 0, "length": 5, "language": "python"}


def test_empty_elements_make_no_entities() -> None:
    """A tag around nothing is accepted but produces no entity, as in Telegram."""
    assert parse_telegram_html("x<b></b>") == ("x", [])


def test_lenient_mode_drops_links_telegram_cannot_use() -> None:
    """An unusable link keeps its text without formatting; a bare domain gets http://."""
    assert lenient('<a href="javascript:alert(1)">x</a>') == ("x", [])
    assert lenient("<a href=telegram.org>x</a>")[1][0].url == "http://telegram.org"


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("Q&A", 'Unescaped "&" at byte offset 1'),
        ("&lt", 'Unescaped "&" at byte offset 0'),
        ("a > b", 'Unescaped ">" at byte offset 2'),
        ('<b class="x">a</b>', 'Unsupported attribute "class" in the tag "b" at byte offset 0'),
        ('<a href="javascript:alert(1)">x</a>', 'Unsupported URL "javascript:alert(1)" in a link'),
        ('<a href="tg://login?token=1">x</a>', 'Unsupported URL "tg://login?token=1" in a link'),
        ('<a href="http://a.io">x</a>', 'Unsupported URL "http://a.io" in a link'),
        ('<a href="mailto:a@b.c">x</a>', 'Unsupported URL "mailto:a@b.c" in a link'),
        ("<code><b>x</b></code>", 'Tag "b" is not allowed inside "code" at byte offset 6'),
        ("<pre><i>x</i></pre>", 'Tag "i" is not allowed inside "pre" at byte offset 5'),
        ("<blockquote><blockquote>x</blockquote></blockquote>",
         "Tag \"blockquote\" can't be nested at byte offset 12"),
        ('<a href="a&b">x</a>', 'Unescaped "&" at byte offset 10'),
    ],
)  # fmt: skip
def test_strict_mode_refuses_sloppy_html_telegram_would_tolerate(html: str, reason: str) -> None:
    """Strict mode (the renderer's promise) refuses unescaped text and odd structure."""
    lenient(html)
    with pytest.raises(TelegramHTMLError) as raised:
        parse_telegram_html(html)
    assert raised.value.reason == reason


def test_lone_surrogates_are_refused() -> None:
    """Text that is not valid UTF-8 is refused before parsing."""
    with pytest.raises(TelegramHTMLError, match="UTF-8"):
        parse_telegram_html("a\ud800b")


def test_visible_length_is_measured_after_parsing() -> None:
    """Tags weigh nothing and a character reference weighs one character."""
    assert visible_length("<b>&amp;</b>😀") == 3
