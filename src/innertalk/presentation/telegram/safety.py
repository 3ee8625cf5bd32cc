"""The crisis notice in Telegram: a calm message with the person's hotlines, as HTML."""

from __future__ import annotations

import html

from innertalk.application.safety import SafetyNotice
from innertalk.domain.safety import CATALOG, hotline_fields
from innertalk.presentation.texts import catalog


def notice_html(notice: SafetyNotice) -> str:
    """The notice's text with one line per hotline, every field escaped for Telegram HTML."""
    texts = catalog(CATALOG, notice.language)
    lines = []
    for hotline in notice.hotlines:
        key, fields = hotline_fields(hotline, notice.language)
        lines.append(
            texts[key].format(**{k: html.escape(v, quote=False) for k, v in fields.items()})
        )
    return texts[notice.message_key].format(hotlines="\n".join(lines))
