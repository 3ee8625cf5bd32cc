"""Which links a message may carry, and how they are shown: https only, the host in view.

A label can say anything ("Crisis hotline"), so a clickable link shows the host it really leads
to next to it: ``label (example.org)``, unless the label already is that URL or host. Only
``https://`` URLs with a plain host qualify: no user info (``https://hotline.org@evil.com``), no
backslashes, spaces or invisible characters, nothing a browser and this check could read two
ways. A non-ASCII host is linked and shown in its punycode form, so a look-alike (``аpple.com``
with a Cyrillic а) can't pass for the original. Everything else — http, ``tg://resolve`` and
``tg://login``, ``javascript:``, ``mailto:``, relative paths — stays text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

SCHEME = "https://"
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_PORT = re.compile(r"[0-9]{1,5}")
_HOST_MAX = 253


@dataclass(frozen=True, slots=True)
class SafeLink:
    """An https URL fit to be clicked: ``href`` with its host in ASCII, and that ``host``
    (with a port, if any) as the reader is shown it."""

    href: str
    host: str

    def shown_by(self, label: str) -> bool:
        """Whether ``label`` (plain text) already shows where the link leads: the URL itself
        or its host, as written (a look-alike in Unicode does not count)."""
        written = label.strip().lower()
        written = written.removeprefix(SCHEME).rstrip("/")
        return written in (self.host, self.href.lower().removeprefix(SCHEME).rstrip("/"))


def safe_link(url: str) -> SafeLink | None:
    """``url`` as a ``SafeLink``, or None when it must stay text (see the module doc)."""
    if url[: len(SCHEME)].lower() != SCHEME or not all(_plain_char(char) for char in url):
        return None
    rest = url[len(SCHEME) :]
    end = min((i for i in (rest.find(stop) for stop in "/?#") if i != -1), default=len(rest))
    host = _host(rest[:end])
    return None if host is None else SafeLink(SCHEME + host + rest[end:], host)


def anchor(link: SafeLink, label_html: str, label_text: str) -> str:
    """Telegram HTML for the link: ``<a href>`` around ``label_html``, then `` (host)`` unless
    ``label_text`` (what the label shows) already is the URL or host."""
    html = f'<a href="{escape(link.href)}">{label_html}</a>'
    return html if link.shown_by(label_text) else f"{html} ({escape(link.host, quote=False)})"


def _host(authority: str) -> str | None:
    """The ASCII ``host[:port]`` of an authority, or None when it is anything else (user info,
    an IPv6 literal, characters no host name has)."""
    name, colon, port = authority.partition(":")
    if colon and not _PORT.fullmatch(port):
        return None
    try:
        ascii_name = name.lower().encode("idna").decode("ascii").rstrip(".")
    except UnicodeError:  # also empty labels, over-long names: not a host
        return None
    labels = ascii_name.split(".")
    if len(ascii_name) > _HOST_MAX or not all(_LABEL.fullmatch(label) for label in labels):
        return None
    return f"{ascii_name}{colon}{port}"


def _plain_char(char: str) -> bool:
    """Not a space, backslash, angle bracket or invisible character (``isprintable`` is false
    for controls, format characters such as U+202E, and every space but the ASCII one)."""
    return char.isprintable() and char not in " \\<>"
