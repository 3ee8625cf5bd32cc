"""/admin mailings (sent in-process by ``AdminService.mail``) are recorded in the mailing jobs'
history as they ended, so the panel lists them next to its own jobs."""

from __future__ import annotations

from innertalk.application.operations.admin import AdminService
from innertalk.application.wellbeing.reminder_dispatch import SendOutcome
from innertalk.domain.mailings import MailingProgress, MailingState
from innertalk.domain.stats import Segment
from innertalk.domain.users import Language, UserKey
from innertalk.infrastructure.storage.local.mailing_jobs import LocalMailingJobs
from tests.fakes.clock import FakeClock
from tests.fakes.core import build_core
from tests.fakes.models import ScriptedModel

BOT = "bot"


class Outbox:
    """Delivers to everyone but ``blocked`` (unreachable)."""

    def __init__(self, blocked: set[int] | None = None) -> None:
        self.blocked = blocked or set()

    async def send_text(self, key: UserKey, text: str) -> SendOutcome:
        return SendOutcome.UNREACHABLE if key.user_id in self.blocked else SendOutcome.SENT


async def test_admin_mailings_are_recorded_in_the_job_history(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """A mailing from the /admin menu lands in the job store's history as it ended (done or
    cancelled, with counts and who sent it), so the panel lists it too."""
    core = build_core(model, clock)
    for n in (1, 2, 3):
        await core.profiles.ensure(UserKey(BOT, n), language=Language.EN, consent=True)
    journal = LocalMailingJobs()
    admin = AdminService(core.storage, core.profiles, clock, journal=journal)
    await admin.mail(BOT, Segment.ALL, "<b>hi</b>", Outbox(blocked={2}), by="telegram:7")
    [job] = await journal.history([BOT], 10)
    assert (job.state, job.created_by, job.text, job.segment) == (
        MailingState.DONE,
        "telegram:7",
        "<b>hi</b>",
        Segment.ALL,
    )
    assert job.progress == MailingProgress(total=3, sent=2, unreachable=1)
    assert job.finished_at == clock.now()
    journal.failing = True  # a store that is down does not fail the mailing
    assert (await admin.mail(BOT, Segment.ALL, "again", Outbox())).sent == 2  # 2 left
