"""Signing in to the panel: password (argon2id), the TOTP code once enrolled, and lockout.

After ``NAME_LIMIT`` failures for one name within ``LOCKOUT_SECONDS`` (or ``ADDRESS_LIMIT``
from one address), further attempts for that name (address) are refused for
``LOCKOUT_SECONDS`` without even checking the password, so guessing gets nowhere. Every
outcome goes to the audit log with the name typed and the address — never the password.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from innertalk.application.panel.ports import (
    AuditLog,
    LoginAttempts,
    OperatorStore,
    Passwords,
    Totp,
)
from innertalk.application.ports import Clock
from innertalk.domain.operators import AuditEntry, Operator

NAME_LIMIT = 5
ADDRESS_LIMIT = 20
LOCKOUT_SECONDS = 15 * 60.0


class Outcome(StrEnum):
    SIGNED_IN = "signed_in"
    REFUSED = "refused"
    LOCKED = "locked"


@dataclass(frozen=True, slots=True)
class SignInResult:
    outcome: Outcome
    operator: Operator | None = None


class SignIn:
    def __init__(
        self,
        store: OperatorStore,
        passwords: Passwords,
        totp: Totp,
        attempts: LoginAttempts,
        audit: AuditLog,
        clock: Clock,
    ) -> None:
        self._store = store
        self._passwords = passwords
        self._totp = totp
        self._attempts = attempts
        self._audit = audit
        self._clock = clock

    async def sign_in(self, name: str, password: str, code: str, address: str) -> SignInResult:
        subjects = (f"name:{name.lower()}", f"address:{address}")
        for subject in subjects:
            if await self._attempts.locked(subject):
                await self._note(name, "login.locked", address)
                return SignInResult(Outcome.LOCKED)
        operator = await self._store.operator(name)
        if operator is not None and await self._valid(operator, password, code):
            await self._attempts.clear(subjects[0])
            await self._note(name, "login", address, operator.tenant)
            return SignInResult(Outcome.SIGNED_IN, operator)
        if operator is None:
            await self._passwords.verify("", password)  # as slow as a wrong password
        locks = [
            await self._attempts.failed(subjects[0], NAME_LIMIT),
            await self._attempts.failed(subjects[1], ADDRESS_LIMIT),
        ]
        await self._note(name, "login.failed", address)
        if any(locks):
            await self._note(name, "lockout", address)
        return SignInResult(Outcome.REFUSED)

    async def signed_out(self, operator: Operator | None, name: str, address: str) -> None:
        await self._note(name, "logout", address, operator.tenant if operator else None)

    async def _valid(self, operator: Operator, password: str, code: str) -> bool:
        if not await self._passwords.verify(operator.password_hash, password):
            return False
        if operator.totp_secret is None:
            return True
        return self._totp.verify(operator.totp_secret, code, self._clock.now())

    async def _note(self, name: str, action: str, address: str, tenant: str | None = None) -> None:
        await self._audit.record(AuditEntry(self._clock.now(), name[:64], action, address, tenant))
