"""Health probes for the infrastructure the app is built from."""

from __future__ import annotations

from innertalk.application.health import ComponentHealth, Status
from innertalk.infrastructure.storage.write_behind import WriteBehindStorage


async def storage_health(storage: WriteBehindStorage, backend: str) -> ComponentHealth:
    """The database answers, and the write-behind queue is draining."""
    await storage.ping()
    if storage.failing:
        return ComponentHealth(
            "storage", Status.DEGRADED, f"{backend}: writes failing, {storage.depth} queued"
        )
    return ComponentHealth("storage", Status.UP, f"{backend}, {storage.depth} queued")
