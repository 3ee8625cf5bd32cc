"""Event-loop lag: how late the loop wakes up from a short sleep (a process metric).

A loop busy with synchronous work (a slow regex, a big JSON dump, a blocking call) delays every
person's reply; the lag of a short sleep shows it before anyone complains.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from innertalk.infrastructure.observability.metrics import EVENT_LOOP_LAG

LAG_INTERVAL = 0.5


async def watch_event_loop_lag(
    report: Callable[[float], None] = EVENT_LOOP_LAG.set,
    *,
    interval: float = LAG_INTERVAL,
    monotonic: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Forever: sleep ``interval``, report how much longer than that it took (never < 0)."""
    while True:
        started = monotonic()
        await sleep(interval)
        report(max(0.0, monotonic() - started - interval))
