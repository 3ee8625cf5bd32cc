"""Health probes for the infrastructure the app is built from."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from innertalk.application.operations.health import ComponentHealth, Status
from innertalk.infrastructure.llm.breaker import BreakerState
from innertalk.infrastructure.llm.router import ModelRouter
from innertalk.infrastructure.safety_model.classifier import LinearCrisisClassifier
from innertalk.infrastructure.storage.write_behind import WriteBehindStorage

if TYPE_CHECKING:  # redis-py takes a few hundred ms to import: only a process with Redis pays
    from redis.asyncio import Redis


async def storage_health(storage: WriteBehindStorage, backend: str) -> ComponentHealth:
    """The database answers, and the write-behind queue is draining."""
    await storage.ping()
    if storage.failing:
        return ComponentHealth(
            "storage", Status.DEGRADED, f"{backend}: writes failing, {storage.depth} queued"
        )
    return ComponentHealth("storage", Status.UP, f"{backend}, {storage.depth} queued")


def llm_health(router: ModelRouter) -> list[ComponentHealth]:
    """Each provider with its breaker state, and the offline responder that always answers."""
    components = []
    for name, state in router.breaker_states().items():
        if state is BreakerState.CLOSED:
            status, detail = Status.UP, "breaker closed"
        else:
            remaining = router.breaker(name).open_remaining()
            status = Status.DEGRADED
            detail = f"breaker {state.value}" + (f", {remaining:.0f} s left" if remaining else "")
        components.append(ComponentHealth(f"llm:{name}", status, detail, required=False))
    components.append(ComponentHealth("llm:offline", Status.UP, "always available"))
    return components


REDIS_PROBE_TIMEOUT = 1.0


async def redis_health(redis: Redis) -> ComponentHealth:
    """Redis answers ``PING``. Optional: everything shared through it fails open."""
    from innertalk.infrastructure.redis.connection import REDIS_FAILURES

    try:
        async with asyncio.timeout(REDIS_PROBE_TIMEOUT):
            await redis.ping()
    except REDIS_FAILURES as error:
        detail = f"unreachable ({type(error).__name__}); shared state falls back to this process"
        return ComponentHealth("redis", Status.DOWN, detail, required=False)
    return ComponentHealth("redis", Status.UP, "reachable", required=False)


async def crisis_model_health(
    classifier: LinearCrisisClassifier, *, encoder_wanted: bool = True
) -> ComponentHealth:
    """The learned crisis layer: degraded (rules + n-grams only) when its sentence encoder
    failed to load; up when the operator switched it off (``SAFETY_ENCODER=off``), a choice
    and not a fault. Not required: the rules screen every message whatever this says."""
    if classifier.uses_encoder:
        return ComponentHealth("crisis_model", Status.UP, "n-grams + sentence encoder")
    if not encoder_wanted:
        return ComponentHealth(
            "crisis_model", Status.UP, "n-grams only (encoder switched off)", False
        )
    return ComponentHealth(
        "crisis_model", Status.DEGRADED, "sentence encoder unavailable: n-grams only", False
    )
