"""The mailing page's HTML: jinja2 templates (``templates/mailing``, autoescaped) and the
texts of ``locales/<lang>/panel_mailing.toml``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from innertalk.domain.mailings import MailingJob
from innertalk.domain.stats import Segment
from innertalk.presentation.panel.page import PanelViewer
from innertalk.presentation.telegram.render.split import split_html
from innertalk.presentation.texts import Catalog, template

CATALOG = Catalog.PANEL_MAILING
ACTION = "/admin/mailing"
SEGMENTS = tuple(segment.value for segment in Segment)


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("innertalk.presentation.panel", "templates/mailing"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _render(name: str, viewer: PanelViewer, **context: Any) -> Markup:
    def t(key: str, **fields: object) -> str:
        written = template(CATALOG, viewer.language, key)
        return written.format(**fields) if fields else written

    page = _environment().get_template(name)
    html = page.render(t=t, moment=_moment, csrf=viewer.csrf_field, action=ACTION, **context)
    return Markup(html)  # noqa: S704 - autoescaped template output


def compose(
    viewer: PanelViewer,
    *,
    bots: Sequence[str],
    history: Sequence[MailingJob],
    text: str = "",
    segment: str = Segment.ALL.value,
    bot: str = "",
    error: str | None = None,
) -> Markup:
    return _render(
        "compose.html",
        viewer,
        bots=list(bots),
        history=list(history),
        text=text,
        segment=segment,
        bot=bot,
        segments=SEGMENTS,
        error=error,
    )


def preview(
    viewer: PanelViewer, *, text: str, html: str, segment: str, bot: str, count: int
) -> Markup:
    """``html`` (the Telegram HTML to send) shown as the messages it is sent as."""
    parts = split_html(html)
    return _render(
        "preview.html",
        viewer,
        text=text,
        parts=parts,
        srcdoc=preview_document(parts),
        segment=segment,
        bot=bot,
        count=count,
    )


def preview_document(parts: Sequence[str]) -> str:
    """The sandboxed frame's document: each message's Telegram HTML as it is (Telegram keeps
    line breaks, hence ``pre-wrap``); escaped once more by the template's attribute."""
    bubbles = "".join(f'<div class="message">{part}</div>' for part in parts)
    style = (
        "body{font:15px/1.4 sans-serif;margin:8px;background:#e6ebee}"
        ".message{white-space:pre-wrap;background:#fff;border-radius:8px;padding:8px 10px;"
        "margin:0 0 8px;max-width:32em}"
    )
    return f"<!doctype html><meta charset=utf-8><style>{style}</style>{bubbles}"


def job_page(viewer: PanelViewer, job: MailingJob | None) -> Markup:
    return _render("job.html", viewer, job=job)


def _moment(moment: datetime | None) -> str:
    return "—" if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")
