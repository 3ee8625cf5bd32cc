"""Crisis webhooks end to end over loopback HTTP: enqueued signals reach the right tenant's
receiver, signed, retried with backoff through failures, never carrying text."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest

from innertalk.application.backoff import Backoff
from innertalk.application.webhooks.delivery import DeliveryPolicy, WebhookDelivery
from innertalk.application.webhooks.reporting import CrisisWebhooks
from innertalk.domain.crisis_webhooks import signature
from innertalk.domain.safety.signals import CrisisCategory, CrisisSignal, Severity
from innertalk.domain.tenants import CrisisWebhook, person_key
from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.local.webhook_outbox import LocalWebhookOutbox
from innertalk.infrastructure.webhook_poster import AiohttpWebhookPoster
from tests.fakes.clock import FakeClock
from tests.integration.application.webhooks.support import (
    FakeTenants,
    Receiver,
    RecordingMetrics,
    receiving,
    refused_url,
)

SIGNAL = CrisisSignal(CrisisCategory.SELF_HARM, Severity.HIGH, rules=("en.self_harm.cut",))
TELEGRAM_PERSON = UserKey("111", 42)
POLICY = DeliveryPolicy(backoff=Backoff(5.0, 3600.0))  # no jitter: exact waits to assert


class Rig:
    """One process's worth: the outbox, the enqueueing side and the worker, on a fake clock
    that starts at the real time (receivers check signatures against their own clock)."""

    def __init__(self, tenants: FakeTenants, *, timeout: float = 2.0) -> None:
        self.clock = FakeClock(datetime.now(UTC))
        self.outbox = LocalWebhookOutbox()
        self.metrics = RecordingMetrics()
        self.poster = AiohttpWebhookPoster(timeout)
        self.webhooks = CrisisWebhooks(
            outbox=self.outbox, directory=tenants, refs=tenants, clock=self.clock
        )
        self.worker = WebhookDelivery(
            outbox=self.outbox,
            directory=tenants,
            poster=self.poster,
            clock=self.clock,
            metrics=self.metrics,
            policy=POLICY,
        )


@pytest.fixture
async def tenants() -> FakeTenants:
    return FakeTenants()


async def test_a_telegram_persons_signal_arrives_signed_without_text(tenants: FakeTenants) -> None:
    """A signal of a tenant's bot's person reaches its URL once, signed, as ids and labels."""
    async with receiving("s3cret-a") as receiver:
        tenants.add("clinic", CrisisWebhook(receiver.url, "s3cret-a"), bots=("111",))
        rig = Rig(tenants)
        event_id = await rig.webhooks.report(TELEGRAM_PERSON, SIGNAL)
        assert await rig.worker.deliver_due() == 1
        await rig.poster.close()
    ((delivery,),) = (receiver.deliveries,)
    assert delivery.event_id == event_id
    assert delivery.payload == {
        "id": event_id,
        "type": "crisis.signal",
        "tenant": "clinic",
        "person": {"telegram_user_id": 42, "bot_id": "111"},
        "category": "self_harm",
        "severity": "high",
        "at": delivery.payload["at"],
    }
    assert datetime.fromisoformat(delivery.payload["at"]) == rig.clock.now().replace(
        microsecond=rig.clock.now().microsecond // 1000 * 1000
    )
    assert receiver.forged == 0
    assert rig.metrics.outcomes == ["delivered"]
    assert (await rig.outbox.backlog()).pending == 0


async def test_an_api_person_is_named_by_the_partners_ref(tenants: FakeTenants) -> None:
    """An API person's event carries the partner's own ref, not an internal key."""
    async with receiving("k") as receiver:
        tenants.add("uni", CrisisWebhook(receiver.url, "k"))
        key = person_key("uni", "student-7")
        await tenants.remember(key, "student-7")
        rig = Rig(tenants)
        await rig.webhooks.report(key, SIGNAL)
        await rig.worker.deliver_due()
        await rig.poster.close()
    assert receiver.deliveries[0].payload["person"] == {"ref": "student-7"}


async def test_a_tenant_without_a_webhook_enqueues_nothing(tenants: FakeTenants) -> None:
    """No URL (or no tenant owning the realm): no event is stored at all."""
    tenants.add("quiet", None, bots=("111",))
    rig = Rig(tenants)
    assert await rig.webhooks.report(TELEGRAM_PERSON, SIGNAL) is None
    assert await rig.webhooks.report(UserKey("999", 1), SIGNAL) is None
    assert (await rig.outbox.backlog()).pending == 0
    await rig.poster.close()


async def test_tenant_b_never_receives_tenant_a_events(tenants: FakeTenants) -> None:
    """Each event goes only to the URL of the tenant owning the person's realm."""
    async with receiving("a-secret") as a, receiving("b-secret") as b:
        tenants.add("a", CrisisWebhook(a.url, "a-secret"), bots=("111",))
        tenants.add("b", CrisisWebhook(b.url, "b-secret"), bots=("222",))
        rig = Rig(tenants)
        await rig.webhooks.report(TELEGRAM_PERSON, SIGNAL)
        await rig.webhooks.report(person_key("a", "p1"), SIGNAL)
        await rig.webhooks.report(UserKey("222", 7), SIGNAL)
        await rig.worker.deliver_due()
        await rig.poster.close()
    assert {d.payload["tenant"] for d in a.deliveries} == {"a"}
    assert len(a.deliveries) == 2
    assert [d.payload["person"] for d in b.deliveries] == [
        {"telegram_user_id": 7, "bot_id": "222"}
    ]
    assert a.forged == b.forged == 0


async def test_failures_are_retried_with_backoff_then_delivered(tenants: FakeTenants) -> None:
    """Refused connection, a 500 and a timeout each reschedule (10, 20, 40 s); then 200."""
    async with receiving("k") as receiver:
        tenants.add("clinic", CrisisWebhook(refused_url(), "k"), bots=("111",))
        rig = Rig(tenants, timeout=0.3)
        await rig.webhooks.report(TELEGRAM_PERSON, SIGNAL)
        assert await rig.worker.deliver_due() == 1  # connection refused
        tenants.set_webhook("clinic", CrisisWebhook(receiver.url, "k"))  # read at each attempt
        receiver.script = [500, "hang"]
        for wait in (10.0, 20.0, 40.0):
            assert await rig.worker.deliver_due() == 0  # not due yet
            rig.clock.advance(wait - 0.001)
            assert await rig.worker.deliver_due() == 0
            rig.clock.advance(0.001)
            assert await rig.worker.deliver_due() == 1
        await rig.poster.close()
    assert rig.metrics.outcomes == ["failed_attempt"] * 3 + ["delivered"]
    assert receiver.requests == 3
    assert len(receiver.deliveries) == 1


async def test_an_event_failing_for_a_day_is_dead_and_kept(tenants: FakeTenants) -> None:
    """Past 24 h of failures the event is dead: counted, listed, never claimed again."""
    rig = Rig(tenants)
    async with receiving("k", lambda: rig.clock.now().timestamp()) as receiver:
        receiver.script = [503] * 100
        tenants.add("clinic", CrisisWebhook(receiver.url, "k"), bots=("111",))
        event_id = await rig.webhooks.report(TELEGRAM_PERSON, SIGNAL)
        for _ in range(40):
            await rig.worker.deliver_due()
            rig.clock.advance(3600)
        await rig.poster.close()
    assert rig.metrics.outcomes[-1] == "dead"
    assert rig.metrics.outcomes.count("dead") == 1
    (dead,) = await rig.outbox.dead(10)
    assert (dead.id, dead.tenant, dead.error) == (event_id, "clinic", "http_503")
    assert dead.attempts == receiver.requests
    backlog = await rig.outbox.backlog()
    assert (backlog.pending, backlog.dead) == (0, 1)
    await rig.worker.measure()
    assert rig.metrics.backlogs[-1] == (0, 0.0, 1)


async def test_two_workers_on_one_outbox_deliver_an_event_once(tenants: FakeTenants) -> None:
    """Concurrent workers (two processes) claim disjoint events: one POST per event."""
    async with receiving("k") as receiver:
        tenants.add("clinic", CrisisWebhook(receiver.url, "k"), bots=("111",))
        rig = Rig(tenants)
        other = WebhookDelivery(
            outbox=rig.outbox,
            directory=tenants,
            poster=rig.poster,
            clock=rig.clock,
            metrics=rig.metrics,
        )
        for user in range(5):
            await rig.webhooks.report(UserKey("111", user), SIGNAL)
        await asyncio.gather(rig.worker.deliver_due(), other.deliver_due())
        await rig.poster.close()
    assert receiver.requests == 5
    assert sorted(d.payload["person"]["telegram_user_id"] for d in receiver.deliveries) == list(
        range(5)
    )


async def test_a_store_that_is_down_loses_only_the_partners_copy(tenants: FakeTenants) -> None:
    """An outbox failure is counted and swallowed: the caller (the alert path) goes on."""
    failures: list[None] = []
    tenants.add("clinic", CrisisWebhook("http://127.0.0.1:9/", "k"), bots=("111",))
    rig = Rig(tenants)
    webhooks = CrisisWebhooks(
        outbox=rig.outbox,
        directory=tenants,
        refs=tenants,
        clock=rig.clock,
        on_failure=lambda: failures.append(None),
    )
    rig.outbox.failing = True
    assert await webhooks.report(TELEGRAM_PERSON, SIGNAL) is None
    assert failures == [None]
    await rig.poster.close()


def test_receiver_rejects_a_forged_signature() -> None:
    """The test receiver itself refuses a wrong secret (so its approval means something)."""
    receiver = Receiver("right")

    header = signature("wrong", b"{}", int(time.time()))
    assert not receiver._verified(header, b"{}")
    assert receiver._verified(signature("right", b"{}", int(time.time())), b"{}")
