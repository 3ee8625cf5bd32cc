"""Retention: conversation turns older than ``RETENTION_DAYS`` are erased, hourly."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Protocol

import structlog

from innertalk.application.ports import Clock, PrivacyStore

log = structlog.get_logger(__name__)


class RetentionStore(PrivacyStore, Protocol):
    """What the retention job needs (``purge_turns_before``)."""


class RetentionService:
    """Purges old turns once per ``interval``; cached contexts expire within their TTL."""

    def __init__(
        self, *, store: RetentionStore, clock: Clock, days: int, interval: float = 3600.0
    ) -> None:
        self._store = store
        self._clock = clock
        self._age = timedelta(days=days)
        self._interval = interval

    async def purge_once(self) -> int:
        erased = await self._store.purge_turns_before(self._clock.now() - self._age)
        if erased:
            log.info("retention.purged", turns=erased)
        return erased

    async def run(self) -> None:
        """Purge now and then every ``interval`` until cancelled; a failed purge is retried."""
        while True:
            try:
                await self.purge_once()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the next round tries again
                log.warning("retention.failed", error=type(error).__name__)
            await self._clock.sleep(self._interval)
