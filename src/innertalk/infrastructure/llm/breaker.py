"""Circuit breakers, one per provider, on an injected clock.

``closed`` ─ N consecutive failures ─► ``open`` for a cool-down ─ time passes ─► ``half_open``,
which admits exactly one probe at a time: its success closes the breaker, its failure opens it
again. ``open_for`` (a 429's Retry-After, a rejected key) opens it for at least that long and
is never shortened: the open-until time only ever moves later.

Only the "open until" flag goes through ``BreakerStateStore``, so a shared adapter (Redis:
a key with a TTL, set only when longer, plus a local mirror kept fresh by pub/sub so checks stay
in-process) can let several instances skip a provider together. Counting failures and the
half-open probe stay per process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from innertalk.application.ports import Clock


class BreakerState(StrEnum):
    CLOSED = "closed"
    HALF_OPEN = "half_open"
    OPEN = "open"


@dataclass(frozen=True, slots=True)
class BreakerPolicy:
    """Open after ``failures`` consecutive failures, for ``cooldown`` seconds (each provider's
    own numbers are in its registry row)."""

    failures: int = 5
    cooldown: float = 60.0


class BreakerStateStore(Protocol):
    """Where "open until" flags live: in this process, or shared by several."""

    def open_for(self, name: str, seconds: float) -> None:
        """Mark ``name`` open for at least ``seconds`` from now; a longer opening stays."""
        ...

    def open_remaining(self, name: str) -> float:
        """Seconds until ``name`` may be tried again; 0 when it is not open."""
        ...


class LocalBreakerStateStore:
    """Open flags in this process, on the injected clock's monotonic time."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._until: dict[str, float] = {}

    def open_for(self, name: str, seconds: float) -> None:
        until = self._clock.monotonic() + seconds
        self._until[name] = max(self._until.get(name, until), until)

    def open_remaining(self, name: str) -> float:
        return max(0.0, self._until.get(name, 0.0) - self._clock.monotonic())


@dataclass(frozen=True, slots=True)
class Permit:
    """Leave to make one call; ``probe`` when it is the half-open breaker's single probe."""

    probe: bool = False


class CircuitBreaker:
    """One provider's breaker. Every granted ``Permit`` gets exactly one verdict:
    ``record_success``, ``record_failure``, ``release`` (no verdict) or ``open_for``.
    """

    def __init__(
        self,
        name: str,
        clock: Clock,
        policy: BreakerPolicy | None = None,
        *,
        store: BreakerStateStore | None = None,
        on_change: Callable[[str, BreakerState], None] | None = None,
        on_trip: Callable[[str], None] | None = None,
    ) -> None:
        self.name = name
        self.policy = policy or BreakerPolicy()
        self._store = store or LocalBreakerStateStore(clock)
        self._on_change = on_change
        self._on_trip = on_trip
        self._failures = 0
        self._tripped = False
        self._probing = False
        self._published: BreakerState | None = None
        self._publish(BreakerState.CLOSED)

    @property
    def state(self) -> BreakerState:
        """The current state, for metrics and health checks."""
        if self._store.open_remaining(self.name) > 0:
            self._tripped = True
            state = BreakerState.OPEN
        else:
            state = BreakerState.HALF_OPEN if self._tripped else BreakerState.CLOSED
        self._publish(state)
        return state

    def open_remaining(self) -> float:
        """Seconds until this breaker admits a call again (0 when closed or half-open)."""
        return self._store.open_remaining(self.name)

    def available(self) -> bool:
        """Whether ``try_acquire`` would grant a permit now (without taking it)."""
        state = self.state
        return state is BreakerState.CLOSED or (
            state is BreakerState.HALF_OPEN and not self._probing
        )

    def try_acquire(self) -> Permit | None:
        """A permit to call the provider, or ``None`` while open or while a probe runs."""
        state = self.state
        if state is BreakerState.CLOSED:
            return Permit()
        if state is BreakerState.HALF_OPEN and not self._probing:
            self._probing = True
            return Permit(probe=True)
        return None

    def record_success(self, permit: Permit) -> None:
        """The call worked: reset the failure count; a probe's success closes the breaker."""
        self._failures = 0
        if permit.probe:
            self._probing = False
            self._tripped = False
        self._publish_current()

    def record_failure(self, permit: Permit) -> None:
        """The call failed: a probe's failure, or the N-th in a row while closed, opens it."""
        self._failures += 1
        tripped = permit.probe or (
            self.state is BreakerState.CLOSED and self._failures >= self.policy.failures
        )
        if permit.probe:
            self._probing = False
        if tripped:
            self._open(self.policy.cooldown)
        self._publish_current()
        if tripped and self._on_trip is not None:
            self._on_trip(self.name)

    def release(self, permit: Permit) -> None:
        """The call ended without telling anything about the provider's health."""
        if permit.probe:
            self._probing = False

    def open_for(self, seconds: float, permit: Permit | None = None) -> None:
        """Open for at least ``seconds``; an opening that lasts longer is kept as it is."""
        if permit is not None and permit.probe:
            self._probing = False
        self._open(seconds)
        self._publish_current()

    def _open(self, seconds: float) -> None:
        self._tripped = True
        self._store.open_for(self.name, seconds)

    def _publish_current(self) -> None:
        self._publish(self.state)

    def _publish(self, state: BreakerState) -> None:
        if state is not self._published:
            self._published = state
            if self._on_change is not None:
                self._on_change(self.name, state)
