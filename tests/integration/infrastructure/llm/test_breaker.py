"""The circuit breaker: thresholds, cool-downs, the single half-open probe, Retry-After."""

from __future__ import annotations

import pytest

from innertalk.infrastructure.llm.breaker import (
    BreakerPolicy,
    BreakerState,
    CircuitBreaker,
    LocalBreakerStateStore,
    Permit,
)
from innertalk.infrastructure.llm.registry import PROVIDERS
from tests.fakes.clock import FakeClock

GEMINI = BreakerPolicy(3, 30.0)
"""Gemini's registry row: open after 3 failures in a row, for 30 s."""


def _fail_times(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        permit = breaker.try_acquire()
        assert permit is not None
        breaker.record_failure(permit)


def test_defaults_follow_the_seed_numbers(clock: FakeClock) -> None:
    """Gemini opens after 3 failures for 30 s; OpenAI and everyone else after 5 for 60 s."""
    assert PROVIDERS["gemini"].breaker == GEMINI
    others = {spec.breaker for name, spec in PROVIDERS.items() if name != "gemini"}
    assert others == {BreakerPolicy(5, 60.0)}
    assert CircuitBreaker("unlisted", clock).policy == BreakerPolicy(5, 60.0)


def test_opens_after_n_consecutive_failures(clock: FakeClock) -> None:
    """N-1 failures keep it closed; the N-th in a row opens it and calls are refused."""
    breaker = CircuitBreaker("gemini", clock, GEMINI)
    _fail_times(breaker, 2)
    assert breaker.state is BreakerState.CLOSED
    _fail_times(breaker, 1)
    assert breaker.state is BreakerState.OPEN
    assert breaker.try_acquire() is None


def test_a_success_resets_the_count(clock: FakeClock) -> None:
    """Failures must be consecutive: a success in between starts counting again."""
    breaker = CircuitBreaker("gemini", clock, GEMINI)
    _fail_times(breaker, 2)
    permit = breaker.try_acquire()
    assert permit is not None
    breaker.record_success(permit)
    _fail_times(breaker, 2)
    assert breaker.state is BreakerState.CLOSED


def test_after_the_cool_down_it_is_half_open(clock: FakeClock) -> None:
    """Once the cool-down has passed, the breaker admits a probe."""
    breaker = CircuitBreaker("gemini", clock, GEMINI)
    _fail_times(breaker, 3)
    clock.advance(29.9)
    assert breaker.state is BreakerState.OPEN
    clock.advance(0.2)
    assert breaker.state is BreakerState.HALF_OPEN


def test_half_open_admits_exactly_one_probe(clock: FakeClock) -> None:
    """While the probe runs, every other caller sees the provider as unavailable."""
    breaker = CircuitBreaker("gemini", clock, GEMINI)
    _fail_times(breaker, 3)
    clock.advance(30)
    probe = breaker.try_acquire()
    assert probe == Permit(probe=True)
    assert breaker.try_acquire() is None
    assert not breaker.available()


def test_a_successful_probe_closes_it(clock: FakeClock) -> None:
    """The probe's success closes the breaker and calls flow freely again."""
    breaker = CircuitBreaker("gemini", clock, GEMINI)
    _fail_times(breaker, 3)
    clock.advance(30)
    probe = breaker.try_acquire()
    assert probe is not None
    breaker.record_success(probe)
    assert breaker.state is BreakerState.CLOSED
    assert breaker.try_acquire() == Permit()
    assert breaker.try_acquire() == Permit()


def test_a_failed_probe_reopens_it_for_a_full_cool_down(clock: FakeClock) -> None:
    """The probe's failure opens the breaker again for the whole cool-down."""
    breaker = CircuitBreaker("gemini", clock, GEMINI)
    _fail_times(breaker, 3)
    clock.advance(30)
    probe = breaker.try_acquire()
    assert probe is not None
    breaker.record_failure(probe)
    assert breaker.state is BreakerState.OPEN
    assert breaker.open_remaining() == pytest.approx(30.0)


def test_a_released_probe_lets_the_next_caller_probe(clock: FakeClock) -> None:
    """A probe that ends without a verdict (cancelled) frees the probe slot."""
    breaker = CircuitBreaker("gemini", clock, GEMINI)
    _fail_times(breaker, 3)
    clock.advance(30)
    probe = breaker.try_acquire()
    assert probe is not None
    breaker.release(probe)
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.try_acquire() == Permit(probe=True)


def test_open_for_opens_for_at_least_that_long(clock: FakeClock) -> None:
    """A 429's Retry-After opens a closed breaker for exactly that long."""
    breaker = CircuitBreaker("openai", clock)
    breaker.open_for(12.0)
    assert breaker.state is BreakerState.OPEN
    clock.advance(11.9)
    assert breaker.try_acquire() is None
    clock.advance(0.2)
    assert breaker.state is BreakerState.HALF_OPEN


def test_a_later_shorter_error_never_shortens_an_opening(clock: FakeClock) -> None:
    """open-until = max(existing, new): a 5 s Retry-After after a 60 s one keeps 60 s."""
    breaker = CircuitBreaker("openai", clock)
    breaker.open_for(60.0)
    breaker.open_for(5.0)
    assert breaker.open_remaining() == pytest.approx(60.0)
    clock.advance(30)
    assert breaker.try_acquire() is None
    breaker.open_for(10.0)
    assert breaker.open_remaining() == pytest.approx(30.0)


def test_a_longer_opening_extends_it(clock: FakeClock) -> None:
    """A longer Retry-After than the remaining cool-down extends the opening."""
    breaker = CircuitBreaker("gemini", clock, GEMINI)
    _fail_times(breaker, 3)
    breaker.open_for(100.0)
    assert breaker.open_remaining() == pytest.approx(100.0)


def test_policies_are_configurable(clock: FakeClock) -> None:
    """A custom policy changes both the threshold and the cool-down."""
    breaker = CircuitBreaker("gemini", clock, BreakerPolicy(failures=1, cooldown=5.0))
    _fail_times(breaker, 1)
    assert breaker.open_remaining() == pytest.approx(5.0)


def test_state_changes_are_published(clock: FakeClock) -> None:
    """Every state change reaches the observer (the metrics gauge), once each."""
    seen: list[tuple[str, BreakerState]] = []
    breaker = CircuitBreaker(
        "gemini", clock, GEMINI, on_change=lambda name, state: seen.append((name, state))
    )
    _fail_times(breaker, 3)
    clock.advance(30)
    probe = breaker.try_acquire()
    assert probe is not None
    breaker.record_success(probe)
    assert [state for _, state in seen] == [
        BreakerState.CLOSED,
        BreakerState.OPEN,
        BreakerState.HALF_OPEN,
        BreakerState.CLOSED,
    ]


def test_a_shared_store_opens_breakers_of_other_instances(clock: FakeClock) -> None:
    """Two breakers on one store (two processes on Redis, later) skip a provider together."""
    store = LocalBreakerStateStore(clock)
    here = CircuitBreaker("gemini", clock, store=store)
    there = CircuitBreaker("gemini", clock, store=store)
    here.open_for(20.0)
    assert there.state is BreakerState.OPEN
    assert there.try_acquire() is None
    clock.advance(20)
    assert there.try_acquire() == Permit(probe=True)


def test_only_failures_report_a_trip(clock: FakeClock) -> None:
    """on_trip fires when consecutive failures open the breaker, not for open_for cool-downs."""
    trips: list[str] = []
    cooled = CircuitBreaker("openai", clock, BreakerPolicy(2, 60), on_trip=trips.append)
    cooled.open_for(30)
    assert trips == []
    failing = CircuitBreaker("gemini", clock, BreakerPolicy(2, 60), on_trip=trips.append)
    for _ in range(2):
        permit = failing.try_acquire()
        assert permit is not None
        failing.record_failure(permit)
    assert trips == ["gemini"]
