"""Update de-duplication inside one process."""

from __future__ import annotations

from innertalk.infrastructure.dedupe import DEDUPE_TTL, LocalUpdateDedupe
from tests.fakes.clock import FakeClock


async def test_an_update_is_taken_once(clock: FakeClock) -> None:
    """The same update id is new once, then a duplicate; other ids and bots are independent."""
    dedupe = LocalUpdateDedupe(clock.monotonic)
    assert await dedupe.first_time("bot", 1)
    assert not await dedupe.first_time("bot", 1)
    assert await dedupe.first_time("bot", 2)
    assert await dedupe.first_time("other-bot", 1)


async def test_ids_are_forgotten_after_telegrams_redelivery_window(clock: FakeClock) -> None:
    """After 24 hours an id is forgotten, so memory stays bounded."""
    dedupe = LocalUpdateDedupe(clock.monotonic)
    await dedupe.first_time("bot", 1)
    clock.advance(DEDUPE_TTL + 1)
    assert await dedupe.first_time("bot", 1)
