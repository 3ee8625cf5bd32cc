"""``SignIn`` and ``OperatorAdmin`` with fakes: a locked name is refused without its password
being checked, an unknown name costs a decoy check, TOTP once enrolled, audit lines without
the password; operators need 12-character passwords and an existing tenant (or ``all``)."""

from __future__ import annotations

from datetime import datetime

import pytest

from innertalk.application.panel.operators import OperatorAdmin, OperatorError
from innertalk.application.panel.sign_in import Outcome, SignIn
from innertalk.domain.operators import AuditEntry, Operator
from tests.fakes.clock import FakeClock
from tests.fakes.tenants import InProcessTenants

PASSWORD = "twelve chars or more"


class FakePasswords:
    """ "Hashes" by prefixing; counts checks (an argon2 check costs real CPU)."""

    def __init__(self) -> None:
        self.checks: list[str] = []

    async def hash(self, password: str) -> str:
        return "hashed:" + password

    async def verify(self, stored_hash: str, password: str) -> bool:
        self.checks.append(stored_hash)
        return stored_hash == "hashed:" + password


class FakeTotp:
    def new_secret(self) -> str:
        return "SECRET"

    def uri(self, secret: str, name: str) -> str:
        return f"otpauth://totp/{name}?secret={secret}"

    def verify(self, secret: str, code: str, at: datetime) -> bool:
        return code == "123456"


class FakeAttempts:
    """Counts without windows (the adapters' windows are tested in tests/contract)."""

    def __init__(self) -> None:
        self.failures: dict[str, int] = {}
        self.locks: set[str] = set()

    async def locked(self, subject: str) -> bool:
        return subject in self.locks

    async def failed(self, subject: str, limit: int) -> bool:
        self.failures[subject] = self.failures.get(subject, 0) + 1
        if self.failures[subject] >= limit:
            self.locks.add(subject)
            return True
        return False

    async def clear(self, subject: str) -> None:
        self.failures.pop(subject, None)


class FakeOperators:
    def __init__(self) -> None:
        self.operators: dict[str, Operator] = {}
        self.audit: list[AuditEntry] = []

    async def add_operator(self, operator: Operator) -> bool:
        return self.operators.setdefault(operator.name, operator) is operator

    async def operator(self, name: str) -> Operator | None:
        return self.operators.get(name)

    async def operators(self) -> list[Operator]:
        return sorted(self.operators.values(), key=lambda o: o.name)

    async def remove_operator(self, name: str) -> bool:
        return self.operators.pop(name, None) is not None

    async def set_totp(self, name: str, secret: str) -> bool:
        found = self.operators.get(name)
        if found is None:
            return False
        self.operators[name] = Operator(found.name, found.tenant, found.password_hash,
                                        found.created_at, secret)  # fmt: skip
        return True

    async def record(self, entry: AuditEntry) -> None:
        self.audit.append(entry)

    async def entries(self, tenant: str | None, limit: int) -> list[AuditEntry]:
        return self.audit[::-1][:limit]


@pytest.fixture
def store() -> FakeOperators:
    return FakeOperators()


@pytest.fixture
def passwords() -> FakePasswords:
    return FakePasswords()


@pytest.fixture
def attempts() -> FakeAttempts:
    return FakeAttempts()


async def admin(store: FakeOperators, passwords: FakePasswords) -> OperatorAdmin:
    tenants = InProcessTenants()
    await tenants.given_tenant("clinic")
    return OperatorAdmin(store, tenants, passwords, FakeTotp(), FakeClock())


def sign_in(store: FakeOperators, passwords: FakePasswords, attempts: FakeAttempts) -> SignIn:
    return SignIn(store, passwords, FakeTotp(), attempts, store, FakeClock())


async def test_operators_need_a_long_password_and_a_known_tenant(
    store: FakeOperators, passwords: FakePasswords
) -> None:
    """Short passwords, unknown tenants, bad names and taken names are refused; ``all``
    means every tenant."""
    operators = await admin(store, passwords)
    with pytest.raises(OperatorError, match="at least 12"):
        await operators.add("amy", "clinic", "short")
    with pytest.raises(OperatorError, match="no tenant 'nowhere'"):
        await operators.add("amy", "nowhere", PASSWORD)
    with pytest.raises(OperatorError, match="operator name"):
        await operators.add("amy smith", "clinic", PASSWORD)
    assert (await operators.add("amy", "clinic", PASSWORD)).tenant == "clinic"
    assert (await operators.add("root", "all", PASSWORD)).tenant is None
    with pytest.raises(OperatorError, match="already exists"):
        await operators.add("amy", "all", PASSWORD)
    assert store.operators["amy"].password_hash == "hashed:" + PASSWORD


async def test_a_locked_name_is_refused_without_checking_the_password(
    store: FakeOperators, passwords: FakePasswords, attempts: FakeAttempts
) -> None:
    """After 5 failures the right password gets LOCKED and no password check runs."""
    await (await admin(store, passwords)).add("amy", "clinic", PASSWORD)
    signing = sign_in(store, passwords, attempts)
    outcomes = [(await signing.sign_in("amy", "wrong", "", "10.0.0.1")).outcome for _ in range(5)]
    assert outcomes == [Outcome.REFUSED] * 5
    checks = len(passwords.checks)
    assert (await signing.sign_in("amy", PASSWORD, "", "10.0.0.2")).outcome is Outcome.LOCKED
    assert len(passwords.checks) == checks
    actions = [entry.action for entry in store.audit]
    assert actions == ["login.failed"] * 4 + ["login.failed", "lockout", "login.locked"]
    assert all("wrong" not in repr(entry) for entry in store.audit)


async def test_an_unknown_name_costs_a_decoy_check(
    store: FakeOperators, passwords: FakePasswords, attempts: FakeAttempts
) -> None:
    """A name that is no operator is checked against the decoy (same cost) and counted."""
    result = await sign_in(store, passwords, attempts).sign_in("ghost", "x", "", "10.0.0.1")
    assert result.outcome is Outcome.REFUSED
    assert passwords.checks == [""]
    assert attempts.failures == {"name:ghost": 1, "address:10.0.0.1": 1}


async def test_totp_is_needed_once_enrolled_and_success_clears_the_name(
    store: FakeOperators, passwords: FakePasswords, attempts: FakeAttempts
) -> None:
    """Password without the code is refused; with it the operator signs in and the name's
    failures are forgotten (the address's stay)."""
    operators = await admin(store, passwords)
    await operators.add("amy", "clinic", PASSWORD)
    assert (await operators.enrol_totp("amy")).startswith("otpauth://")
    signing = sign_in(store, passwords, attempts)
    assert (await signing.sign_in("amy", PASSWORD, "", "10.0.0.1")).outcome is Outcome.REFUSED
    signed = await signing.sign_in("amy", PASSWORD, "123456", "10.0.0.1")
    assert signed.outcome is Outcome.SIGNED_IN
    assert signed.operator is not None
    assert signed.operator.tenant == "clinic"
    assert attempts.failures == {"address:10.0.0.1": 1}
    assert store.audit[-1] == AuditEntry(store.audit[-1].at, "amy", "login", "10.0.0.1", "clinic")
