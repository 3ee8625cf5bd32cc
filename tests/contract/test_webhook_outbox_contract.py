"""The crisis webhook outbox: every adapter (local, SQLite, MongoDB wire fake, and a real
MongoDB when ``INNERTALK_TEST_MONGODB_URI`` is set), clear and sealed, obeys one contract:
leases, claims that must still hold, retries, dead events."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from innertalk.application.webhooks.outbox import OutboxEvent, WebhookOutbox
from innertalk.infrastructure.crypto import FieldCipher, generate_key, parse_key
from innertalk.infrastructure.outbox_seal import BodySeal
from innertalk.infrastructure.storage.local.webhook_outbox import LocalWebhookOutbox
from innertalk.infrastructure.storage.mongo.webhook_outbox import MongoWebhookOutbox
from innertalk.infrastructure.storage.sqlite.storage import SqliteStorage
from innertalk.infrastructure.storage.sqlite.webhook_outbox import SqliteWebhookOutbox
from tests.contract.mongodb import MONGODB_URI
from tests.fakes.mongo_server import mongo_server

KEY = parse_key(generate_key())
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


@asynccontextmanager
async def local_outbox(_tmp: Path, seal: BodySeal) -> AsyncIterator[WebhookOutbox]:
    yield LocalWebhookOutbox(seal)


@asynccontextmanager
async def sqlite_outbox(tmp: Path, seal: BodySeal) -> AsyncIterator[WebhookOutbox]:
    path = tmp / "outbox.db"
    storage = await SqliteStorage.open(path)
    await storage.migrate()
    await storage.close()
    outbox = await SqliteWebhookOutbox.open(path, seal)
    try:
        yield outbox
    finally:
        await outbox.close()


@asynccontextmanager
async def mongo_outbox(_tmp: Path, seal: BodySeal) -> AsyncIterator[WebhookOutbox]:
    async with mongo_server() as server:
        outbox = await MongoWebhookOutbox.open(server.url(), "innertalk", seal)
        try:
            yield outbox
        finally:
            await outbox.close()


@asynccontextmanager
async def mongodb_outbox(_tmp: Path, seal: BodySeal) -> AsyncIterator[WebhookOutbox]:
    """A real server's database of this test only, dropped afterwards."""
    database = f"innertalk_test_{uuid.uuid4().hex[:12]}"
    outbox = await MongoWebhookOutbox.open(os.environ[MONGODB_URI], database, seal)
    try:
        yield outbox
    finally:
        try:
            await outbox._events.database.client.drop_database(database)
        finally:
            await outbox.close()


OPENERS = [local_outbox, sqlite_outbox, mongo_outbox] + (
    [mongodb_outbox] if os.environ.get(MONGODB_URI) else []
)


@pytest.fixture(
    params=[(o, s) for o in OPENERS for s in (False, True)],
    ids=[f"{o.__name__}{'+sealed' if s else ''}" for o in OPENERS for s in (False, True)],
)
async def outbox(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[WebhookOutbox]:
    opener, sealed = request.param
    seal = BodySeal(FieldCipher([KEY]) if sealed else None)
    async with opener(tmp_path, seal) as opened:
        yield opened


def event(number: int, *, due: datetime = NOW, tenant: str = "clinic") -> OutboxEvent:
    body = b'{"id":"e%d","type":"crisis.signal"}' % number
    return OutboxEvent(f"e{number}", tenant, body, created_at=due, due_at=due)


async def test_a_claim_returns_due_events_oldest_first_with_their_bodies(
    outbox: WebhookOutbox,
) -> None:
    """Due events come back in due order, bodies intact; later ones and extras wait."""
    await outbox.add(event(2, due=NOW - timedelta(seconds=5)))
    await outbox.add(event(1, due=NOW - timedelta(seconds=10)))
    await outbox.add(event(3, due=NOW + timedelta(seconds=30)))
    claimed = await outbox.claim(NOW, LEASE, 10, claim="c1")
    assert [e.id for e in claimed] == ["e1", "e2"]
    assert claimed[0].body == b'{"id":"e1","type":"crisis.signal"}'
    assert {(e.claim, e.attempts, e.opened, e.tenant) for e in claimed} == {
        ("c1", 0, True, "clinic")
    }
    assert claimed[0].created_at == NOW - timedelta(seconds=10)


async def test_an_event_added_twice_is_kept_once(outbox: WebhookOutbox) -> None:
    """A retried write of the same event id stores nothing more."""
    await outbox.add(event(1))
    await outbox.add(event(1))
    assert (await outbox.backlog()).pending == 1


async def test_a_leased_event_is_not_claimed_again_until_its_lease_expires(
    outbox: WebhookOutbox,
) -> None:
    """Two workers never hold one event; a crashed worker's event comes back after the lease."""
    await outbox.add(event(1))
    assert len(await outbox.claim(NOW, LEASE, 10, claim="a")) == 1
    assert await outbox.claim(NOW + timedelta(seconds=59), LEASE, 10, claim="b") == []
    (again,) = await outbox.claim(NOW + LEASE, LEASE, 10, claim="b")
    assert again.claim == "b"
    assert not await outbox.delivered("e1", "a")  # the old holder lost it
    assert await outbox.delivered("e1", "b")
    assert (await outbox.backlog()).pending == 0


async def test_a_retry_releases_the_event_until_it_is_due(outbox: WebhookOutbox) -> None:
    """``retry`` counts the attempt and hides the event until its new due time."""
    await outbox.add(event(1))
    await outbox.claim(NOW, LEASE, 10, claim="a")
    later = NOW + timedelta(seconds=20)
    assert await outbox.retry("e1", "a", due_at=later, attempts=1, error="http_500")
    assert not await outbox.retry("e1", "a", due_at=later, attempts=1, error="again")
    assert await outbox.claim(later - timedelta(seconds=1), LEASE, 10, claim="b") == []
    (due,) = await outbox.claim(later, LEASE, 10, claim="c")
    assert (due.attempts, due.due_at) == (1, later)


async def test_a_buried_event_is_kept_listed_and_never_claimed(outbox: WebhookOutbox) -> None:
    """Dead events stay visible (id, tenant, attempts, last error) and leave the backlog."""
    await outbox.add(event(1))
    await outbox.add(event(2, tenant="uni"))
    await outbox.claim(NOW, LEASE, 10, claim="a")
    died = NOW + timedelta(hours=24)
    assert await outbox.bury("e2", "a", at=died, attempts=30, error="timeout")
    assert not await outbox.delivered("e2", "a")
    backlog = await outbox.backlog()
    assert (backlog.pending, backlog.oldest, backlog.dead) == (1, NOW, 1)
    (dead,) = await outbox.dead(10)
    assert (dead.id, dead.tenant, dead.attempts, dead.error) == ("e2", "uni", 30, "timeout")
    assert dead.died_at == died
    assert [e.id for e in await outbox.claim(died + LEASE, LEASE, 10, claim="b")] == ["e1"]


async def test_a_claim_takes_at_most_its_limit(outbox: WebhookOutbox) -> None:
    """A batch is bounded; the rest is left for the next claim (or another worker)."""
    for number in range(5):
        await outbox.add(event(number, due=NOW - timedelta(seconds=number)))
    first = await outbox.claim(NOW, LEASE, 3, claim="a")
    second = await outbox.claim(NOW, LEASE, 3, claim="b")
    assert len(first) == 3
    assert len(second) == 2
    assert {e.id for e in first} | {e.id for e in second} == {f"e{n}" for n in range(5)}
    assert (await outbox.backlog()).oldest == NOW - timedelta(seconds=4)


def test_a_sealed_body_opens_only_with_its_key_and_its_event_id() -> None:
    """Sealed bodies hide the JSON; another key, another event id or no key: not opened."""
    seal = BodySeal(FieldCipher([KEY]))
    stored = seal.seal("e1", b'{"person":{"ref":"p-1"}}')
    assert "p-1" not in stored
    assert seal.open("e1", stored) == b'{"person":{"ref":"p-1"}}'
    assert seal.open("e2", stored) is None
    assert BodySeal(FieldCipher([parse_key(generate_key())])).open("e1", stored) is None
    assert BodySeal().open("e1", stored) is None


async def test_sqlite_keeps_the_body_sealed_on_disk(tmp_path: Path) -> None:
    """With ENCRYPTION_KEY the table holds no ref or category in the clear."""
    async with sqlite_outbox(tmp_path, BodySeal(FieldCipher([KEY]))) as outbox:
        await outbox.add(event(1))
    with sqlite3.connect(tmp_path / "outbox.db") as db:
        ((stored,),) = db.execute("SELECT body FROM webhook_outbox").fetchall()
    assert "crisis.signal" not in stored
