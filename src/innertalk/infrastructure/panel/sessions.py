"""Server-side panel sessions: in this process, or in Redis (shared by every instance).

Redis keys hold the SHA-256 of the session id, so a dump of Redis opens no session; the
entry expires after the session's absolute lifetime (the panel checks idleness itself).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from cachetools import TLRUCache

from innertalk.application.panel.ports import PanelSession
from innertalk.domain.users import Language

if TYPE_CHECKING:
    from redis.asyncio import Redis


class LocalPanelSessions:
    def __init__(self, *, timer: Callable[[], float] = time.monotonic) -> None:
        self._sessions: TLRUCache[str, tuple[PanelSession, float]] = TLRUCache(
            maxsize=10_000, ttu=lambda _key, value, now: now + value[1], timer=timer
        )

    async def load(self, session_id: str) -> PanelSession | None:
        found = self._sessions.get(session_id)
        return None if found is None else found[0]

    async def save(self, session_id: str, session: PanelSession, ttl: float) -> None:
        self._sessions[session_id] = (session, ttl)

    async def drop(self, session_id: str) -> None:
        self._sessions.pop(session_id, None)


class RedisPanelSessions:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def load(self, session_id: str) -> PanelSession | None:
        stored = await self._redis.get(_key(session_id))
        return None if stored is None else _session_from(json.loads(stored))

    async def save(self, session_id: str, session: PanelSession, ttl: float) -> None:
        await self._redis.set(_key(session_id), json.dumps(_document(session)), ex=int(ttl) + 1)

    async def drop(self, session_id: str) -> None:
        await self._redis.delete(_key(session_id))


def _key(session_id: str) -> str:
    return "innertalk:panel:session:" + hashlib.sha256(session_id.encode()).hexdigest()


def _document(session: PanelSession) -> dict[str, str | None]:
    return {
        "operator": session.operator,
        "tenant": session.tenant,
        "language": session.language.value,
        "created_at": session.created_at.isoformat(),
        "seen_at": session.seen_at.isoformat(),
    }


def _session_from(document: dict[str, str]) -> PanelSession:
    return PanelSession(
        operator=document["operator"],
        tenant=document.get("tenant"),
        language=Language(document["language"]),
        created_at=datetime.fromisoformat(document["created_at"]),
        seen_at=datetime.fromisoformat(document["seen_at"]),
    )
