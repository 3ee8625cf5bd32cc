"""The mailing worker against the loopback Telegram Bot API: a durable job reaches its
segment once per person, its progress is stored, cancel stops it, a crash resumes where it
stopped, and two workers sharing the store never both send."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from aiogram import Bot

from innertalk.application.operations.admin import Messenger
from innertalk.application.operations.mailing_jobs import MailingJobs
from innertalk.application.operations.mailing_worker import MailingPolicy, MailingWorker
from innertalk.application.wellbeing.reminder_dispatch import SendOutcome
from innertalk.domain.mailings import MailingJob, MailingProgress, MailingState
from innertalk.domain.stats import Segment
from innertalk.domain.users import Language, UserKey
from innertalk.infrastructure.locks import LocalJobLocks
from innertalk.infrastructure.storage.sqlite.mailing_jobs import SqliteMailingJobs
from innertalk.infrastructure.storage.sqlite.storage import SqliteStorage
from innertalk.presentation.telegram.admin_console import TelegramMessenger
from innertalk.presentation.telegram.transport.sender import Sender
from tests.fakes.clock import FakeClock
from tests.fakes.core import Core, build_core
from tests.fakes.models import ScriptedModel
from tests.fakes.telegram import FakeTelegram

TEXT = "<b>Hello</b> from the team"
PEOPLE = (1001, 1002, 1003, 1004, 1005)


class Crash(BaseException):
    """The process dies (not an ``Exception``: nothing in the worker catches it)."""


class Watched:
    """A messenger that calls ``before(n)`` ahead of the ``n``-th delivery (1-based)."""

    def __init__(self, inner: Messenger, before: Callable[[int], object]) -> None:
        self.inner, self.before, self.count = inner, before, 0

    async def send_text(self, key: UserKey, text: str) -> SendOutcome:
        self.count += 1
        hook = self.before(self.count)
        if asyncio.iscoroutine(hook):
            await hook
        return await self.inner.send_text(key, text)


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        for user_id in PEOPLE:
            fake.user(user_id)
        yield fake


@pytest.fixture
async def messenger(telegram: FakeTelegram) -> AsyncIterator[TelegramMessenger]:
    bot = Bot(telegram.token, session=telegram.session())
    try:
        yield TelegramMessenger(Sender(bot))
    finally:
        await bot.session.close()


@pytest.fixture
async def core(model: ScriptedModel, clock: FakeClock, telegram: FakeTelegram) -> Core:
    core = build_core(model, clock)
    bot_id = str(telegram.bot_user["id"])
    for user_id in PEOPLE:
        language = Language.RU if user_id == 1005 else Language.EN
        await core.profiles.ensure(UserKey(bot_id, user_id), language=language, consent=True)
    return core


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "jobs.db"


@pytest.fixture
async def jobs(database: Path) -> AsyncIterator[MailingJobs]:
    storage = await SqliteStorage.open(database)
    await storage.migrate()
    await storage.close()
    opened = await SqliteMailingJobs.open(database)
    try:
        yield opened
    finally:
        await opened.close()


def worker(
    jobs: MailingJobs, core: Core, clock: FakeClock, bot_id: str, messenger: Messenger
) -> MailingWorker:
    return MailingWorker(
        jobs=jobs,
        audience=core.storage,
        profiles=core.profiles,
        messengers={bot_id: messenger},
        clock=clock,
        locks=LocalJobLocks(),
        policy=MailingPolicy(lease=timedelta(seconds=60)),
    )


async def enqueue(
    jobs: MailingJobs, telegram: FakeTelegram, clock: FakeClock, segment: Segment = Segment.ALL
) -> str:
    bot_id = str(telegram.bot_user["id"])
    await jobs.add(MailingJob("job1", bot_id, segment, TEXT, "ops", clock.now()))
    return bot_id


def received(telegram: FakeTelegram) -> dict[int, list[str]]:
    return {user_id: [m.html for m in telegram.messages_to(user_id)] for user_id in PEOPLE}


async def test_a_job_reaches_its_segment_once_each_and_counts_outcomes(
    jobs: MailingJobs,
    core: Core,
    clock: FakeClock,
    telegram: FakeTelegram,
    messenger: TelegramMessenger,
) -> None:
    """English-speaking people get the HTML exactly once, a person who blocked the bot is
    counted unreachable (and marked so), the Russian speaker gets nothing; the job is done."""
    bot_id = await enqueue(jobs, telegram, clock, Segment.ENGLISH)
    telegram.block(1004)
    assert await worker(jobs, core, clock, bot_id, messenger).round()
    got = received(telegram)
    assert got == {1001: [TEXT], 1002: [TEXT], 1003: [TEXT], 1004: [], 1005: []}
    job = await jobs.get("job1")
    assert job is not None
    assert job.state is MailingState.DONE
    assert job.progress == MailingProgress(total=4, sent=3, unreachable=1, cursor=1004)
    assert job.finished_at is not None
    profile = await core.profiles.get(UserKey(bot_id, 1004))
    assert profile is not None
    assert not profile.active
    assert not await worker(jobs, core, clock, bot_id, messenger).round()


async def test_a_crash_mid_job_resumes_after_the_lease_without_sending_twice(
    jobs: MailingJobs,
    database: Path,
    core: Core,
    clock: FakeClock,
    telegram: FakeTelegram,
    messenger: TelegramMessenger,
) -> None:
    """The process dies before the third message: the stored progress says two were sent;
    another instance takes the job over once the lease expired and sends only to the rest."""
    bot_id = await enqueue(jobs, telegram, clock)

    def die_at_third(number: int) -> None:
        if number == 3:
            raise Crash

    with pytest.raises(Crash):
        await worker(jobs, core, clock, bot_id, Watched(messenger, die_at_third)).round()
    stored = await jobs.get("job1")
    assert stored is not None
    assert stored.state is MailingState.SENDING
    assert stored.progress == MailingProgress(total=5, sent=2, cursor=1002)
    other_instance = await SqliteMailingJobs.open(database)
    try:
        successor = worker(other_instance, core, clock, bot_id, messenger)
        assert not await successor.round()  # the dead worker's lease still holds
        clock.advance(61)
        assert await successor.round()
    finally:
        await other_instance.close()
    assert received(telegram) == {user_id: [TEXT] for user_id in PEOPLE}
    done = await jobs.get("job1")
    assert done is not None
    assert (done.state, done.progress.sent, done.progress.total) == (MailingState.DONE, 5, 5)


async def test_cancel_stops_a_sending_job_between_messages(
    jobs: MailingJobs,
    core: Core,
    clock: FakeClock,
    telegram: FakeTelegram,
    messenger: TelegramMessenger,
) -> None:
    """An operator cancels after the second message: nobody after it gets the mailing, and
    the job ends cancelled with the counts so far."""
    bot_id = await enqueue(jobs, telegram, clock)

    async def cancel_during_second(number: int) -> None:
        if number == 2:
            await jobs.cancel("job1", clock.now())

    assert await worker(
        jobs, core, clock, bot_id, Watched(messenger, cancel_during_second)
    ).round()
    got = received(telegram)
    assert [user_id for user_id, texts in got.items() if texts] == [1001, 1002]
    job = await jobs.get("job1")
    assert job is not None
    assert job.state is MailingState.CANCELLED
    assert job.progress == MailingProgress(total=5, sent=2, cursor=1002)


async def test_a_job_cancelled_while_pending_is_never_sent(
    jobs: MailingJobs,
    core: Core,
    clock: FakeClock,
    telegram: FakeTelegram,
    messenger: TelegramMessenger,
) -> None:
    """Cancelled before any worker claimed it: no message at all."""
    bot_id = await enqueue(jobs, telegram, clock)
    await jobs.cancel("job1", clock.now())
    assert not await worker(jobs, core, clock, bot_id, messenger).round()
    assert telegram.messages_to(1001) == []


async def test_two_workers_sharing_the_store_never_both_send(
    jobs: MailingJobs,
    database: Path,
    core: Core,
    clock: FakeClock,
    telegram: FakeTelegram,
    messenger: TelegramMessenger,
) -> None:
    """Two instances (their own connections and locks) race for one job: one sends it, the
    other finds nothing; every person gets one message."""
    bot_id = await enqueue(jobs, telegram, clock)
    other_instance = await SqliteMailingJobs.open(database)
    try:
        first = worker(jobs, core, clock, bot_id, messenger)
        second = worker(other_instance, core, clock, bot_id, messenger)
        outcomes = await asyncio.gather(first.round(), second.round())
    finally:
        await other_instance.close()
    assert sorted(outcomes) == [False, True]
    assert received(telegram) == {user_id: [TEXT] for user_id in PEOPLE}


async def test_the_worker_runs_until_stopped_and_wakes_for_a_new_job(
    jobs: MailingJobs,
    core: Core,
    clock: FakeClock,
    telegram: FakeTelegram,
    messenger: TelegramMessenger,
) -> None:
    """``run`` sends a job enqueued while it waits as soon as it is woken, then stops."""
    bot_id = str(telegram.bot_user["id"])
    running = worker(jobs, core, clock, bot_id, messenger)
    stop = asyncio.Event()
    task = asyncio.create_task(running.run(stop))
    await asyncio.sleep(0)
    await enqueue(jobs, telegram, clock)
    running.wake.set()
    await telegram.user(1005).wait_for_messages(1)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert received(telegram)[1005] == [TEXT]


async def test_a_stopping_worker_hands_its_job_back_for_another_to_resume_at_once(
    jobs: MailingJobs,
    core: Core,
    clock: FakeClock,
    telegram: FakeTelegram,
    messenger: TelegramMessenger,
) -> None:
    """A shutdown during the third message: the job keeps its progress and its lease ends,
    so another instance resumes it without waiting, and nobody gets two messages."""
    bot_id = await enqueue(jobs, telegram, clock)
    stop = asyncio.Event()

    def stop_at_third(number: int) -> None:
        if number == 3:
            stop.set()

    stopping = worker(jobs, core, clock, bot_id, Watched(messenger, stop_at_third))
    assert await stopping.round(stop)
    stored = await jobs.get("job1")
    assert stored is not None
    assert (stored.state, stored.progress.sent) == (MailingState.SENDING, 3)
    assert await worker(jobs, core, clock, bot_id, messenger).round()
    assert received(telegram) == {user_id: [TEXT] for user_id in PEOPLE}
