"""The ``innertalk`` command: ``chat``, ``migrate``.

Configuration problems end the process with one line naming the variable and exit code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Coroutine
from typing import Any

from innertalk import __version__
from innertalk.bootstrap import build_app, open_storage
from innertalk.config import ConfigError, Settings, load_settings
from innertalk.domain.users import Language, UserKey
from innertalk.infrastructure.crypto import DecryptionError
from innertalk.infrastructure.logs import configure_logging
from innertalk.presentation.console import ConsoleChat, ConsoleServices

EXIT_CONFIG = 2
EXIT_INTERRUPTED = 130
CONSOLE_BOT_ID = "console"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="innertalk", description="InnerTalk, a companion for inner dialogue."
    )
    parser.add_argument("--version", action="version", version=f"innertalk {__version__}")
    parser.add_argument(
        "--env-file", default=".env", help="settings file read after the environment (.env)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chat = commands.add_parser("chat", help="talk with the companion in this terminal")
    chat.add_argument(
        "--user-id",
        type=int,
        default=1,
        help="local person to talk as; each has their own history (default 1)",
    )
    commands.add_parser("migrate", help="create or update the database schema")
    return parser


def _system_language() -> Language:
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return Language.RU if value.lower().startswith("ru") else Language.EN
    return Language.EN


async def _chat(settings: Settings, user_id: int) -> None:
    async with build_app(settings, sessions_per_day=0) as app:
        chat = ConsoleChat(
            ConsoleServices(talk=app.talk, sessions=app.sessions, profiles=app.profiles),
            UserKey(CONSOLE_BOT_ID, user_id),
            language=_system_language(),
            database=settings.storage.database_url,
            stdin=sys.stdin,
            stdout=sys.stdout,
            interactive=sys.stdin.isatty() and sys.stdout.isatty(),
        )
        await chat.run()


async def _migrate(settings: Settings) -> None:
    storage = await open_storage(settings, migrate=True)
    await storage.close()
    print(f"schema is up to date ({settings.storage.database_url})")


async def _until_signalled(work: Coroutine[Any, Any, None]) -> None:
    """Run ``work``; SIGINT or SIGTERM cancels it, so every ``finally`` (flushes) still runs."""
    task = asyncio.ensure_future(work)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, task.cancel)
    try:
        await task
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(args.env_file)
    except ConfigError as error:
        print(f"innertalk: configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    log = settings.log
    quiet_console = args.command == "chat" and log.log_file is None
    configure_logging(
        level="WARNING" if quiet_console and log.log_level in ("DEBUG", "INFO") else log.log_level,
        fmt=log.log_format,
        file=log.log_file,
        max_bytes=log.log_max_bytes,
        backups=log.log_backups,
    )
    work = _chat(settings, args.user_id) if args.command == "chat" else _migrate(settings)
    try:
        asyncio.run(_until_signalled(work))
    except ConfigError as error:
        print(f"innertalk: configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except DecryptionError as error:
        print(f"innertalk: configuration error: ENCRYPTION_KEY: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except asyncio.CancelledError:
        if sys.stdout.isatty():
            print()  # leave the shell prompt on a line of its own
        return EXIT_INTERRUPTED
    return 0
