"""Operators and the audit log in this process, mixed into ``LocalStorage``."""

from __future__ import annotations

from dataclasses import replace

from innertalk.domain.operators import AuditEntry, Operator


class LocalOperatorStore:
    reads: int
    writes: int

    def __init__(self) -> None:
        self._operators: dict[str, Operator] = {}
        self._audit: list[AuditEntry] = []

    async def add_operator(self, operator: Operator) -> bool:
        self.writes += 1
        if operator.name in self._operators:
            return False
        self._operators[operator.name] = operator
        return True

    async def operator(self, name: str) -> Operator | None:
        self.reads += 1
        return self._operators.get(name)

    async def operators(self) -> list[Operator]:
        self.reads += 1
        return [self._operators[name] for name in sorted(self._operators)]

    async def remove_operator(self, name: str) -> bool:
        self.writes += 1
        return self._operators.pop(name, None) is not None

    async def set_totp(self, name: str, secret: str) -> bool:
        self.writes += 1
        operator = self._operators.get(name)
        if operator is None:
            return False
        self._operators[name] = replace(operator, totp_secret=secret)
        return True

    async def record(self, entry: AuditEntry) -> None:
        self.writes += 1
        self._audit.append(entry)

    async def entries(self, tenant: str | None, limit: int) -> list[AuditEntry]:
        self.reads += 1
        found = [entry for entry in self._audit if tenant in (None, entry.tenant)]
        return found[::-1][:limit]
