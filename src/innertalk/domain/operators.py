"""Operators: the people who run a deployment and sign in to the web panel (issue 16).

An operator belongs to one tenant, or to every tenant (``tenant`` ``None``, added with
``--tenant all``). The server keeps an argon2id hash of the password, never the password, and
the TOTP secret sealed at rest. The audit log says who did what, when and from where — never
anything a person wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

ALL_TENANTS = "all"
"""What ``--tenant`` says for an operator of every tenant."""
MIN_PASSWORD_LENGTH = 12

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")


class OperatorNameError(ValueError):
    """Not an operator name: 1-64 letters, digits, ``_ . @ -``, starting with a letter or
    digit."""


def operator_name(value: str) -> str:
    """``value`` as an operator name, or ``OperatorNameError``."""
    if not _NAME.fullmatch(value):
        raise OperatorNameError(value)
    return value


@dataclass(frozen=True, slots=True)
class Operator:
    name: str
    tenant: str | None
    """The tenant whose data the operator sees; ``None``: every tenant."""
    password_hash: str = field(repr=False)
    created_at: datetime
    totp_secret: str | None = field(default=None, repr=False)
    """Base32 TOTP secret once enrolled; the login then asks for the 6-digit code."""

    @property
    def tenant_label(self) -> str:
        return ALL_TENANTS if self.tenant is None else self.tenant


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit log: an operator's action, never content."""

    at: datetime
    operator: str
    """Who (the name typed at a failed login, which may be no operator at all)."""
    action: str
    """What: ``login``, ``logout``, ``login.failed``, ``login.locked`` or a page's audit line
    (ids and counts only)."""
    address: str
    """From which address (the client's, or the proxy's ``X-Forwarded-For`` when trusted)."""
    tenant: str | None = None
    """The operator's tenant (``None``: every tenant, or unknown)."""
