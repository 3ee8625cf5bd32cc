"""What only the MongoDB adapter promises: its indexes and retention TTL, one round trip per
context, one bulk write per collection, retryable writes, and the start-up checks.

Run through the real PyMongo driver against the wire-protocol fake (``tests/fakes``), which
records every command it receives.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import time
from pathlib import Path

import pytest
from aiogram.fsm.storage.base import StorageKey
from pymongo import AsyncMongoClient

from innertalk.application.operations.health import Status
from innertalk.application.ports import Record
from innertalk.bootstrap import build_app, open_storage
from innertalk.config import ConfigError, load_settings
from innertalk.domain.conversation import ConversationContext
from innertalk.domain.reminders import ReminderSettings
from innertalk.domain.wellbeing import Feedback
from innertalk.infrastructure.crypto import generate_key
from innertalk.infrastructure.fsm import StoreFsmStorage
from innertalk.infrastructure.storage.mongo.analytics import CRISIS_SIGNALS
from innertalk.infrastructure.storage.mongo.client import CLIENT_DEFAULTS, client_options
from innertalk.infrastructure.storage.mongo.operators import OPERATOR_COLLECTIONS
from innertalk.infrastructure.storage.mongo.schema import COUNTERS, INDEXES, USER_COLLECTIONS
from innertalk.infrastructure.storage.mongo.storage import MongoStorage
from innertalk.infrastructure.storage.mongo.tenants import TENANT_COLLECTIONS
from innertalk.infrastructure.storage.mongo.values import Document
from tests.contract.records import ALICE, BOB, STRANGER, at, everything, session, turns
from tests.e2e.bot_process import free_port
from tests.fakes.models import ScriptedModel
from tests.fakes.mongo_server import MongoWireServer, mongo_server
from tests.integration.bot_harness import isolate

DAY = 86_400


@pytest.fixture
async def server() -> AsyncIterator[MongoWireServer]:
    async with mongo_server() as running:
        yield running


@pytest.fixture
async def storage(server: MongoWireServer) -> AsyncIterator[MongoStorage]:
    opened = await MongoStorage.open(server.url())
    await opened.migrate()
    server.commands.clear()
    yield opened
    await opened.close()


async def indexes(storage: MongoStorage, collection: str) -> dict[str, Document]:
    cursor = await storage.database[collection].list_indexes()
    return {index["name"]: dict(index) async for index in cursor}


async def migrated(server: MongoWireServer, retention_days: int) -> dict[str, Document]:
    """Migrate with ``retention_days``; the turns' indexes afterwards."""
    storage = await MongoStorage.open(server.url(), retention_days=retention_days)
    try:
        await storage.migrate()
        return await indexes(storage, "turns")
    finally:
        await storage.close()


async def test_migrate_creates_every_index(storage: MongoStorage) -> None:
    """Each collection has its indexes: unique profile per person, partial due-time, no TTL."""
    for collection, models in INDEXES.items():
        present = await indexes(storage, collection)
        assert {model.document["name"] for model in models} <= set(present)
    profiles = await indexes(storage, "profiles")
    assert profiles["profiles_by_owner"]["unique"] is True
    assert profiles["profiles_by_owner"]["key"] == {"bot_id": 1, "user_id": 1}
    records = (await indexes(storage, "records"))["records_by_owner"]
    assert list(records["key"]) == ["bot_id", "user_id", "kind", "at", "seq"]
    due = (await indexes(storage, "reminders"))["reminders_due"]
    assert due["partialFilterExpression"] == {"enabled": True}
    age = (await indexes(storage, "turns"))["turns_by_age"]
    assert age["key"] == {"created_date": 1}
    assert "expireAfterSeconds" not in age


async def test_migrating_again_changes_nothing(
    storage: MongoStorage, server: MongoWireServer
) -> None:
    """A second migrate only re-declares the same indexes: no drop, no collMod, same result."""
    before = {name: await indexes(storage, name) for name in INDEXES}
    server.commands.clear()
    await storage.migrate()
    assert set(server.names()) == {"createIndexes", "listIndexes"}
    assert {name: await indexes(storage, name) for name in INDEXES} == before


async def test_retention_days_set_change_and_clear_the_ttl(server: MongoWireServer) -> None:
    """RETENTION_DAYS makes turns_by_age a TTL index; a change is one collMod; 0 removes it."""
    assert (await migrated(server, 30))["turns_by_age"]["expireAfterSeconds"] == 30 * DAY
    server.commands.clear()
    assert (await migrated(server, 7))["turns_by_age"]["expireAfterSeconds"] == 7 * DAY
    assert server.count("collMod", "turns") == 1
    assert server.count("dropIndexes") == 0
    assert "expireAfterSeconds" not in (await migrated(server, 0))["turns_by_age"]


async def test_loading_a_context_is_one_aggregate(
    storage: MongoStorage, server: MongoWireServer
) -> None:
    """load_context sends exactly one command (an aggregate), with turns, with none, for anyone."""
    await storage.write([*everything(ALICE), *everything(BOB)])
    for key, limit in ((ALICE, 10), (ALICE, 0), (BOB, 2)):
        server.commands.clear()
        context = await storage.load_context(key, limit)
        assert context.session is not None
        assert len(context.recent_turns) == min(limit, 3)
        assert server.names() == ["aggregate"]
        assert server.count("aggregate", "records") == 1
    server.commands.clear()
    assert await storage.load_context(STRANGER, 10) == ConversationContext(key=STRANGER)
    assert server.names() == ["aggregate"]


async def test_a_batch_is_one_bulk_write_per_collection(
    storage: MongoStorage, server: MongoWireServer
) -> None:
    """One seq reservation, then one update command per collection, however large the batch
    (on a server that refuses transactions, as this fake does once the first batch tried)."""
    await storage.write(list(everything(STRANGER)))  # learns that transactions are refused
    server.commands.clear()
    opened = session("s-big", start=0)
    batch: list[Record] = [
        *everything(ALICE),
        opened,
        *turns(opened, 300),
        Feedback("f", ALICE, "s-big:turn-1", True, at(1)),
        ReminderSettings(ALICE, enabled=True, at=time(20), next_due_at=at(60)),
    ]
    await storage.write(batch)
    assert server.names() == ["findAndModify", "update", "update", "update", "update"]
    assert server.count("findAndModify", "counters") == 1
    for collection in ("profiles", "records", "turns", "reminders"):
        assert server.count("update", collection) == 1
    updates = {c.target: c.body for c in server.commands if c.name == "update"}
    assert len(updates["turns"]["updates"]) == 305
    assert updates["turns"]["ordered"] is False
    assert updates["records"]["ordered"] is True
    assert len(await storage.session_turns(ALICE, "s-big", 500)) == 300


async def test_writes_are_retryable(storage: MongoStorage, server: MongoWireServer) -> None:
    """Retryable writes are on: every write carries a session id and a transaction number."""
    await storage.write(everything(ALICE))
    assert await storage.claim_reminder(ALICE, at(0), at(1), at(0)) is False
    writes = [c for c in server.commands if c.name in ("update", "findAndModify")]
    assert writes
    assert all("lsid" in c.body and "txnNumber" in c.body for c in writes)


async def test_deleting_a_person_leaves_nothing_in_any_collection(storage: MongoStorage) -> None:
    """After delete_user no collection holds a document of theirs, screen state included."""
    reminder = ReminderSettings(ALICE, enabled=True, at=time(9))
    await storage.write([*everything(ALICE), reminder, *everything(BOB)])
    fsm = StoreFsmStorage(storage)
    await fsm.set_data(StorageKey(bot_id=1, chat_id=1001, user_id=1001), {"step": 2})
    await storage.fsm_set_state("k", ALICE.bot_id, ALICE.user_id, "answering")
    names = set(await storage.database.list_collection_names())
    # the tenant directory's and the operators' collections hold no person's documents
    # (person_refs does), nor do the crisis signals' counts (realm, category, severity, time)
    others = {COUNTERS, CRISIS_SIGNALS, *TENANT_COLLECTIONS, *OPERATOR_COLLECTIONS}
    assert names - others == set(USER_COLLECTIONS)
    assert await storage.delete_user(ALICE) == len(everything(ALICE)) + 2
    owner = {"bot_id": ALICE.bot_id, "user_id": ALICE.user_id}
    for name in names:
        assert await storage.database[name].count_documents(owner) == 0
    assert await storage.fsm_get("k") == (None, {})
    assert sum((await storage.count_user_rows(BOB)).values()) == len(everything(BOB))


async def test_screen_state_survives_reconnecting(server: MongoWireServer) -> None:
    """aiogram FSM state and data written through one client are read back by the next."""
    key = StorageKey(bot_id=777, chat_id=42, user_id=42)
    first = await MongoStorage.open(server.url())
    await StoreFsmStorage(first).set_state(key, "Questionnaire:answering")
    await StoreFsmStorage(first).update_data(key, {"run": {"answers": [1, None], "a.b": "$"}})
    await first.close()
    second = await MongoStorage.open(server.url())
    try:
        fsm = StoreFsmStorage(second)
        assert await fsm.get_state(key) == "Questionnaire:answering"
        assert await fsm.get_data(key) == {"run": {"answers": [1, None], "a.b": "$"}}
    finally:
        await second.close()


def test_pool_and_timeouts_are_explicit_and_the_url_overrides_them() -> None:
    """Every pool/timeout default is passed to the driver unless DATABASE_URL sets it."""
    url = "mongodb://127.0.0.1:9/x?maxPoolSize=7&serverselectiontimeoutms=1"
    options = client_options(url)
    assert "maxPoolSize" not in options
    assert "serverSelectionTimeoutMS" not in options
    assert options["timeoutMS"] == CLIENT_DEFAULTS["timeoutMS"]
    client: AsyncMongoClient[Document] = AsyncMongoClient(url, **options)
    assert client.options.pool_options.max_pool_size == 7
    assert client.options.server_selection_timeout == 0.001
    assert client.options.timeout == CLIENT_DEFAULTS["timeoutMS"] / 1000
    assert client.options.pool_options.connect_timeout == 5.0
    assert client.options.retry_writes is True
    assert client.options.pool_options.socket_timeout is not None


async def test_the_driver_never_logs_commands(server: MongoWireServer) -> None:
    """PyMongo's DEBUG command log (which holds message text) is raised to INFO at open."""
    logging.getLogger("pymongo").setLevel(logging.NOTSET)
    storage = await MongoStorage.open(server.url())
    await storage.close()
    assert logging.getLogger("pymongo.command").getEffectiveLevel() >= logging.INFO


# Start-up through the composition root.


def configure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str, **env: str) -> None:
    monkeypatch.chdir(tmp_path)  # the pseudonym key file of a MongoDB app goes to ./data
    isolate(monkeypatch, tmp_path, DATABASE_URL=url, **env)


async def test_a_start_without_indexes_names_database_url_and_migrate(
    server: MongoWireServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """AUTO_MIGRATE=false on a bare database fails in one line; after migrate it starts."""
    configure(monkeypatch, tmp_path, server.url(), AUTO_MIGRATE="false")
    with pytest.raises(ConfigError) as raised:
        await open_storage(load_settings(None))
    message = str(raised.value)
    assert message.startswith("DATABASE_URL: MongoDB database 'innertalk' lacks indexes ")
    assert "records.records_by_owner" in message
    assert "run `innertalk migrate`" in message
    assert "\n" not in message
    await (await open_storage(load_settings(None), migrate=True)).close()
    storage = await open_storage(load_settings(None))
    assert isinstance(storage, MongoStorage)
    await storage.close()


async def test_a_changed_retention_without_migrate_fails_the_start(
    server: MongoWireServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A TTL that no longer matches RETENTION_DAYS counts as a missing index."""
    configure(monkeypatch, tmp_path, server.url(), AUTO_MIGRATE="false")
    await (await open_storage(load_settings(None), migrate=True)).close()
    monkeypatch.setenv("RETENTION_DAYS", "30")
    with pytest.raises(ConfigError, match=r"lacks indexes turns\.turns_by_age; run"):
        await open_storage(load_settings(None))


async def test_an_unreachable_server_is_one_line_without_the_password(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No server on the port: DATABASE_URL named, the password never shown, no traceback."""
    url = f"mongodb://ops:s3cret@127.0.0.1:{free_port()}/db?serverSelectionTimeoutMS=50"
    configure(monkeypatch, tmp_path, url)
    with pytest.raises(ConfigError) as raised:
        await open_storage(load_settings(None))
    message = str(raised.value)
    assert message.startswith("DATABASE_URL: MongoDB at 127.0.0.1:")
    assert "no server answered" in message
    assert "s3cret" not in message
    assert "\n" not in message


async def test_a_refused_url_is_one_line_naming_database_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A URL PyMongo refuses (an unescaped @ in the password) stops the start in one line,
    without the password."""
    configure(monkeypatch, tmp_path, "mongodb://ops:s3c@ret@127.0.0.1/db")
    with pytest.raises(ConfigError) as raised:
        await open_storage(load_settings(None))
    message = str(raised.value)
    assert message.startswith("DATABASE_URL: unusable MongoDB URL: ")
    assert "escaped" in message
    assert "s3c@ret" not in message
    assert "\n" not in message


async def test_a_wrong_encryption_key_stops_the_start(
    server: MongoWireServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Data sealed with one key, and ENCRYPTION_KEY set to another or unset, fail at start-up."""
    configure(monkeypatch, tmp_path, server.url(), ENCRYPTION_KEY=generate_key())
    storage = await open_storage(load_settings(None))
    await storage.write(everything(ALICE))
    await storage.close()
    monkeypatch.setenv("ENCRYPTION_KEY", generate_key())
    with pytest.raises(ConfigError, match=r"^ENCRYPTION_KEY: no configured key opens"):
        await open_storage(load_settings(None))
    monkeypatch.delenv("ENCRYPTION_KEY")
    with pytest.raises(ConfigError, match=r"^ENCRYPTION_KEY: the stored data is encrypted"):
        await open_storage(load_settings(None))


async def test_the_health_probe_reports_mongodb(
    server: MongoWireServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """/readyz's storage line names the backend: mongodb."""
    configure(monkeypatch, tmp_path, server.url())
    async with build_app(load_settings(None), model=ScriptedModel()) as app:
        report = await app.services.health.check()
    (storage,) = [c for c in report.components if c.name == "storage"]
    assert storage.status is Status.UP
    assert storage.detail.startswith("mongodb, ")
