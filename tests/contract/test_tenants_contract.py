"""The tenant directory contract (``TenantRegistry`` + ``PersonRefs``), run against every
storage adapter and the in-process fake: isolation between tenants, the implicit default
tenant, bot ownership, API key look-ups by hash and revocation, and person refs erased with
the person."""

from __future__ import annotations

from typing import cast

import pytest

from innertalk.application.operations.api_keys import key_digest
from innertalk.application.operations.tenants import TenantBot, TenantRegistry
from innertalk.application.ports import Storage
from innertalk.application.tenancy import PersonRefs
from innertalk.domain.tenants import (
    DEFAULT_TENANT,
    ApiKey,
    CrisisWebhook,
    Scope,
    Tenant,
    TenantSettings,
    person_key,
)
from innertalk.domain.users import Language
from innertalk.infrastructure.storage.sqlite.storage import SqliteStorage
from tests.contract.records import at
from tests.fakes.tenants import InProcessTenants

SECRET_A = "itk_aaaaaaaaaaaa_" + "a" * 43
SECRET_B = "itk_bbbbbbbbbbbb_" + "b" * 43
SETTINGS = TenantSettings(
    persona="Clinic tone.",
    language=Language.EN,
    hotline_country="GB",
    sessions_per_day=5,
    rate="30/minute",
    daily_tokens=100_000,
    session_tokens=8_000,
    provider_keys={"openai": "sk-tenant-key"},
    crisis_webhook=CrisisWebhook("https://care.example/hook", "s" * 32),
)


class Directory(TenantRegistry, PersonRefs):
    """What every backend offers for tenants (for the type checker)."""


@pytest.fixture(params=["storage", "fake"])
def directory(request: pytest.FixtureRequest, storage: Storage) -> Directory:
    """Each storage backend, and the fake other tests use in its place."""
    return cast(Directory, storage if request.param == "storage" else InProcessTenants())


def key(key_id: str, tenant: str, *, minute: float = 0) -> ApiKey:
    return ApiKey(key_id, tenant, frozenset({Scope.CONVERSATION}), at(minute), rate="60/minute")


async def test_a_tenant_round_trips_with_every_setting(directory: Directory) -> None:
    """Settings (secrets included) come back equal; a name is added once only."""
    assert await directory.add_tenant(Tenant("clinic", at(0)))
    assert not await directory.add_tenant(Tenant("clinic", at(5)))
    await directory.save_settings("clinic", SETTINGS, at(1))
    assert await directory.tenant("clinic") == Tenant("clinic", at(0), SETTINGS)
    assert await directory.tenant("nobody") is None


async def test_the_default_tenant_always_exists_and_owns_unclaimed_bots(
    directory: Directory,
) -> None:
    """Listed without a row, settable, and the owner of any bot no tenant added."""
    await directory.add_tenant(Tenant("clinic", at(0)))
    assert [t.name for t in await directory.tenants()] == ["clinic", DEFAULT_TENANT]
    default = await directory.tenant_of("777000")
    assert default is not None
    assert default.name == DEFAULT_TENANT
    await directory.save_settings(DEFAULT_TENANT, TenantSettings(persona="Ours."), at(2))
    stored = await directory.tenant(DEFAULT_TENANT)
    assert stored is not None
    assert stored.settings.persona == "Ours."


async def test_bots_belong_to_one_tenant(directory: Directory) -> None:
    """The first tenant to add a bot keeps it; re-adding it replaces only its token."""
    for name in ("clinic", "campus"):
        await directory.add_tenant(Tenant(name, at(0)))
    assert await directory.add_bot(TenantBot("clinic", "42", "42:old", at(1))) == "clinic"
    assert await directory.add_bot(TenantBot("campus", "42", "42:theirs", at(2))) == "clinic"
    assert await directory.add_bot(TenantBot("clinic", "42", "42:new", at(3))) == "clinic"
    assert [(b.tenant, b.token) for b in await directory.bots()] == [("clinic", "42:new")]
    assert await directory.bots("campus") == []
    owner = await directory.tenant_of("42")
    assert owner is not None
    assert owner.name == "clinic"
    assert await directory.realms("clinic") == ["42", "api:clinic"]
    assert await directory.realms("campus") == ["api:campus"]
    assert await directory.realms("nobody") == []


async def test_api_realms_resolve_only_to_their_own_tenant(directory: Directory) -> None:
    """``api:<tenant>`` is that tenant's; an API realm of no tenant is nobody's."""
    await directory.add_tenant(Tenant("clinic", at(0)))
    clinic = await directory.tenant_of("api:clinic")
    assert clinic is not None
    assert clinic.name == "clinic"
    assert await directory.tenant_of("api:ghost") is None


async def test_keys_are_found_by_their_hash_and_listed_per_tenant(directory: Directory) -> None:
    """Only the hash finds a key; tenant A's list never shows B's keys."""
    for name in ("clinic", "campus"):
        await directory.add_tenant(Tenant(name, at(0)))
    await directory.add_api_key(key("aaaaaaaaaaaa", "clinic"), key_digest(SECRET_A))
    await directory.add_api_key(key("bbbbbbbbbbbb", "campus", minute=1), key_digest(SECRET_B))
    assert await directory.authenticate(SECRET_A) == key("aaaaaaaaaaaa", "clinic")
    assert await directory.authenticate(SECRET_A[:-1] + "b") is None
    assert await directory.authenticate("not-a-key") is None
    assert await directory.api_key_by_digest(key_digest(SECRET_B)) == key(
        "bbbbbbbbbbbb", "campus", minute=1
    )
    assert [k.id for k in await directory.api_keys("clinic")] == ["aaaaaaaaaaaa"]
    assert [k.id for k in await directory.api_keys()] == ["aaaaaaaaaaaa", "bbbbbbbbbbbb"]


async def test_a_revoked_key_no_longer_authenticates(directory: Directory) -> None:
    """Revoking keeps the key listed, with its first revocation time, and refuses it."""
    await directory.add_tenant(Tenant("clinic", at(0)))
    await directory.add_api_key(key("aaaaaaaaaaaa", "clinic"), key_digest(SECRET_A))
    revoked = await directory.revoke_api_key("aaaaaaaaaaaa", at(10))
    assert revoked is not None
    assert revoked.revoked_at == at(10)
    again = await directory.revoke_api_key("aaaaaaaaaaaa", at(20))
    assert again is not None
    assert again.revoked_at == at(10)
    assert await directory.authenticate(SECRET_A) is None
    assert [k.revoked_at for k in await directory.api_keys("clinic")] == [at(10)]
    assert await directory.revoke_api_key("cccccccccccc", at(10)) is None


async def test_person_refs_stay_in_their_realm(directory: Directory) -> None:
    """A ref is found only under its own key; the same ref in another tenant is another
    person; ``forget`` drops it."""
    alice, alice_at_campus = person_key("clinic", "alice@x"), person_key("campus", "alice@x")
    await directory.remember(alice, "alice@x")
    assert await directory.ref_of(alice) == "alice@x"
    assert await directory.ref_of(alice_at_campus) is None
    await directory.remember(alice, "alice@y")
    assert await directory.ref_of(alice) == "alice@y"
    await directory.forget(alice)
    assert await directory.ref_of(alice) is None


async def test_erasing_a_person_erases_their_ref(storage: Storage) -> None:
    """``delete_user`` takes the person ref with the rest; another person's stays."""
    refs = cast(Directory, storage)
    alice, bob = person_key("clinic", "alice"), person_key("clinic", "bob")
    await refs.remember(alice, "alice")
    await refs.remember(bob, "bob")
    assert await storage.delete_user(alice) == 1
    assert await refs.ref_of(alice) is None
    assert await refs.ref_of(bob) == "bob"
    assert (await storage.count_user_rows(alice))["person_refs"] == 0  # type: ignore[attr-defined]


async def test_secrets_are_sealed_in_the_database(storage: Storage) -> None:
    """With a key, no provider key, webhook secret, bot token or ref is stored readable."""
    if not isinstance(storage, SqliteStorage) or not storage.codec.seal.active:
        pytest.skip("checked on the encrypted SQLite file")
    registry = cast(Directory, storage)
    await registry.add_tenant(Tenant("clinic", at(0)))
    await registry.save_settings("clinic", SETTINGS, at(1))
    await registry.add_bot(TenantBot("clinic", "42", "42:bot-token-text", at(1)))
    await registry.remember(person_key("clinic", "alice@x"), "alice@x")
    rows = []
    for table in ("tenants", "tenant_bots", "person_refs"):
        rows += await storage.connection.execute_fetchall(f"SELECT * FROM {table}")
    dump = "\n".join(str(tuple(row)) for row in rows)
    for secret in ("sk-tenant-key", "s" * 32, "bot-token-text", "alice@x"):
        assert secret not in dump
    assert "https://care.example/hook" in dump  # what look-ups need stays plain
