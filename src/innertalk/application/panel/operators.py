"""``OperatorAdmin``: the use cases behind ``innertalk operator …``."""

from __future__ import annotations

from innertalk.application.panel.ports import OperatorStore, Passwords, Totp
from innertalk.application.ports import Clock
from innertalk.application.tenancy import TenantDirectory
from innertalk.domain.operators import (
    ALL_TENANTS,
    MIN_PASSWORD_LENGTH,
    Operator,
    OperatorNameError,
    operator_name,
)


class OperatorError(ValueError):
    """An operator command that cannot be done; the message says why, in one line."""


class OperatorAdmin:
    def __init__(
        self,
        store: OperatorStore,
        tenants: TenantDirectory,
        passwords: Passwords,
        totp: Totp,
        clock: Clock,
    ) -> None:
        self._store = store
        self._tenants = tenants
        self._passwords = passwords
        self._totp = totp
        self._clock = clock

    async def add(self, name: str, tenant: str, password: str) -> Operator:
        """Add an operator of ``tenant`` (an existing tenant, or ``all``)."""
        name = _name(name)
        if len(password) < MIN_PASSWORD_LENGTH:
            raise OperatorError(f"password: use at least {MIN_PASSWORD_LENGTH} characters")
        scope = None if tenant == ALL_TENANTS else tenant
        if scope is not None and await self._tenants.tenant(scope) is None:
            raise OperatorError(f"no tenant {tenant!r} (see: innertalk tenant list)")
        operator = Operator(name, scope, await self._passwords.hash(password), self._clock.now())
        if not await self._store.add_operator(operator):
            raise OperatorError(f"operator {name!r} already exists")
        return operator

    async def operators(self) -> list[Operator]:
        return await self._store.operators()

    async def remove(self, name: str) -> None:
        if not await self._store.remove_operator(_name(name)):
            raise OperatorError(f"no operator {name!r} (see: innertalk operator list)")

    async def enrol_totp(self, name: str) -> str:
        """Give ``name`` a new TOTP secret; returns the ``otpauth://`` URI (shown once)."""
        secret = self._totp.new_secret()
        if not await self._store.set_totp(_name(name), secret):
            raise OperatorError(f"no operator {name!r} (see: innertalk operator list)")
        return self._totp.uri(secret, name)


def _name(value: str) -> str:
    try:
        return operator_name(value)
    except OperatorNameError:
        raise OperatorError(
            f"operator name {value!r}: use 1-64 letters, digits, _ . @ and -"
        ) from None
