"""The panel's mailing page: compose, a preview that is exactly the bot's rendering, the
confirming POST that enqueues a job, progress, cancel and history — within the operator's
tenant, with audit lines that never carry the text."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from markupsafe import Markup

from innertalk.application.operations.mailings import MailingDesk
from innertalk.domain.mailings import MailingProgress, MailingState
from innertalk.domain.stats import Segment
from innertalk.domain.users import Language, UserKey
from innertalk.infrastructure.storage.local.mailing_jobs import LocalMailingJobs
from innertalk.presentation.panel.mailing import mailing_pages
from innertalk.presentation.panel.mailing.views import preview_document
from innertalk.presentation.panel.page import PanelPage, PanelViewer, PostOutcome
from innertalk.presentation.telegram.render.markdown import render_markdown
from innertalk.presentation.telegram.render.split import split_html
from tests.fakes.clock import FakeClock
from tests.fakes.core import Core, build_core
from tests.fakes.models import ScriptedModel

CSRF = Markup('<input type="hidden" name="csrf_token" value="tok">')
TEXT = "**Big news** & <script>alert(1)</script>\n\nSee [the site](https://example.org)."
LEASE = timedelta(minutes=1)
BOTS = {"alpha": ["100"], "beta": ["200", "300"]}


async def bots_of(tenant: str | None) -> list[str]:
    return sorted(b for name, bots in BOTS.items() for b in bots if tenant in (None, name))


def viewer(tenant: str | None = "alpha", language: Language = Language.EN) -> PanelViewer:
    return PanelViewer("olga", tenant, language, CSRF)


@pytest.fixture
async def core(model: ScriptedModel, clock: FakeClock) -> Core:
    core = build_core(model, clock)
    for bot, user_id, language in (("100", 1, Language.EN), ("100", 2, Language.RU)):
        await core.profiles.ensure(UserKey(bot, user_id), language=language, consent=True)
    await core.profiles.ensure(UserKey("200", 3), language=Language.EN, consent=True)
    return core


@pytest.fixture
def jobs() -> LocalMailingJobs:
    return LocalMailingJobs()


@pytest.fixture
def page(core: Core, clock: FakeClock, jobs: LocalMailingJobs) -> PanelPage:
    desk = MailingDesk(jobs=jobs, stats=core.storage, clock=clock, bots_of=bots_of)
    [page] = mailing_pages(desk)
    return page


async def post(page: PanelPage, who: PanelViewer, **form: str) -> PostOutcome:
    assert page.post is not None
    return await page.post(who, form)


def srcdoc(markup: str) -> str:
    [found] = re.findall(r'srcdoc="([^"]*)"', markup)
    return html.unescape(found)


async def test_compose_offers_segments_and_a_form_with_csrf(page: PanelPage) -> None:
    """The form posts with the CSRF field, offers every segment, and no bot choice when the
    tenant has one bot; the history is empty."""
    shown = await page.get(viewer(), {})
    assert page.path == "/mailing"
    assert str(CSRF) in shown
    assert all(f'value="{segment.value}"' in shown for segment in Segment)
    assert '<input type="hidden" name="bot" value="100">' in shown
    assert '<select id="mailing-bot"' not in shown
    assert "No mailings yet." in shown
    several = await page.get(viewer("beta", Language.RU), {})
    assert '<select id="mailing-bot" name="bot">' in several
    assert "Рассылок пока не было." in several


async def test_the_preview_is_exactly_what_the_bot_sends_with_the_audience(
    page: PanelPage,
) -> None:
    """The sandboxed frame holds the bot renderer's HTML for the text (raw HTML escaped, as
    in Telegram), the audience of the segment is counted, and the audit has no text."""
    outcome = await post(page, viewer(), action="preview", text=TEXT, segment="en", bot="100")
    assert outcome.html is not None
    shown = str(outcome.html)
    sent = render_markdown(TEXT)
    assert "<b>Big news</b> &amp; &lt;script&gt;" in sent
    assert srcdoc(shown) == preview_document(split_html(sent))
    assert sent in srcdoc(shown)
    assert 'sandbox=""' in shown
    assert "<script>" not in shown
    assert "1 people in “English speakers” of bot 100 will get this." in shown
    assert "Send to 1 people" in shown
    assert shown.count(str(CSRF)) == 2  # confirm and change
    assert outcome.audit == "mailing preview bot=100 segment=en audience=1"


async def test_confirming_enqueues_the_rendered_text_and_shows_its_progress(
    page: PanelPage, jobs: LocalMailingJobs, clock: FakeClock
) -> None:
    """The second POST stores a pending job with the rendered HTML and redirects to its
    progress page, which refreshes itself and offers cancel."""
    outcome = await post(page, viewer(), action="send", text=TEXT, segment="all", bot="100")
    assert outcome.redirect is not None
    job_id = outcome.redirect.removeprefix("/admin/mailing?job=")
    job = await jobs.get(job_id)
    assert job is not None
    assert (job.text, job.created_by, job.segment, job.state) == (
        render_markdown(TEXT),
        "olga",
        Segment.ALL,
        MailingState.PENDING,
    )
    assert outcome.audit == f"mailing enqueued job={job_id} bot=100 segment=all audience=2"
    progress = await page.get(viewer(), {"job": job_id})
    assert '<meta http-equiv="refresh" content="5">' in progress
    assert "waiting for a bot instance" in progress
    assert 'value="cancel"' in progress
    history = await page.get(viewer(), {})
    assert f"?job={job_id}" in history


async def test_progress_shows_the_stored_counts(
    page: PanelPage, jobs: LocalMailingJobs, clock: FakeClock
) -> None:
    """A job a worker is sending shows its state and counts as stored."""
    outcome = await post(page, viewer(), action="send", text="hi", segment="all", bot="100")
    assert outcome.redirect is not None
    job_id = outcome.redirect.rsplit("=", 1)[1]
    claimed = await jobs.claim(clock.now(), LEASE, bots=["100"], claim="w")
    assert claimed is not None
    progress = MailingProgress(total=40, sent=12, failed=1, unreachable=2, cursor=9)
    await jobs.checkpoint(job_id, "w", progress, leased_until=clock.now())
    shown = await page.get(viewer(), {"job": job_id})
    assert '<span class="counts">15 / 40</span>' in shown
    assert '<dd class="sent">12</dd>' in shown
    assert '<dd class="unreachable">2</dd>' in shown
    assert "sending" in shown


async def test_cancel_stops_a_pending_job_and_is_audited_without_text(
    page: PanelPage, jobs: LocalMailingJobs
) -> None:
    """Cancelling a job nobody sends yet ends it; the audit names job, state and counts."""
    sent = await post(page, viewer(), action="send", text=TEXT, segment="all", bot="100")
    assert sent.redirect is not None
    job_id = sent.redirect.rsplit("=", 1)[1]
    outcome = await post(page, viewer(), action="cancel", job=job_id)
    assert outcome.redirect == f"/admin/mailing?job={job_id}"
    assert outcome.audit == (
        f"mailing cancel job={job_id} bot=100 segment=all state=cancelled sent=0 total=0"
    )
    job = await jobs.get(job_id)
    assert job is not None
    assert job.state is MailingState.CANCELLED
    shown = await page.get(viewer(), {"job": job_id})
    assert "http-equiv" not in shown
    assert 'value="cancel"' not in shown


async def test_an_operator_sees_and_mails_only_their_tenants_bots(page: PanelPage) -> None:
    """Another tenant's bot is refused, its jobs are neither listed, shown nor cancellable;
    an operator of every tenant sees them all."""
    refused = await post(page, viewer(), action="send", text="hi", segment="all", bot="200")
    assert refused.redirect is None
    assert refused.html is not None
    assert "That bot is not one of yours." in refused.html
    theirs = await post(page, viewer("beta"), action="send", text="hi", segment="all", bot="200")
    assert theirs.redirect is not None
    job_id = theirs.redirect.rsplit("=", 1)[1]
    assert f"?job={job_id}" not in await page.get(viewer(), {})
    assert "No such mailing." in await page.get(viewer(), {"job": job_id})
    cancel = await post(page, viewer(), action="cancel", job=job_id)
    assert (cancel.redirect, cancel.audit) == (None, None)
    assert f"?job={job_id}" in await page.get(viewer(None), {})


async def test_an_empty_text_goes_back_to_the_form(page: PanelPage) -> None:
    """Whitespace renders to nothing: the form comes back with a message, nothing is queued."""
    outcome = await post(page, viewer(), action="send", text="  \n ", segment="all", bot="100")
    assert outcome.redirect is None
    assert outcome.html is not None
    assert "The text is empty after formatting" in outcome.html
    assert "No mailings yet." in outcome.html
