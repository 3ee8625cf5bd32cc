"""The crisis notice as text: the calm message with one line per hotline (every entry point)."""

from __future__ import annotations

from collections.abc import Callable

from innertalk.application.safety import SafetyNotice
from innertalk.domain.safety import CATALOG, hotline_fields
from innertalk.presentation.texts import text


def notice_text(
    notice: SafetyNotice,
    escape: Callable[[str], str] = str,
    *,
    contact: Callable[[str], str] | None = None,
) -> str:
    """The notice in its language; ``escape`` is applied to each hotline field (HTML for
    Telegram, nothing for the console), ``contact`` (default: ``escape``) to the contact."""
    lines = []
    for hotline in notice.hotlines:
        key, fields = hotline_fields(hotline, notice.language)
        shown = {name: escape(value) for name, value in fields.items()}
        shown["contact"] = (contact or escape)(fields["contact"])
        lines.append(text(CATALOG, notice.language, key, **shown))
    return text(CATALOG, notice.language, notice.message_key, hotlines="\n".join(lines))
