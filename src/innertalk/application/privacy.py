"""PrivacyService: a person takes everything stored about them, or erases it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import structlog

from innertalk.application.conversation.contexts import ContextLoader
from innertalk.application.ports import Clock, PrivacyStore, UserLocks
from innertalk.domain.privacy import export_document, export_markdown
from innertalk.domain.users import UserKey

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class ExportFiles:
    """The export as two files: complete JSON, and Markdown for reading."""

    json: bytes
    markdown: bytes
    records: int


class PrivacyService:
    """Export and erasure, each under the person's lock so no reply writes in between."""

    def __init__(
        self, *, store: PrivacyStore, contexts: ContextLoader, locks: UserLocks, clock: Clock
    ) -> None:
        self._store = store
        self._contexts = contexts
        self._locks = locks
        self._clock = clock

    async def export(self, key: UserKey, *, labels: Mapping[str, str]) -> ExportFiles:
        """Everything stored about ``key``; ``labels`` are the Markdown headings to use."""
        async with self._locks.hold(key):
            records = await self._store.export_user(key)
        now = self._clock.now()
        timezone = records.profile.timezone if records.profile else "UTC"
        document = export_document(records, now)
        return ExportFiles(
            json=json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8"),
            markdown=export_markdown(records, labels, timezone=timezone, exported_at=now).encode(
                "utf-8"
            ),
            records=records.count,
        )

    async def delete(self, key: UserKey) -> int:
        """Erase every record of ``key`` and every cached copy; returns how many were erased."""
        async with self._locks.hold(key):
            erased = await self._store.delete_user(key)
            await self._contexts.forget(key)
        log.info("privacy.erased", records=erased)
        return erased
