"""The operator store and audit log contract (``OperatorStore`` + ``AuditLog``), run against
every storage adapter: names are unique, the TOTP secret round-trips (sealed at rest when the
backend has a key), removal, and the audit log per tenant, newest first."""

from __future__ import annotations

from typing import cast

from innertalk.application.panel.ports import AuditLog, OperatorStore
from innertalk.application.ports import Storage
from innertalk.domain.operators import AuditEntry, Operator
from innertalk.infrastructure.storage.sqlite.storage import SqliteStorage
from tests.contract.records import at

SECRET = "JBSWY3DPEHPK3PXP"


class Operators(OperatorStore, AuditLog):
    """What every backend offers for operators (for the type checker)."""


def operators(storage: Storage) -> Operators:
    return cast(Operators, storage)


async def test_an_operator_round_trips_and_a_name_is_added_once(storage: Storage) -> None:
    """Every field comes back equal; a second operator of the same name is refused."""
    store = operators(storage)
    alice = Operator("alice", "clinic", "$argon2id$hash", at(0))
    assert await store.add_operator(alice)
    assert not await store.add_operator(Operator("alice", None, "$argon2id$other", at(1)))
    assert await store.operator("alice") == alice
    assert await store.operator("nobody") is None


async def test_every_tenant_operator_and_listing_by_name(storage: Storage) -> None:
    """An operator of every tenant keeps tenant None; the list is ordered by name."""
    store = operators(storage)
    await store.add_operator(Operator("zed", None, "h", at(0)))
    await store.add_operator(Operator("amy", "clinic", "h", at(1)))
    listed = await store.operators()
    assert [(o.name, o.tenant) for o in listed] == [("amy", "clinic"), ("zed", None)]


async def test_totp_enrolment_round_trips_and_is_sealed_with_a_key(storage: Storage) -> None:
    """The secret comes back as enrolled; with an at-rest key the row never holds it plain."""
    store = operators(storage)
    await store.add_operator(Operator("alice", None, "h", at(0)))
    assert await store.set_totp("alice", SECRET)
    assert not await store.set_totp("nobody", SECRET)
    found = await store.operator("alice")
    assert found is not None
    assert found.totp_secret == SECRET
    if isinstance(storage, SqliteStorage) and storage.codec.seal.active:
        rows = await storage.connection.execute_fetchall("SELECT totp_secret FROM operators")
        assert SECRET not in str(rows[0][0])


async def test_removing_an_operator(storage: Storage) -> None:
    """A removed operator is gone; removing twice says there was none."""
    store = operators(storage)
    await store.add_operator(Operator("alice", None, "h", at(0)))
    assert await store.remove_operator("alice")
    assert not await store.remove_operator("alice")
    assert await store.operator("alice") is None


async def test_the_audit_log_is_per_tenant_and_newest_first(storage: Storage) -> None:
    """A tenant sees its own entries only, newest first; ``None`` sees every entry."""
    log = operators(storage)
    await log.record(AuditEntry(at(0), "amy", "login", "10.0.0.1", "clinic"))
    await log.record(AuditEntry(at(1), "bob", "login", "10.0.0.2", "other"))
    await log.record(AuditEntry(at(2), "amy", "people.block 42", "10.0.0.1", "clinic"))
    clinic = await log.entries("clinic", 10)
    assert [e.action for e in clinic] == ["people.block 42", "login"]
    assert clinic[0] == AuditEntry(at(2), "amy", "people.block 42", "10.0.0.1", "clinic")
    assert [e.operator for e in await log.entries(None, 2)] == ["amy", "bob"]
