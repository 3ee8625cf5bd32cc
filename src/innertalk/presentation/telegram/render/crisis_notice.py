"""The crisis notice in Telegram: a calm message with the person's hotlines, as HTML.

Its only links are hotline contacts that are https URLs, taken from the hotline directory
(checked when it is parsed) and shown like every other link, host in view. No model text ever
reaches a notice: it is built from the catalog and the directory alone.
"""

from __future__ import annotations

import html
from functools import partial

from innertalk.application.safety import SafetyNotice
from innertalk.presentation.safety_notice import notice_text
from innertalk.presentation.telegram.render.links import anchor, safe_link

_escape = partial(html.escape, quote=False)


def notice_html(notice: SafetyNotice) -> str:
    """The notice's text with one line per hotline, every field escaped for Telegram HTML."""
    return notice_text(notice, _escape, contact=_contact_html)


def _contact_html(contact: str) -> str:
    """A contact that is an https URL as a link, anything else (a number, "text HOME to
    741741", a bare host) as text."""
    link = safe_link(contact)
    return _escape(contact) if link is None else anchor(link, _escape(contact), contact)
