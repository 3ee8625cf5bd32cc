"""Ports of the operator panel: the operator and audit stores (every storage backend), the
password and TOTP checks, the failed-login counters and the server-side sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from innertalk.domain.operators import AuditEntry, Operator
from innertalk.domain.users import Language


class OperatorStore(Protocol):
    async def add_operator(self, operator: Operator) -> bool:
        """Store a new operator; ``False`` when the name is taken (nothing changes)."""
        ...

    async def operator(self, name: str) -> Operator | None: ...

    async def operators(self) -> list[Operator]:
        """Every operator, by name."""
        ...

    async def remove_operator(self, name: str) -> bool:
        """``False`` when there was no such operator."""
        ...

    async def set_totp(self, name: str, secret: str) -> bool:
        """Enrol (or replace) ``name``'s TOTP secret; ``False``: no such operator."""
        ...


class AuditLog(Protocol):
    async def record(self, entry: AuditEntry) -> None: ...

    async def entries(self, tenant: str | None, limit: int) -> list[AuditEntry]:
        """The newest ``limit`` entries, newest first: ``tenant``'s operators', or all."""
        ...


class Passwords(Protocol):
    """Hashes and checks passwords (argon2id), off the event loop: it costs ~50 ms of CPU."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, stored_hash: str, password: str) -> bool:
        """Whether ``password`` matches; ``stored_hash`` ``""`` checks a decoy at the same
        cost (an unknown name must not answer faster than a wrong password)."""
        ...


class Totp(Protocol):
    def new_secret(self) -> str: ...

    def uri(self, secret: str, name: str) -> str:
        """The ``otpauth://`` URI an authenticator app scans."""
        ...

    def verify(self, secret: str, code: str, at: datetime) -> bool: ...


class LoginAttempts(Protocol):
    """Failed sign-ins per subject (``name:<n>``, ``address:<a>``), shared by instances."""

    async def locked(self, subject: str) -> bool: ...

    async def failed(self, subject: str, limit: int) -> bool:
        """Count a failure; ``True`` when this one reaches ``limit`` and locks the subject."""
        ...

    async def clear(self, subject: str) -> None: ...


@dataclass(frozen=True, slots=True)
class PanelSession:
    operator: str
    tenant: str | None
    language: Language
    created_at: datetime
    seen_at: datetime


class PanelSessions(Protocol):
    """Server-side sessions by id (random, never stored as is by shared stores)."""

    async def load(self, session_id: str) -> PanelSession | None: ...

    async def save(self, session_id: str, session: PanelSession, ttl: float) -> None:
        """Keep ``session`` for at most ``ttl`` seconds."""
        ...

    async def drop(self, session_id: str) -> None: ...
