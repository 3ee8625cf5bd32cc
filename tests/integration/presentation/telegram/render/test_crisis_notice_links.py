"""Links in crisis notices come only from the hotline directory, and only as https."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from innertalk.application.safety import SafetyNotice
from innertalk.domain.safety import (
    CrisisCategory,
    CrisisSignal,
    Hotline,
    HotlineFormatError,
    HotlineKind,
    Localized,
    Severity,
    parse_hotlines,
)
from innertalk.domain.users import Language
from innertalk.infrastructure.hotlines import HotlineFileError, load_hotlines
from innertalk.presentation.telegram import parse_telegram_html, to_plain_text
from innertalk.presentation.telegram.render.crisis_notice import notice_html

SIGNAL = CrisisSignal(CrisisCategory.SUICIDAL_IDEATION, Severity.CONCERN)


def notice(*hotlines: Hotline) -> SafetyNotice:
    """The English notice for suicidal thoughts listing ``hotlines``."""
    return SafetyNotice(SIGNAL, "suicidal_ideation", hotlines, Language.EN)


def line(contact: str, name: str = "Helpline", note: str | None = None) -> Hotline:
    return Hotline(
        Localized(name),
        contact,
        HotlineKind.DIRECTORY,
        note=None if note is None else Localized(note),
    )


def hrefs(html: str) -> list[str]:
    return [e.url or "" for e in parse_telegram_html(html)[1] if e.type == "text_link"]


@pytest.mark.parametrize(
    ("contact", "scheme"),
    [
        ("http://findahelpline.com", "http"),
        ("tg://resolve?domain=helpline", "tg"),
        ("chat: tg://login?token=1", "tg"),
        ("javascript:alert(1)", "javascript"),
        ("mailto:help@example.org", "mailto"),
        ("ftp://example.org", "ftp"),
    ],
)
def test_a_hotline_file_with_a_non_https_address_is_refused(contact: str, scheme: str) -> None:
    """http, tg://, javascript:, mailto: and other schemes in a contact fail parsing, naming the
    line and the scheme."""
    data = {"international": [{"name": "Helpline", "contact": contact}]}
    with pytest.raises(HotlineFormatError, match=rf"international\[0\].*https://.*{scheme}:"):
        parse_hotlines(data)


@pytest.mark.parametrize(
    "contact", ["https://user@evil.example/", "https://", "https://evil.example\\@help.org"]
)
def test_a_hotline_https_address_without_a_plain_host_is_refused(contact: str) -> None:
    """An https address must name a plain host: no user info, no backslash tricks."""
    data = {"countries": {"GB": [{"name": "Helpline", "contact": contact}]}}
    with pytest.raises(HotlineFormatError, match=r"countries\.GB\[0\].*plain host"):
        parse_hotlines(data)


@pytest.mark.parametrize(
    "contact", ["https://findahelpline.com", "112", "text HOME to 741741", "Text: 85258"]
)
def test_https_addresses_numbers_and_instructions_are_accepted(contact: str) -> None:
    """Numbers, texting instructions and https addresses are all valid contacts."""
    data = {"international": [{"name": "Helpline", "contact": contact}]}
    assert parse_hotlines(data).international[0].contact == contact


def test_an_operator_file_with_an_http_address_fails_loudly(tmp_path: Path) -> None:
    """Loading the file names it and the problem (start-up turns it into HOTLINES_FILE: …)."""
    file = tmp_path / "hotlines.toml"
    file.write_text('[[international]]\nname = "X"\ncontact = "http://x.example"\n')
    with pytest.raises(HotlineFileError, match=r"hotlines\.toml.*https://"):
        load_hotlines(file)


def test_an_https_contact_becomes_the_notices_only_link() -> None:
    """The directory's https contact is linked (text = the URL); numbers stay text."""
    html = notice_html(notice(line("112"), line("https://findahelpline.com", "Find A Helpline")))
    assert hrefs(html) == ["https://findahelpline.com"]
    assert '<a href="https://findahelpline.com">https://findahelpline.com</a>' in html


def test_a_look_alike_contact_host_is_shown_in_punycode() -> None:
    """A Unicode host in a contact is linked by, and shown with, its punycode."""
    html = notice_html(notice(line("https://fіndahelpline.com")))  # Cyrillic і
    [href] = hrefs(html)
    assert href.startswith("https://xn--")
    assert f"({href.removeprefix('https://')})" in to_plain_text(html)


@given(
    name=st.text(min_size=1),
    note=st.one_of(st.none(), st.text(min_size=1)),
    contact=st.one_of(
        st.text(min_size=1),
        st.sampled_from(
            [
                "[Call](tg://resolve?domain=x)",
                '<a href="tg://login?token=1">call</a>',
                "[help](https://evil.example)",
                "<https://evil.example>",
            ]
        ),
    ),
)
def test_no_field_text_can_put_a_link_into_a_notice(
    name: str, note: str | None, contact: str
) -> None:
    """Names, notes and contacts holding Markdown links or raw <a href> stay text: the notice
    is valid strict HTML whose only possible link is a contact that is itself an https URL."""
    html = notice_html(notice(line(contact, name, note)))
    for href in hrefs(html):  # strict parsing also refuses any non-https href
        assert contact.lower().startswith("https://")
        assert href.startswith("https://")
    assert len(hrefs(html)) <= 1
