"""``/mailing``: GET shows the compose form and history (or one job's progress with
``?job=``); POST ``action`` is ``preview``, ``edit``, ``send`` (the confirmation: a second
POST, CSRF checked by the shell) or ``cancel``. The text is rendered by the bot's own
renderer (``render_markdown``) both for the preview and for the job, so what is previewed is
what is sent. Audit lines name the job, bot, segment and counts — never the text."""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import Markup

from innertalk.application.operations.mailings import MailingDesk, MailingScopeError
from innertalk.domain.stats import Segment
from innertalk.presentation.panel.mailing import views
from innertalk.presentation.panel.page import PanelPage, PanelViewer, PostOutcome
from innertalk.presentation.telegram.render.markdown import render_markdown

TEXT_LIMIT = 20_000
"""Characters of Markdown accepted (a long letter; longer is cut off before rendering)."""


def mailing_pages(desk: MailingDesk) -> list[PanelPage]:
    """The page over ``desk`` (``bootstrap.mailings.mailing_desk``: the job store, the
    statistics store for audience counts, the clock and which bots each tenant owns)."""
    page = _MailingPage(desk)
    return [PanelPage("/mailing", "nav_mailing", page.get, page.post)]


class _MailingPage:
    def __init__(self, desk: MailingDesk) -> None:
        self._desk = desk

    async def get(self, viewer: PanelViewer, query: Mapping[str, str]) -> Markup:
        job_id = query.get("job")
        if job_id:
            return views.job_page(viewer, await self._desk.job(viewer.tenant, job_id))
        return await self._compose(viewer)

    async def post(self, viewer: PanelViewer, form: Mapping[str, str]) -> PostOutcome:
        action = form.get("action", "")
        if action == "cancel":
            return await self._cancel(viewer, form.get("job", ""))
        text = form.get("text", "")[:TEXT_LIMIT]
        segment = _segment(form.get("segment", ""))
        bot = form.get("bot", "")
        html = render_markdown(text)
        bots = await self._desk.bots(viewer.tenant)
        error = None if bot in bots else "unknown_bot"
        if error is None and not html:
            error = "empty_text"
        if action not in ("preview", "send") or error is not None:
            page = await self._compose(
                viewer, text=text, segment=segment.value, bot=bot, error=error
            )
            return PostOutcome(html=page)
        if action == "send":
            return await self._send(viewer, bot, segment, html)
        count = await self._desk.audience_size(viewer.tenant, bot, segment)
        page = views.preview(
            viewer, text=text, html=html, segment=segment.value, bot=bot, count=count
        )
        audit = f"mailing preview bot={bot} segment={segment.value} audience={count}"
        return PostOutcome(html=page, audit=audit)

    async def _send(
        self, viewer: PanelViewer, bot: str, segment: Segment, html: str
    ) -> PostOutcome:
        try:
            count = await self._desk.audience_size(viewer.tenant, bot, segment)
            job = await self._desk.enqueue(viewer.tenant, viewer.operator, bot, segment, html)
        except MailingScopeError:
            return PostOutcome(html=await self._compose(viewer, error="unknown_bot"))
        audit = f"mailing enqueued job={job.id} bot={bot} segment={segment.value} audience={count}"
        return PostOutcome(redirect=f"{views.ACTION}?job={job.id}", audit=audit)

    async def _cancel(self, viewer: PanelViewer, job_id: str) -> PostOutcome:
        job = await self._desk.cancel(viewer.tenant, job_id)
        if job is None:
            return PostOutcome(html=views.job_page(viewer, None))
        p = job.progress
        audit = (
            f"mailing cancel job={job.id} bot={job.bot_id} segment={job.segment.value} "
            f"state={job.state.value} sent={p.sent} total={p.total}"
        )
        return PostOutcome(redirect=f"{views.ACTION}?job={job.id}", audit=audit)

    async def _compose(
        self,
        viewer: PanelViewer,
        *,
        text: str = "",
        segment: str = Segment.ALL.value,
        bot: str = "",
        error: str | None = None,
    ) -> Markup:
        bots = await self._desk.bots(viewer.tenant)
        history = await self._desk.history(viewer.tenant)
        return views.compose(
            viewer, bots=bots, history=history, text=text, segment=segment, bot=bot, error=error
        )


def _segment(value: str) -> Segment:
    try:
        return Segment(value)
    except ValueError:
        return Segment.ALL
