"""One mailing per bot at a time: a second one (from any instance) sends nothing."""

from __future__ import annotations

import asyncio

import pytest

from innertalk.application.operations.admin import AdminService, MailingBusyError
from innertalk.application.wellbeing.reminder_dispatch import SendOutcome
from innertalk.domain.stats import Segment
from innertalk.domain.users import Language, UserKey
from innertalk.infrastructure.locks import LocalJobLocks
from tests.fakes.clock import FakeClock
from tests.fakes.core import build_core
from tests.fakes.models import ScriptedModel

BOT = "bot"


class GatedOutbox:
    """Delivers once ``gate`` is set, so a mailing can be held running."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.sent: list[int] = []

    async def send_text(self, key: UserKey, text: str) -> SendOutcome:
        await self.gate.wait()
        self.sent.append(key.user_id)
        return SendOutcome.SENT


async def test_a_second_mailing_is_refused_while_one_runs_then_allowed(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """While a mailing runs, another for the same bot raises MailingBusyError before reading
    the audience or sending; once it finished, the next one runs."""
    core = build_core(model, clock)
    for user_id in (1, 2):
        await core.profiles.ensure(UserKey(BOT, user_id), language=Language.EN, consent=True)
    locks = LocalJobLocks()
    admin = AdminService(core.storage, core.profiles, clock, locks=locks)
    other_instance = AdminService(core.storage, core.profiles, clock, locks=locks)
    outbox = GatedOutbox()
    running = asyncio.create_task(admin.mail(BOT, Segment.ALL, "news", outbox))
    await asyncio.sleep(0)
    with pytest.raises(MailingBusyError):
        await other_instance.mail(BOT, Segment.ALL, "twice", GatedOutbox())
    assert other_instance.history == []
    outbox.gate.set()
    assert (await running).sent == 2
    quiet = GatedOutbox()
    quiet.gate.set()
    assert (await other_instance.mail(BOT, Segment.ALL, "later", quiet)).sent == 2


async def test_a_cancelled_mailing_frees_the_lock(model: ScriptedModel, clock: FakeClock) -> None:
    """A mailing stopped by a shutdown releases its lock for the next one."""
    core = build_core(model, clock)
    await core.profiles.ensure(UserKey(BOT, 1), language=Language.EN, consent=True)
    admin = AdminService(core.storage, core.profiles, clock, locks=LocalJobLocks())
    running = asyncio.create_task(admin.mail(BOT, Segment.ALL, "news", GatedOutbox()))
    await asyncio.sleep(0)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    ready = GatedOutbox()
    ready.gate.set()
    assert (await admin.mail(BOT, Segment.ALL, "again", ready)).sent == 1
