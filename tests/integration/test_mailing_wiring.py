"""Mailings wired as ``innertalk bot`` runs them: the panel's desk enqueues in the database,
the worker started for the process's bots sends it through the bot's own client, and the
/admin menu's mailings land in the same history."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from innertalk.application.operations.mailing_jobs import MailingJobs
from innertalk.bootstrap import build_app
from innertalk.bootstrap.bot import telegram_bot
from innertalk.bootstrap.mailings import mailing_desk, mailing_worker, open_mailing_jobs
from innertalk.config import load_settings
from innertalk.domain.mailings import MailingJob, MailingState
from innertalk.domain.stats import Segment
from innertalk.domain.users import Language, UserKey
from innertalk.presentation.telegram.transport.client import create_bot
from tests.fakes.models import ScriptedModel
from tests.fakes.telegram import FakeTelegram
from tests.integration.bot_harness import isolate


async def finished(jobs: MailingJobs, job_id: str) -> MailingJob:
    """The job once it ended (up to 10 s): a row has no event to wait on."""
    async with asyncio.timeout(10):
        while True:
            job = await jobs.get(job_id)
            if job is not None and job.state.finished:
                return job
            await asyncio.sleep(0.01)


async def test_a_job_enqueued_by_the_desk_is_sent_by_the_bots_worker(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The deployment bot is the default tenant's (and not another tenant's); its person
    gets the job's HTML once, and the job is done in the database."""
    async with FakeTelegram() as telegram:
        isolate(monkeypatch, tmp_path, TELEGRAM_BOT_TOKEN=telegram.token)
        async with build_app(load_settings(None), model=ScriptedModel()) as app:
            bot_id = str(telegram.bot_user["id"])
            alex = telegram.user()
            await app.services.profiles.ensure(
                UserKey(bot_id, alex.id), language=Language.EN, consent=True
            )
            client = create_bot(telegram.token, sleep=asyncio.sleep, session=telegram.session())
            bot = telegram_bot(app, client)
            jobs = await open_mailing_jobs(app.settings)
            try:
                async with mailing_worker(app, [bot]) as worker:
                    desk = mailing_desk(app, jobs, worker.wake.set)
                    assert await desk.bots("default") == [bot_id]
                    assert await desk.bots("clinic") == []
                    job = await desk.enqueue(None, "ops", bot_id, Segment.ALL, "<b>Hi</b>")
                    [message] = await alex.wait_for_messages(1)
                    stored = await finished(jobs, job.id)
                    assert app.services.admin.journal is not None
                assert app.services.admin.journal is None
            finally:
                await jobs.close()
                await bot.close()
    assert message.html == "<b>Hi</b>"
    assert (stored.state, stored.progress.sent) == (MailingState.DONE, 1)
