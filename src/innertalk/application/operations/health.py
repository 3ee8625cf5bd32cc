"""Health: what each component says about itself, gathered with a deadline per probe."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    UP = "up"
    DEGRADED = "degraded"
    """Working, but not as configured (a provider's breaker open, a fallback in use)."""
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class ComponentHealth:
    """One component's state; ``detail`` is for operators (no user data, no secrets)."""

    name: str
    status: Status
    detail: str = ""
    required: bool = True
    """A required component that is down makes the whole instance not ready."""


@dataclass(frozen=True, slots=True)
class HealthReport:
    components: tuple[ComponentHealth, ...] = field(default_factory=tuple)

    @property
    def ready(self) -> bool:
        return all(c.status is not Status.DOWN for c in self.components if c.required)

    @property
    def all_up(self) -> bool:
        return all(c.status is Status.UP for c in self.components)


Probe = Callable[[], Awaitable[ComponentHealth | Sequence[ComponentHealth]]]
"""Checks one component (or a group, such as every provider of a chain)."""


class HealthService:
    """Runs every probe concurrently; a probe that fails or hangs reports its component down."""

    def __init__(self, probes: dict[str, Probe], *, timeout: float = 3.0) -> None:
        self._probes = probes
        self._timeout = timeout

    def add_probe(self, name: str, probe: Probe) -> None:
        """Add a probe only an entry point can run (the bot adds Telegram's ``getMe``)."""
        self._probes[name] = probe

    async def check(self) -> HealthReport:
        results = await asyncio.gather(*(self._run(name, p) for name, p in self._probes.items()))
        return HealthReport(tuple(c for group in results for c in group))

    async def _run(self, name: str, probe: Probe) -> list[ComponentHealth]:
        try:
            async with asyncio.timeout(self._timeout):
                result = await probe()
        except TimeoutError:
            return [ComponentHealth(name, Status.DOWN, f"no answer within {self._timeout:g} s")]
        except Exception as error:  # a probe's failure is the component's state
            return [ComponentHealth(name, Status.DOWN, type(error).__name__)]
        return [result] if isinstance(result, ComponentHealth) else list(result)
