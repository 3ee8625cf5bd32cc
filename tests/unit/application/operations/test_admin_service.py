"""Admin tools: statistics, blocking, and paced mailings that respect people who left."""

from __future__ import annotations

import asyncio

from innertalk.application.operations.admin import AdminService
from innertalk.application.wellbeing.reminder_dispatch import SendOutcome
from innertalk.domain.stats import Segment
from innertalk.domain.users import Language, UserKey
from tests.fakes.clock import FakeClock
from tests.fakes.core import Core, build_core
from tests.fakes.models import ScriptedModel

BOT = "bot"


class Outbox:
    def __init__(self, blocked: set[int] | None = None, broken: set[int] | None = None) -> None:
        self.sent: list[tuple[int, str, float]] = []
        self.blocked = blocked or set()
        self.broken = broken or set()
        self.clock: FakeClock | None = None

    async def send_text(self, key: UserKey, text: str) -> SendOutcome:
        if key.user_id in self.broken:
            raise ConnectionError
        if key.user_id in self.blocked:
            return SendOutcome.UNREACHABLE
        self.sent.append((key.user_id, text, self.clock.monotonic() if self.clock else 0.0))
        return SendOutcome.SENT


async def people(core: Core, count: int) -> None:
    for n in range(1, count + 1):
        language = Language.RU if n % 2 else Language.EN
        await core.profiles.ensure(UserKey(BOT, n), language=language, consent=True)


async def test_a_mailing_reaches_the_segment_paced_and_marks_blockers(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """Every consented person gets it at ≤ 25/s; a 403 marks that person unreachable."""
    core = build_core(model, clock)
    await people(core, 60)
    admin = AdminService(core.storage, core.profiles, clock)
    outbox = Outbox(blocked={7}, broken={9})
    outbox.clock = clock
    seen = []

    async def progress(report):  # type: ignore[no-untyped-def]
        seen.append(report.done)

    report = await admin.mail(BOT, Segment.ALL, "news", outbox, progress=progress)
    assert (report.total, report.sent, report.unreachable, report.failed) == (60, 58, 1, 1)
    times = [at for _, _, at in outbox.sent]
    assert all(times[n + 25] - times[n] >= 1.0 - 1e-9 for n in range(len(times) - 25))
    assert seen[-1] == 60
    assert (await core.profiles.get(UserKey(BOT, 7))).active is False  # type: ignore[union-attr]
    again = await admin.mail(BOT, Segment.ALL, "again", Outbox())
    assert again.total == 59
    assert admin.history == [report, again]


async def test_segments_choose_by_language(model: ScriptedModel, clock: FakeClock) -> None:
    """The Russian segment only reaches people whose language is Russian."""
    core = build_core(model, clock)
    await people(core, 6)
    admin = AdminService(core.storage, core.profiles, clock)
    outbox = Outbox()
    report = await admin.mail(BOT, Segment.RUSSIAN, "привет", outbox)
    assert report.total == 3
    assert sorted(user for user, _, _ in outbox.sent) == [1, 3, 5]


async def test_a_cancelled_mailing_reports_how_far_it_got(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """Cancelling stops the mailing; the log keeps a report marked cancelled."""
    core = build_core(model, clock)
    await people(core, 10)
    admin = AdminService(core.storage, core.profiles, clock)
    gate = asyncio.Event()

    class Slow(Outbox):
        async def send_text(self, key: UserKey, text: str) -> SendOutcome:
            if key.user_id == 3:
                await gate.wait()
            return await super().send_text(key, text)

    task = asyncio.create_task(admin.mail(BOT, Segment.ALL, "x", Slow()))
    for _ in range(50):
        await asyncio.sleep(0)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert admin.history[-1].cancelled
    assert admin.history[-1].sent == 2


async def test_blocking_and_statistics(model: ScriptedModel, clock: FakeClock) -> None:
    """Blocking someone unknown reports it; stats count blocked people."""
    core = build_core(model, clock)
    await people(core, 2)
    admin = AdminService(core.storage, core.profiles, clock)
    assert await admin.block(UserKey(BOT, 1), blocked=True)
    assert not await admin.block(UserKey(BOT, 99), blocked=True)
    stats = await admin.stats(BOT)
    assert (stats.users, stats.blocked) == (2, 1)
