"""The MongoDB collections and their indexes: created by ``migrate``, checked at start-up.

MongoDB needs no schema, but every query here is served by an index, and the retention TTL
is an index too; ``innertalk migrate`` (or ``AUTO_MIGRATE``) creates them, and a start-up
without them fails instead of scanning whole collections.
"""

from __future__ import annotations

import structlog
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from innertalk.infrastructure.storage.mongo.analytics import CRISIS_SIGNALS
from innertalk.infrastructure.storage.mongo.dead_letters import DEAD_LETTERS
from innertalk.infrastructure.storage.mongo.documents import PROFILES, RECORDS, TURNS
from innertalk.infrastructure.storage.mongo.fsm import FSM_STATES
from innertalk.infrastructure.storage.mongo.operators import AUDIT_LOG
from innertalk.infrastructure.storage.mongo.reminders import REMINDERS
from innertalk.infrastructure.storage.mongo.tenants import (
    API_KEYS,
    PERSON_REFS,
    TENANT_BOTS,
)
from innertalk.infrastructure.storage.mongo.values import Document

log = structlog.get_logger(__name__)

COUNTERS = "counters"
USER_COLLECTIONS = (
    PROFILES, RECORDS, TURNS, REMINDERS, FSM_STATES, DEAD_LETTERS, PERSON_REFS
)  # fmt: skip
"""Every collection holding a person's documents; deletion covers each (a test checks it)."""

AGE_INDEX = "turns_by_age"
"""``turns.created_date``: purges by age, and with ``RETENTION_DAYS`` the TTL that expires
turns by itself."""

_OWNER = [("bot_id", ASCENDING), ("user_id", ASCENDING)]

INDEXES: dict[str, tuple[IndexModel, ...]] = {
    PROFILES: (
        IndexModel(_OWNER, name="profiles_by_owner", unique=True),
        IndexModel([("bot_id", ASCENDING), ("created_at", ASCENDING)], name="profiles_by_start"),
    ),
    RECORDS: (
        IndexModel(
            [*_OWNER, ("kind", ASCENDING), ("at", DESCENDING), ("seq", DESCENDING)],
            name="records_by_owner",
        ),
        # Feedback on a reply, for the per-variant statistics.
        IndexModel([("turn_id", ASCENDING)], name="feedback_by_turn", sparse=True),
        # The analytics' join of a profile's sessions (by user_id, then kept to its realm).
        IndexModel([("user_id", ASCENDING), ("bot_id", ASCENDING)], name="records_by_user_id"),
    ),
    TURNS: (
        IndexModel([("session", ASCENDING), ("seq", DESCENDING)], name="turns_by_session"),
        IndexModel([*_OWNER, ("role", ASCENDING), ("seq", DESCENDING)], name="turns_by_user"),
        # The analytics' join of a profile's turns (by user_id, then kept to its realm).
        IndexModel([("user_id", ASCENDING), ("bot_id", ASCENDING)], name="turns_by_user_id"),
    ),
    CRISIS_SIGNALS: (
        IndexModel([("bot_id", ASCENDING), ("at", ASCENDING)], name="crisis_signals_by_realm"),
    ),
    # The dispatcher's query across every person: due first, only enabled reminders indexed.
    REMINDERS: (
        IndexModel(
            [("next_due_at", ASCENDING), *_OWNER],
            name="reminders_due",
            partialFilterExpression={"enabled": True},
        ),
    ),
    FSM_STATES: (IndexModel(_OWNER, name="fsm_states_by_owner"),),
    DEAD_LETTERS: (IndexModel(_OWNER, name="dead_letters_by_owner"),),
    PERSON_REFS: (IndexModel(_OWNER, name="person_refs_by_owner"),),
    # The look-up of every API request, and a key's hash names one key only.
    API_KEYS: (
        IndexModel([("digest", ASCENDING)], name="api_keys_by_digest", unique=True),
        IndexModel([("tenant", ASCENDING), ("created_at", ASCENDING)], name="api_keys_by_tenant"),
    ),
    TENANT_BOTS: (IndexModel([("tenant", ASCENDING)], name="tenant_bots_by_tenant"),),
    # the panel's audit page: a tenant's newest entries
    AUDIT_LOG: (
        IndexModel([("tenant", ASCENDING), ("at", DESCENDING)], name="audit_log_by_tenant"),
    ),
}


def ttl_seconds(retention_days: int) -> int | None:
    """The TTL of ``turns_by_age``: ``None`` (no TTL) when retention is off."""
    return retention_days * 86_400 if retention_days > 0 else None


def _age_index(retention_days: int) -> IndexModel:
    expiry = ttl_seconds(retention_days)
    options = {} if expiry is None else {"expireAfterSeconds": expiry}
    return IndexModel([("created_date", ASCENDING)], name=AGE_INDEX, **options)


def _expiry(index: Document) -> int | None:
    seconds = index.get("expireAfterSeconds")
    return None if seconds is None else int(seconds)


async def _indexes(db: AsyncDatabase[Document], collection: str) -> dict[str, Document]:
    """The collection's indexes by name (none when it does not exist yet)."""
    cursor = await db[collection].list_indexes()
    return {index["name"]: dict(index) async for index in cursor}


async def migrate(db: AsyncDatabase[Document], retention_days: int) -> None:
    """Create every index (a no-op for those that exist) and set the retention TTL."""
    for collection, models in INDEXES.items():
        await db[collection].create_indexes(list(models))
    await _set_retention(db, retention_days)
    log.info("storage.migrated", backend="mongodb", database=db.name)


async def _set_retention(db: AsyncDatabase[Document], retention_days: int) -> None:
    """A changed TTL is updated in place (``collMod``); switching it on or off rebuilds the
    index: ``collMod`` cannot remove a TTL, and adds one only from MongoDB 5.1 on."""
    wanted = ttl_seconds(retention_days)
    current = (await _indexes(db, TURNS)).get(AGE_INDEX)
    if current is not None:
        had = _expiry(current)
        if had == wanted:
            return
        if had is not None and wanted is not None:
            change = {"name": AGE_INDEX, "expireAfterSeconds": wanted}
            await db.command("collMod", TURNS, index=change)
            log.info("storage.retention_changed", backend="mongodb", ttl_seconds=wanted)
            return
        await db[TURNS].drop_index(AGE_INDEX)
    await db[TURNS].create_indexes([_age_index(retention_days)])
    log.info("storage.retention_changed", backend="mongodb", ttl_seconds=wanted)


async def missing_indexes(db: AsyncDatabase[Document], retention_days: int) -> list[str]:
    """``collection.index`` names that ``migrate`` would create or change; empty when none."""
    missing = []
    for collection in (*USER_COLLECTIONS, API_KEYS, TENANT_BOTS, AUDIT_LOG):
        present = await _indexes(db, collection)
        expected = [model.document["name"] for model in INDEXES[collection]]
        missing += [f"{collection}.{name}" for name in expected if name not in present]
        age = present.get(AGE_INDEX)
        if collection == TURNS and (age is None or _expiry(age) != ttl_seconds(retention_days)):
            missing.append(f"{TURNS}.{AGE_INDEX}")
    return missing
