"""What the three operator stores share: the TOTP secret sealed with the at-rest cipher,
bound to its operator, so a value copied to another operator's row does not open."""

from __future__ import annotations

from innertalk.infrastructure.storage.sealing import FieldSeal
from innertalk.infrastructure.storage.tenant_rows import TenantSeal


class OperatorSeal:
    def __init__(self, seal: FieldSeal) -> None:
        self._seal = TenantSeal(seal)

    def totp(self, name: str, secret: str) -> str:
        return self._seal.close(secret, f"operator:{name}", "totp")

    def open_totp(self, name: str, stored: str | None) -> str | None:
        return None if stored is None else self._seal.open(stored, f"operator:{name}", "totp")
