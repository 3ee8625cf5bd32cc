"""How ``innertalk bot`` and ``innertalk api`` stop: the first SIGINT/SIGTERM asks for a graceful
stop, a second cancels everything."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator


@contextlib.contextmanager
def stopping_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """The first SIGINT/SIGTERM sets ``stop`` (graceful); a second cancels everything."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()

    def signalled() -> None:
        if stop.is_set() and task is not None:
            task.cancel()
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, signalled)
    try:
        yield
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
