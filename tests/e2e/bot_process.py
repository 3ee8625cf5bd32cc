"""Running the real ``innertalk bot`` process against the loopback Bot API fake."""

from __future__ import annotations

import asyncio
import signal
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from innertalk.domain.conversation import Role, Session
from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.sqlite.storage import SqliteStorage
from tests.e2e.conftest import COMMAND, clean_env
from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram_updates import SimulatedUser

START_TIMEOUT = 120.0
"""A ceiling, not a wait: an idle machine starts the bot in a few seconds, but at a load
average of 7 on 2 cores start-up took over 40 s, and a test must not fail on that."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    port: int
    workdir: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database(self) -> Path:
        return self.workdir / "data" / "innertalk.db"

    def output(self) -> str:
        return (self.workdir / "output.txt").read_text(errors="replace")

    async def terminate(self) -> int:
        """SIGTERM, then the exit code (the process must stop within 30 s)."""
        self.process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            return await self.process.wait()


@asynccontextmanager
async def bot_process(
    workdir: Path, telegram: FakeTelegram, **env: str
) -> AsyncIterator[BotProcess]:
    """``innertalk bot`` in ``workdir`` with the fake's URL and token (and ``env``), once it has
    started receiving: polling (a long poll waits) or the webhook (set)."""
    port = free_port()
    environment = clean_env(**telegram.env(), HTTP_PORT=str(port), LOG_FORMAT="json", **env)
    with (workdir / "output.txt").open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            *COMMAND, "bot", cwd=workdir, env=environment, stdout=output, stderr=output
        )
    running = BotProcess(process, port, workdir)
    try:
        await telegram.wait_for(
            lambda: (
                process.returncode is not None or telegram.waiting_polls or telegram.webhook_url
            ),
            timeout=START_TIMEOUT,
        )
        assert process.returncode is None, running.output()
        yield running
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def stored(database: Path, key: UserKey) -> tuple[list[Session], list[tuple[Role, str]]]:
    """The person's sessions (newest first) and turns (oldest first), read from the database."""
    storage = await SqliteStorage.open(database)
    try:
        sessions = await storage.sessions(key, 100)
        turns: list[tuple[Role, str]] = []
        for session in reversed(sessions):
            turns += [(t.role, t.text) for t in await storage.session_turns(key, session.id, 1000)]
        return sessions, turns
    finally:
        await storage.close()


CONSENT = {"en": "✅ I agree, let's begin", "ru": "✅ Согласен(на), начнём"}
DONE = {"en": "All set.", "ru": "Всё готово."}


async def onboard(telegram: FakeTelegram, user: SimulatedUser) -> None:
    """/start → the preselected language → consent → a style, as a person taps through it."""
    before = len(user.messages())
    user.send("/start")
    [*_, ask] = await user.wait_for_messages(before + 1, timeout=10)
    assert any(b["text"].startswith("✓") for b in ask.buttons()), [m.text for m in user.messages()]
    user.press(text=next(b["text"] for b in ask.buttons() if b["text"].startswith("✓")))
    consent = CONSENT[user.language_code]
    await telegram.wait_for(
        lambda: any(b["text"] == consent for b in user.messages()[-1].buttons())
    )
    user.press(text=consent)
    await user.wait_for_messages(before + 3, timeout=10)
    user.press("style:balanced:1")
    await telegram.wait_for(lambda: user.messages()[-1].text.startswith(DONE[user.language_code]))


async def stored_when(
    database: Path,
    key: UserKey,
    ready: Callable[[list[Session], list[tuple[Role, str]]], bool],
) -> tuple[list[Session], list[tuple[Role, str]]]:
    """``stored`` once ``ready`` holds: the running process writes behind (within ~50 ms)."""
    found = await stored(database, key)
    for _ in range(100):
        if ready(*found):
            break
        await asyncio.sleep(0.05)
        found = await stored(database, key)
    return found
