"""The crisis notice in Telegram: a calm message with the person's hotlines, as HTML."""

from __future__ import annotations

import html
from functools import partial

from innertalk.application.safety import SafetyNotice
from innertalk.presentation.safety_notice import notice_text


def notice_html(notice: SafetyNotice) -> str:
    """The notice's text with one line per hotline, every field escaped for Telegram HTML."""
    return notice_text(notice, partial(html.escape, quote=False))
