"""Mailing jobs: every adapter (local, SQLite, MongoDB wire fake, and a real MongoDB when
``INNERTALK_TEST_MONGODB_URI`` is set), clear and sealed, obeys one contract: leases, claims
that must still hold, checkpoints, cancelling, and the history."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from innertalk.application.operations.mailing_jobs import MailingJobs
from innertalk.domain.mailings import MailingJob, MailingProgress, MailingState
from innertalk.domain.stats import Segment
from innertalk.infrastructure.crypto import FieldCipher, generate_key, parse_key
from innertalk.infrastructure.outbox_seal import BodySeal
from innertalk.infrastructure.storage.local.mailing_jobs import LocalMailingJobs
from innertalk.infrastructure.storage.mongo.mailing_jobs import MongoMailingJobs
from innertalk.infrastructure.storage.sqlite.mailing_jobs import SqliteMailingJobs
from innertalk.infrastructure.storage.sqlite.storage import SqliteStorage
from tests.contract.mongodb import MONGODB_URI
from tests.fakes.mongo_server import mongo_server

KEY = parse_key(generate_key())
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)
TEXT = "<b>News</b> &amp; more"


@asynccontextmanager
async def local_jobs(_tmp: Path, seal: BodySeal) -> AsyncIterator[MailingJobs]:
    yield LocalMailingJobs(seal)


@asynccontextmanager
async def sqlite_jobs(tmp: Path, seal: BodySeal) -> AsyncIterator[MailingJobs]:
    path = tmp / "jobs.db"
    storage = await SqliteStorage.open(path)
    await storage.migrate()
    await storage.close()
    jobs = await SqliteMailingJobs.open(path, seal)
    try:
        yield jobs
    finally:
        await jobs.close()


@asynccontextmanager
async def mongo_jobs(_tmp: Path, seal: BodySeal) -> AsyncIterator[MailingJobs]:
    async with mongo_server() as server:
        jobs = await MongoMailingJobs.open(server.url(), "innertalk", seal)
        try:
            yield jobs
        finally:
            await jobs.close()


@asynccontextmanager
async def mongodb_jobs(_tmp: Path, seal: BodySeal) -> AsyncIterator[MailingJobs]:
    """A real server's database of this test only, dropped afterwards."""
    database = f"innertalk_test_{uuid.uuid4().hex[:12]}"
    jobs = await MongoMailingJobs.open(os.environ[MONGODB_URI], database, seal)
    try:
        yield jobs
    finally:
        try:
            await jobs._jobs.database.client.drop_database(database)
        finally:
            await jobs.close()


OPENERS = [local_jobs, sqlite_jobs, mongo_jobs] + (
    [mongodb_jobs] if os.environ.get(MONGODB_URI) else []
)


@pytest.fixture(
    params=[(o, s) for o in OPENERS for s in (False, True)],
    ids=[f"{o.__name__}{'+sealed' if s else ''}" for o in OPENERS for s in (False, True)],
)
async def jobs(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MailingJobs]:
    opener, sealed = request.param
    seal = BodySeal(FieldCipher([KEY]) if sealed else None, purpose="mailing")
    async with opener(tmp_path, seal) as opened:
        yield opened


def job(number: int, *, bot: str = "100", minutes: int = 0) -> MailingJob:
    created = NOW - timedelta(minutes=10 - minutes)
    return MailingJob(f"j{number}", bot, Segment.ACTIVE_7D, TEXT, "ops", created)


async def test_an_added_job_reads_back_pending_with_its_text(jobs: MailingJobs) -> None:
    """A new job is pending, with its text, segment, author and no progress."""
    await jobs.add(job(1))
    await jobs.add(job(1))  # a retried write stores nothing more
    stored = await jobs.get("j1")
    assert stored is not None
    assert (stored.text, stored.segment, stored.created_by, stored.opened) == (
        TEXT,
        Segment.ACTIVE_7D,
        "ops",
        True,
    )
    assert (stored.state, stored.progress, stored.started_at) == (
        MailingState.PENDING,
        MailingProgress(),
        None,
    )
    assert stored.created_at == NOW - timedelta(minutes=10)
    assert len(await jobs.history(None, 10)) == 1
    assert await jobs.get("nope") is None


async def test_a_claim_takes_the_oldest_open_job_of_the_bots_asked_for(jobs: MailingJobs) -> None:
    """Claims go oldest first, only for the bots named, and start the job's clock once."""
    await jobs.add(job(2, minutes=2))
    await jobs.add(job(1, minutes=1))
    await jobs.add(job(3, bot="200"))
    claimed = await jobs.claim(NOW, LEASE, bots=["100"], claim="c1")
    assert claimed is not None
    assert (claimed.id, claimed.state, claimed.claim) == ("j1", MailingState.SENDING, "c1")
    assert claimed.started_at == NOW
    assert claimed.text == TEXT
    second = await jobs.claim(NOW, LEASE, bots=["100"], claim="c2")
    assert second is not None
    assert second.id == "j2"
    assert await jobs.claim(NOW, LEASE, bots=["100"], claim="c3") is None
    assert await jobs.claim(NOW, LEASE, bots=[], claim="c3") is None


async def test_a_leased_job_is_taken_over_only_after_its_lease_expires(
    jobs: MailingJobs,
) -> None:
    """A second worker gets nothing while the lease holds; afterwards it takes the job over
    with its progress, and the first worker's writes no longer count."""
    await jobs.add(job(1))
    first = await jobs.claim(NOW, LEASE, bots=["100"], claim="c1")
    assert first is not None
    progress = MailingProgress(total=5, sent=2, failed=1, cursor=42)
    assert await jobs.checkpoint("j1", "c1", progress, leased_until=NOW + LEASE) is not None
    assert await jobs.claim(NOW + LEASE / 2, LEASE, bots=["100"], claim="c2") is None
    later = NOW + LEASE + timedelta(seconds=1)
    taken = await jobs.claim(later, LEASE, bots=["100"], claim="c2")
    assert taken is not None
    assert (taken.progress, taken.started_at) == (progress, NOW)
    stale = MailingProgress(total=5, sent=5)
    assert await jobs.checkpoint("j1", "c1", stale, leased_until=later + LEASE) is None
    assert not await jobs.finish("j1", "c1", stale, state=MailingState.DONE, at=later)
    stored = await jobs.get("j1")
    assert stored is not None
    assert stored.progress == progress


async def test_a_finished_job_keeps_its_counts_and_is_never_claimed_again(
    jobs: MailingJobs,
) -> None:
    """``finish`` records the state, counts and end; the job stays in the history."""
    await jobs.add(job(1))
    assert await jobs.claim(NOW, LEASE, bots=["100"], claim="c1") is not None
    done = MailingProgress(total=3, sent=2, unreachable=1, cursor=9)
    end = NOW + timedelta(seconds=5)
    assert await jobs.finish("j1", "c1", done, state=MailingState.DONE, at=end)
    stored = await jobs.get("j1")
    assert stored is not None
    assert (stored.state, stored.progress, stored.finished_at) == (MailingState.DONE, done, end)
    assert await jobs.claim(NOW + LEASE * 2, LEASE, bots=["100"], claim="c2") is None


async def test_cancelling_stops_a_pending_job_and_flags_a_sending_one(jobs: MailingJobs) -> None:
    """A pending job is cancelled at once; a sending one is asked to stop, which its worker
    sees at the next checkpoint; a finished one is left alone."""
    await jobs.add(job(1))
    await jobs.add(job(2, minutes=1))
    cancelled = await jobs.cancel("j1", NOW)
    assert cancelled is not None
    assert (cancelled.state, cancelled.finished_at) == (MailingState.CANCELLED, NOW)
    sending = await jobs.claim(NOW, LEASE, bots=["100"], claim="c1")
    assert sending is not None
    assert sending.id == "j2"
    flagged = await jobs.cancel("j2", NOW)
    assert flagged is not None
    assert (flagged.state, flagged.cancel_requested) == (MailingState.SENDING, True)
    seen = await jobs.checkpoint("j2", "c1", MailingProgress(1, 1), leased_until=NOW + LEASE)
    assert seen is not None
    assert seen.cancel_requested
    again = await jobs.cancel("j1", NOW + LEASE)
    assert again is not None
    assert again.finished_at == NOW
    assert await jobs.cancel("nope", NOW) is None


async def test_the_history_is_newest_first_and_scoped_to_bots(jobs: MailingJobs) -> None:
    """An operator's history lists only their bots' jobs, newest first, up to the limit."""
    await jobs.add(job(1, minutes=1))
    await jobs.add(job(2, minutes=2))
    await jobs.add(job(3, bot="200", minutes=3))
    assert [j.id for j in await jobs.history(["100"], 10)] == ["j2", "j1"]
    assert [j.id for j in await jobs.history(None, 2)] == ["j3", "j2"]
    assert await jobs.history([], 10) == []


async def test_a_sealed_text_is_not_stored_in_the_clear(tmp_path: Path) -> None:
    """With a key the stored text is ciphertext; without the key the job does not open."""
    path = tmp_path / "jobs.db"
    storage = await SqliteStorage.open(path)
    await storage.migrate()
    await storage.close()
    jobs = await SqliteMailingJobs.open(path, BodySeal(FieldCipher([KEY]), purpose="mailing"))
    await jobs.add(job(1))
    await jobs.close()
    with sqlite3.connect(path) as db:
        [(stored,)] = db.execute("SELECT text FROM mailing_jobs").fetchall()
    assert "News" not in stored
    keyless = await SqliteMailingJobs.open(path, BodySeal(purpose="mailing"))
    try:
        unopened = await keyless.get("j1")
    finally:
        await keyless.close()
    assert unopened is not None
    assert (unopened.opened, unopened.text) == (False, "")


async def test_a_recorded_mailing_keeps_how_it_ended_and_is_never_claimed(
    jobs: MailingJobs,
) -> None:
    """A mailing the /admin menu sent is stored as it ended, for the history only."""
    ended = replace(
        job(1),
        state=MailingState.CANCELLED,
        progress=MailingProgress(total=9, sent=4, failed=1, unreachable=2, cursor=-1),
        started_at=NOW - timedelta(minutes=9),
        finished_at=NOW - timedelta(minutes=8),
    )
    await jobs.record(ended)
    await jobs.record(ended)
    assert await jobs.get("j1") == ended
    assert await jobs.claim(NOW, LEASE, bots=["100"], claim="c1") is None
    assert [j.id for j in await jobs.history(["100"], 10)] == ["j1"]
