"""``innertalk operator …``: the operator use cases over the storage ``DATABASE_URL`` names.

The password is read from standard input when it is not a terminal (one line), else asked
twice without echo. Bad input raises ``OperatorError``, printed as one line (exit 2).
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from innertalk.application.operations.tenants import TenantRegistry
from innertalk.application.panel.operators import OperatorAdmin, OperatorError
from innertalk.application.panel.ports import OperatorStore
from innertalk.bootstrap.stores import open_storage
from innertalk.config import Settings
from innertalk.infrastructure.clock import SystemClock
from innertalk.infrastructure.panel.credentials import Argon2Passwords, PyotpTotp


@asynccontextmanager
async def operator_admin(settings: Settings) -> AsyncIterator[OperatorAdmin]:
    storage = await open_storage(settings)
    store: OperatorStore = storage  # type: ignore[assignment]  # every backend has them
    tenants: TenantRegistry = storage  # type: ignore[assignment]
    try:
        yield OperatorAdmin(store, tenants, Argon2Passwords(), PyotpTotp(), SystemClock())
    finally:
        await storage.close()


def read_password() -> str:
    """The new password: stdin's first line when piped, else typed twice at a prompt."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise OperatorError("password: the two entries differ")
    return first


async def operator_add(settings: Settings, name: str, tenant: str, password: str) -> None:
    async with operator_admin(settings) as admin:
        operator = await admin.add(name, tenant, password)
    print(f"operator {operator.name} added ({operator.tenant_label})")


async def operator_list(settings: Settings) -> None:
    async with operator_admin(settings) as admin:
        operators = await admin.operators()
    print("NAME\tTENANT\tTOTP\tCREATED")
    for operator in operators:
        totp = "yes" if operator.totp_secret else "no"
        created = operator.created_at.isoformat(timespec="seconds")
        print(f"{operator.name}\t{operator.tenant_label}\t{totp}\t{created}")


async def operator_remove(settings: Settings, name: str) -> None:
    async with operator_admin(settings) as admin:
        await admin.remove(name)
    print(f"operator {name} removed")


async def operator_totp(settings: Settings, name: str) -> None:
    async with operator_admin(settings) as admin:
        uri = await admin.enrol_totp(name)
    print(
        f"TOTP enrolled for {name}: scan this URI in an authenticator app (shown once);"
        " signing in now needs its 6-digit code:",
        file=sys.stderr,
    )
    print(uri)
