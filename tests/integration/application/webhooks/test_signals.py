"""Crisis webhooks from the real safety pipeline, across a restart and from the running
worker: what reaches the partner, what the logs say, and that nothing is lost."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from structlog.testing import capture_logs

from innertalk.application.safety import SafetyService
from innertalk.application.webhooks.delivery import DeliveryPolicy, WebhookDelivery
from innertalk.application.webhooks.reporting import CrisisWebhooks
from innertalk.domain.safety import DEFAULT_HOTLINES
from innertalk.domain.tenants import CrisisWebhook, person_key
from innertalk.domain.users import Language, UserKey
from innertalk.infrastructure.outbox_seal import BodySeal
from innertalk.infrastructure.storage.local.webhook_outbox import LocalWebhookOutbox
from innertalk.infrastructure.storage.sqlite.storage import SqliteStorage
from innertalk.infrastructure.storage.sqlite.webhook_outbox import SqliteWebhookOutbox
from innertalk.infrastructure.webhook_poster import AiohttpWebhookPoster
from tests.fakes.clock import FakeClock
from tests.fakes.core import PSEUDONYMS, build_core
from tests.fakes.models import ScriptedModel
from tests.fakes.sleeper import eventually
from tests.integration.application.webhooks.support import (
    FakeTenants,
    RecordingMetrics,
    receiving,
)

CRISIS = "I have a knife and I will cut myself tonight, zanzibar"
REPLY = "I am here with you, marmalade."


async def test_a_crisis_message_reaches_the_partner_without_any_text() -> None:
    """TalkService's signal is enqueued off the reply's path and delivered; neither the
    payload nor any log line carries the person's or the model's words."""
    clock = FakeClock(datetime.now(UTC))
    tenants = FakeTenants()
    outbox, poster = LocalWebhookOutbox(), AiohttpWebhookPoster(2.0)
    webhooks = CrisisWebhooks(outbox=outbox, directory=tenants, refs=tenants, clock=clock)
    safety = SafetyService(directory=DEFAULT_HOTLINES, pseudonyms=PSEUDONYMS, webhooks=webhooks)
    core = build_core(ScriptedModel(lambda request: REPLY), clock, safety=safety)
    key = person_key("uni", "student-7")
    async with receiving("k") as receiver:
        tenants.add("uni", CrisisWebhook(receiver.url, "k"))
        await tenants.remember(key, "student-7")
        worker = WebhookDelivery(
            outbox=outbox,
            directory=tenants,
            poster=poster,
            clock=clock,
            metrics=RecordingMetrics(),
            nudge=webhooks.nudge,
        )
        stop = asyncio.Event()
        with capture_logs() as logs:
            running = asyncio.create_task(worker.run(stop))
            await core.profiles.ensure(key, language=Language.EN, consent=True)
            reply = await core.talk.reply(key, CRISIS)
            await eventually(lambda: len(receiver.deliveries) == 1)
            stop.set()
            await running
        await poster.close()
    assert reply.safety is not None
    (delivery,) = receiver.deliveries
    assert delivery.payload["person"] == {"ref": "student-7"}
    assert delivery.payload["category"] == reply.safety.signal.category.value
    assert delivery.payload["severity"] == "high"
    for word in ("knife", "zanzibar", "marmalade", "I am here"):
        assert word.encode() not in delivery.body
        assert not [line for line in logs if word in repr(line)]
    assert any(line["event"] == "webhook.delivered" for line in logs)


async def test_an_event_survives_a_crash_before_and_during_delivery(tmp_path: Path) -> None:
    """Enqueued then killed: a new process delivers it. Killed mid-attempt (claimed, never
    finished): delivered again once the dead worker's lease has expired."""
    path = tmp_path / "innertalk.sqlite3"
    storage = await SqliteStorage.open(path)
    await storage.migrate()
    await storage.close()
    clock = FakeClock(datetime.now(UTC))
    tenants = FakeTenants()
    async with receiving("k") as receiver:
        tenants.add("clinic", CrisisWebhook(receiver.url, "k"), bots=("111",))
        first = await SqliteWebhookOutbox.open(path, BodySeal())
        webhooks = CrisisWebhooks(outbox=first, directory=tenants, refs=tenants, clock=clock)
        safety = SafetyService(directory=DEFAULT_HOTLINES, webhooks=webhooks)
        notice = await safety.screen("I want to kill myself", Language.EN)
        assert notice is not None
        await safety.alert(UserKey("111", 1), notice.signal)
        await safety.alert(UserKey("111", 2), notice.signal)
        # the first process claims one event, then dies before answering for it
        (taken,) = await first.claim(clock.now(), timedelta(seconds=60), 1, claim="dead-worker")
        await first.close()

        second = await SqliteWebhookOutbox.open(path, BodySeal())
        poster = AiohttpWebhookPoster(2.0)
        worker = WebhookDelivery(
            outbox=second,
            directory=tenants,
            poster=poster,
            clock=clock,
            metrics=RecordingMetrics(),
            policy=DeliveryPolicy(lease=timedelta(seconds=60)),
        )
        assert await worker.deliver_due() == 1  # the one never claimed
        clock.advance(60)
        assert await worker.deliver_due() == 1  # the crashed attempt's, lease expired
        await poster.close()
        assert (await second.backlog()).pending == 0
        await second.close()
    delivered = [d.event_id for d in receiver.deliveries]
    assert len(delivered) == 2
    assert delivered[1] == taken.id
