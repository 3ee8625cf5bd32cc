"""Crisis webhooks: what a tenant's care team receives for a crisis signal, and its signature.

The body names the person (the partner's ref, or a Telegram user and bot), the signal's
category and severity and when it arose: never anything the person wrote or a model said.
The signature follows the common ``t=…,v1=…`` scheme: an HMAC-SHA256 of ``"<t>.<body>"``
with the tenant's secret, so a receiver can reject forgeries and stale replays
(docs/operations.md shows the receiver's check).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from innertalk.domain.safety.signals import CrisisSignal
from innertalk.domain.tenants import realm_tenant
from innertalk.domain.users import UserKey

EVENT_TYPE = "crisis.signal"
SIGNATURE_HEADER = "InnerTalk-Signature"
EVENT_ID_HEADER = "InnerTalk-Event-Id"
TOLERANCE_SECONDS = 300
"""How old a signature a receiver should accept (documented; the sender signs each attempt
afresh, so a retry a day later still verifies)."""


@dataclass(frozen=True, slots=True)
class CrisisEvent:
    """One crisis signal of one person, as the tenant's care team is told about it."""

    id: str
    tenant: str
    key: UserKey
    ref: str | None
    """The partner's own id of an API person; ``None`` for a Telegram person (or an API
    person whose ref is no longer known: erased meanwhile)."""
    signal: CrisisSignal
    at: datetime

    def body(self) -> bytes:
        """The JSON body: compact, keys sorted, so the bytes signed are the bytes sent."""
        person: dict[str, object]
        if realm_tenant(self.key.bot_id) is not None:
            person = {"ref": self.ref}
        else:
            person = {"telegram_user_id": self.key.user_id, "bot_id": self.key.bot_id}
        payload = {
            "id": self.id,
            "type": EVENT_TYPE,
            "tenant": self.tenant,
            "person": person,
            "category": self.signal.category.value,
            "severity": self.signal.severity.value,
            "at": rfc3339(self.at),
        }
        return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def rfc3339(moment: datetime) -> str:
    """``moment`` in UTC, to the millisecond, with a ``Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def signature(secret: str, body: bytes, timestamp: int) -> str:
    """The ``InnerTalk-Signature`` value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, body: bytes, header: str, now: int) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` within ``TOLERANCE_SECONDS`` of
    ``now``: the receiver's check, here so the docs' snippet and the tests agree with it."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = signature(secret, body, timestamp).rsplit("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))
