"""Links in model output: only https becomes clickable, always with its real host in view."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from innertalk.presentation.telegram import parse_telegram_html, render_markdown, to_plain_text
from innertalk.presentation.telegram.render.links import safe_link


def render(text: str) -> str:
    html = render_markdown(text)
    parse_telegram_html(html)  # strict: also refuses any href but https
    return html


def links(html: str) -> list[tuple[str, str, str]]:
    """Each link Telegram would show: (url, its label, the visible text right after it)."""
    shown, entities = parse_telegram_html(html, strict=False)
    units = shown.encode("utf-16-le", "surrogatepass")

    def text(start: int, end: int) -> str:
        return units[2 * start : 2 * end].decode("utf-16-le", "surrogatepass")

    return [
        (
            entity.url or "",
            text(entity.offset, entity.offset + entity.length),
            text(entity.offset + entity.length, len(units) // 2),
        )
        for entity in entities
        if entity.type == "text_link"
    ]


def test_a_label_pretending_to_be_a_hotline_shows_where_it_leads() -> None:
    """A link labelled as a hotline but leading elsewhere is followed by its real host."""
    html = render("[Call the 988 Lifeline](https://evil.example/help)")
    assert html == '<a href="https://evil.example/help">Call the 988 Lifeline</a> (evil.example)'
    assert to_plain_text(html) == "Call the 988 Lifeline (evil.example)"


@pytest.mark.parametrize(
    "markdown",
    [
        "[Support chat](tg://resolve?domain=scammer)",
        "[Log in](tg://login?token=abc)",
        "<tg://resolve?domain=scammer>",
        '<a href="tg://resolve?domain=scammer">Support chat</a>',
        "[TG](TG://resolve?domain=x)",
        "[site](http://example.org)",
        "<http://example.org>",
        "[x](javascript:alert(1))",
        "[mail](mailto:help@example.org)",
        "<mailto:help@example.org>",
        "[x](/relative/path)",
        "[x](//example.org/path)",
        "[x](example.org)",
        "[x](ftp://example.org)",
        "[x](data:text/html,hi)",
    ],
)
def test_anything_but_https_stays_text(markdown: str) -> None:
    """tg://, http, javascript:, mailto:, relative and other links are shown as written text."""
    html = render(markdown)
    assert "<a" not in html
    assert links(html) == []
    assert to_plain_text(html) == markdown


@pytest.mark.parametrize(
    "markdown",
    [
        "[hotline](https://hotline.org@evil.example/)",
        "[x](https://evil.example\\\\@hotline.org)",
        "[x](https://[::1]/admin)",
        "[x](https://example.org:port/)",
        "[x](https://exa%6Dple.org/)",
        "[x](https://ex_ample.org/)",
        "[x](https://example..org/)",
        "[x](https://)",
        "[x](https://example.org/\u202egnp.exe)",
        "[x](https://example.org/\u200b)",
    ],
)
def test_https_links_with_a_disguised_or_odd_host_stay_text(markdown: str) -> None:
    """User info, backslashes, IPv6 literals, escapes, bad ports and invisible characters: no
    link (nothing a browser could read as another host)."""
    html = render(markdown)
    assert links(html) == []


def test_a_look_alike_unicode_host_is_linked_and_shown_as_punycode() -> None:
    """аpple.com with a Cyrillic а links to and shows its punycode, even when the label is
    that same Unicode host."""
    html = render("[apple.com](https://аpple.com/login) <https://аpple.com>")
    assert [(url, after[:20]) for url, _, after in links(html)] == [
        ("https://xn--pple-43d.com/login", " (xn--pple-43d.com) "),
        ("https://xn--pple-43d.com", " (xn--pple-43d.com)"),
    ]


@pytest.mark.parametrize(
    ("markdown", "shown"),
    [
        ("<https://example.org/a>", "https://example.org/a"),
        ("[example.org](https://example.org/a)", "example.org"),
        ("[EXAMPLE.org](https://Example.ORG)", "EXAMPLE.org"),
        ("[https://example.org/](https://example.org)", "https://example.org/"),
        ("[**example.org**](https://example.org)", "example.org"),
    ],
)
def test_a_label_that_is_the_url_or_host_gets_no_repeat(markdown: str, shown: str) -> None:
    """When the label already is the URL or the host, the host is not repeated after it."""
    assert to_plain_text(render(markdown)) == shown


def test_a_label_naming_another_host_still_gets_the_real_one() -> None:
    """A label naming a host that the URL only begins with still gets the real host."""
    assert to_plain_text(render("[example.org](https://example.org.evil.example/)")) == (
        "example.org (example.org.evil.example)"
    )


def test_markup_in_a_label_stays_markup_and_raw_html_stays_text() -> None:
    """A label's emphasis is kept; raw <a href> and <b> written by the model are escaped."""
    assert render("[**Call** `now`](https://help.example)") == (
        '<a href="https://help.example"><b>Call</b> <code>now</code></a> (help.example)'
    )
    html = render('<a href="https://evil.example">[x](https://help.example)</a>')
    assert links(html) == [("https://help.example", "x", " (help.example)</a>")]


def test_a_port_is_part_of_the_host_shown() -> None:
    """A non-default port is shown with the host."""
    assert to_plain_text(render("[x](https://example.org:8443/p)")) == "x (example.org:8443)"


def test_safe_link_keeps_the_path_and_lowercases_the_host() -> None:
    """The href keeps path, query and fragment as written; only the host is normalised."""
    link = safe_link("https://Ex.Example.ORG./A?b=C#D")
    assert link is not None
    assert (link.href, link.host) == ("https://ex.example.org/A?b=C#D", "ex.example.org")


LINKISH = [
    "[", "]", "(", ")", "](", "<", ">", "https://", "http://", "HTTPS://", "tg://",
    "tg://resolve?domain=x", "tg://login?token=1", "javascript:alert(1)", "mailto:a@b.c",
    "example.org", "аpple.com", "xn--pple-43d.com", "evil.example", "@", "\\", "/", "?q=1&r=2",
    "#top", ":8443", " ", "Hotline 988", "**", "_", "`", "\n", '<a href="tg://resolve">',
    "[Call now](https://evil.example/x)", "[x](tg://resolve?domain=y)", "<https://x.io>",
    "\u202e", "\u200b", "ß", "例え.jp", "%41", '"',
]  # fmt: skip
fragments = st.one_of(st.sampled_from(LINKISH), st.text(max_size=6))
linkish = st.lists(fragments, max_size=40).map("".join)
LABELS = st.text(min_size=1, max_size=15).filter(lambda s: "[" not in s and "]" not in s)
URLS = st.tuples(
    st.sampled_from(["https://", "http://", "tg://", "HTTPS://", "javascript:", "mailto:", ""]),
    st.one_of(st.sampled_from(["example.org", "аpple.com", "a@b.io", "例え.jp"]), st.text()),
    st.sampled_from(["", "/", "/path?x=1", "#f", ":443/x"]),
).map("".join)
written_links = st.tuples(LABELS, URLS).map(lambda pair: f"[{pair[0]}]({pair[1]})")


@given(st.one_of(linkish, written_links, st.lists(written_links, max_size=4).map(" ".join)))
def test_every_link_is_https_to_an_ascii_host_that_is_shown(text: str) -> None:
    """Whatever the model writes: every href is https (never tg://), its host is plain ASCII,
    and the host is in view — in the label, or right after it as " (host)"."""
    html = render_markdown(text)
    parse_telegram_html(html)  # strict mode refuses any other href
    for url, label, after in links(html):
        assert url.startswith("https://")
        host = urlsplit(url).netloc
        assert host.isascii()
        assert host
        assert "@" not in host
        assert "\\" not in host
        written = label.strip().lower().removeprefix("https://").rstrip("/")
        assert written in (host, url.lower().removeprefix("https://").rstrip("/")) or (
            after.startswith(f" ({host})")
        )
    assert "tg://" not in "".join(url for url, _, _ in links(html))
