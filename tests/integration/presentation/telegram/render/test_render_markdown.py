"""Model Markdown → Telegram HTML: each construct, escaping, and what stays literal."""

from __future__ import annotations

import pytest

from innertalk.presentation.telegram import parse_telegram_html, render_markdown, to_plain_text


def render(text: str) -> str:
    html = render_markdown(text)
    parse_telegram_html(html)  # every example must also be valid, strict Telegram HTML
    return html


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("**bold**", "<b>bold</b>"),
        ("__bold__", "<b>bold</b>"),
        ("*italic*", "<i>italic</i>"),
        ("_italic_", "<i>italic</i>"),
        ("~~gone~~", "<s>gone</s>"),
        ("||secret||", "<tg-spoiler>secret</tg-spoiler>"),
        ("***both***", "<i><b>both</b></i>"),
        ("**a *b* c**", "<b>a <i>b</i> c</b>"),
        ("*a **b** c*", "<i>a <b>b</b> c</i>"),
        ("`x < y && z`", "<code>x &lt; y &amp;&amp; z</code>"),
        ("`` a`b ``", "<code>a`b</code>"),
        ("`**not bold**`", "<code>**not bold**</code>"),
    ],
)
def test_inline_constructs(markdown: str, html: str) -> None:
    """Emphasis, strike, spoiler and code spans become their Telegram tags."""
    assert render(markdown) == html


@pytest.mark.parametrize(
    "markdown",
    [
        "**unclosed",
        "closing only**",
        "~~one side",
        "||lonely",
        "`tick",
        "2 * 3 * 4",
        "snake_case_variable_name",
        "a ~ b ~~~ c | d ||| e",
        "** spaced **",
        "[not a link]",
        "[label](relative/path)",
    ],
)
def test_unmatched_or_non_flanking_markers_stay_literal(markdown: str) -> None:
    """Markers that don't form a pair are shown exactly as the model wrote them."""
    assert to_plain_text(render(markdown)) == markdown


def test_backslash_escapes_make_markers_literal() -> None:
    """A backslash before a marker shows the marker instead of formatting."""
    assert render(r"\*not italic\* and \_ and \\") == "*not italic* and _ and \\"


def test_fenced_code_with_language() -> None:
    """A fenced block with a language becomes pre+code with the language class."""
    html = render("Look:\n```python\nif a < b and c & d:\n    print('**x**')\n```\nDone")
    assert html == (
        'Look:\n<pre><code class="language-python">if a &lt; b and c &amp; d:\n'
        "    print('**x**')</code></pre>\nDone"
    )
    assert parse_telegram_html(html)[1][0].language == "python"


def test_fenced_code_without_or_with_odd_language() -> None:
    """A block without a usable language becomes a plain pre block."""
    assert render("```\nraw *text*\n```") == "<pre>raw *text*</pre>"
    assert render('```"><script>\nx\n```') == "<pre>x</pre>"
    assert render("~~~\ntilde\n~~~") == "<pre>tilde</pre>"


def test_unclosed_fence_runs_to_the_end() -> None:
    """A reply still streaming (or cut off) shows its unfinished code block as code."""
    assert render("Start\n```js\nlet a = 1;") == (
        'Start\n<pre><code class="language-js">let a = 1;</code></pre>'
    )


def test_https_links_become_links_with_their_host_shown() -> None:
    """https links become <a href> (URL escaped) followed by the host they lead to."""
    assert render('[site](https://example.com/a?b=1&c="2")') == (
        '<a href="https://example.com/a?b=1&amp;c=&quot;2&quot;">site</a> (example.com)'
    )
    assert render("[wiki](https://en.wikipedia.org/wiki/A_(b))") == (
        '<a href="https://en.wikipedia.org/wiki/A_(b)">wiki</a> (en.wikipedia.org)'
    )
    assert render("<https://example.com>") == (
        '<a href="https://example.com">https://example.com</a>'
    )


def test_link_labels_are_formatted_but_links_do_not_nest() -> None:
    """A label may carry emphasis; a link inside a label stays text."""
    assert render("[**bold** label](https://a.io)") == (
        '<a href="https://a.io"><b>bold</b> label</a> (a.io)'
    )


@pytest.mark.parametrize(
    "markdown",
    [
        "[click](javascript:alert(1))",
        "[x](data:text/html,hi)",
        "[x](file:///etc/passwd)",
        "[me](mailto:me@example.com)",
        "[chat](tg://resolve?domain=x)",
        "[site](http://example.com)",
    ],
)
def test_links_with_other_schemes_are_plain_text(markdown: str) -> None:
    """Links to anything but https are rendered as the text written."""
    html = render(markdown)
    assert "<a" not in html
    assert to_plain_text(html) == markdown


def test_headings_become_bold_lines() -> None:
    """Any heading level becomes one bold line; closing hashes are dropped."""
    assert render("# Title\n### Sub *it* ###\ntext") == "<b>Title</b>\n<b>Sub <i>it</i></b>\ntext"


def test_lists_become_text_bullets() -> None:
    """-, * and + items become • bullets (indentation kept); numbered items keep numbers."""
    assert render("- one\n* two\n  + nested **b**\n1. first\n2) second") == (
        "• one\n• two\n  • nested <b>b</b>\n1. first\n2) second"
    )


def test_horizontal_rules() -> None:
    """---, *** and ___ lines become a dash line instead of literal markers."""
    assert render("a\n\n---\n\nb") == "a\n\n———\n\nb"


def test_quotes_become_one_blockquote() -> None:
    """Consecutive > lines form one blockquote; nested quotes are flattened into it."""
    assert render("> first **b**\n>> nested\n> - item\n\nafter") == (
        "<blockquote>first <b>b</b>\nnested\n• item</blockquote>\n\nafter"
    )


def test_emphasis_spans_lines_of_one_paragraph_only() -> None:
    """Emphasis may cross a line break inside a paragraph but never a blank line."""
    assert render("**a\nb**") == "<b>a\nb</b>"
    assert render("**a\n\nb**") == "**a\n\nb**"


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("<script>alert('x')</script>", "&lt;script&gt;alert('x')&lt;/script&gt;"),
        ("<b>not a tag</b>", "&lt;b&gt;not a tag&lt;/b&gt;"),
        ("&amp; stays as typed", "&amp;amp; stays as typed"),
        ('a < b > c & d "q"', 'a &lt; b &gt; c &amp; d "q"'),
    ],
)
def test_html_in_model_output_is_escaped(markdown: str, html: str) -> None:
    """HTML and character references the model writes are shown, never interpreted."""
    assert render(markdown) == html
    assert to_plain_text(render(markdown)) == markdown


def test_emoji_rtl_and_zero_width_characters_survive() -> None:
    """Emoji sequences, right-to-left text and zero-width characters are kept intact."""
    text = "👨\u200d👩\u200d👧 שלום \u200fمرحبا\u200b **ok**"
    assert to_plain_text(render(text)) == "👨\u200d👩\u200d👧 שלום \u200fمرحبا\u200b ok"


def test_control_characters_and_lone_surrogates_are_removed() -> None:
    """Characters Telegram refuses are dropped (controls) or replaced (broken surrogates)."""
    assert render("a\x00b\x07c\r\nd\ud800e") == "abc\nd\ufffde"


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t", "```\n```"])
def test_nothing_visible_renders_empty(text: str) -> None:
    """Whitespace-only input renders to an empty string (the caller sends nothing)."""
    assert to_plain_text(render(text)).strip() == ""


def test_plain_text_fallback_never_raises() -> None:
    """to_plain_text strips even HTML Telegram refused, so the fallback resend always works."""
    assert to_plain_text("<b>bold <x>y</b> &amp; &lt;") == "bold y & <"
