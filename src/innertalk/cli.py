"""The ``innertalk`` command: ``chat``, ``bot``, ``migrate``, ``health``, ``keygen``,
``reencrypt``.

Configuration problems end the process with one line naming the variable and exit code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import signal
import sys
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from innertalk import __version__
from innertalk.bootstrap import App, at_rest_cipher, build_app, open_inbox, open_storage
from innertalk.config import ConfigError, LogSettings, Settings, load_settings
from innertalk.domain.users import Language, UserKey
from innertalk.infrastructure.crypto import DecryptionError, generate_key
from innertalk.infrastructure.logs import configure_logging
from innertalk.infrastructure.loop_lag import watch_event_loop_lag
from innertalk.infrastructure.metrics import PrometheusBotMetrics, count_telegram_error
from innertalk.infrastructure.ratelimit import parse_rate
from innertalk.presentation.console import CATALOG, ConsoleChat, ConsoleServices
from innertalk.presentation.readiness import (
    NotListeningError,
    fetch_readiness,
    readiness_table,
    readyz_url,
)
from innertalk.presentation.texts import text

if TYPE_CHECKING:  # aiogram takes seconds to import: only `innertalk bot` pays for it
    from aiogram.fsm.storage.base import BaseStorage

    from innertalk.infrastructure.lane_queue import RedisLaneQueue
    from innertalk.presentation.telegram.runtime import TelegramBot
    from innertalk.presentation.telegram.services import BotOptions, BotServices

EXIT_DOWN = 1
EXIT_CONFIG = 2
EXIT_INTERRUPTED = 130
CONSOLE_BOT_ID = "console"
CHAT_LOG_NAME = "innertalk-chat.log"
REENCRYPT_BATCH = 500
"""Rows (documents) re-sealed per transaction (bulk write) by ``innertalk reencrypt``."""


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
    commands.add_parser(
        "bot", help="run the Telegram bot (long polling; a webhook when WEBHOOK_URL is set)"
    )
    commands.add_parser("migrate", help="create or update the database schema")
    commands.add_parser(
        "health", help="show the running instance's /readyz table (exit 1 unless all up)"
    )
    commands.add_parser("keygen", help="print a new ENCRYPTION_KEY")
    commands.add_parser(
        "reencrypt",
        help="seal every stored personal value with ENCRYPTION_KEY (then old keys can go)",
    )
    return parser


def _system_language() -> Language:
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return Language.RU if value.lower().startswith("ru") else Language.EN
    return Language.EN


async def _chat(settings: Settings, user_id: int, log_file: Path | None) -> None:
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if log_file is not None and sys.stdin.isatty() and not interactive:  # stdout is redirected
        print(text(CATALOG, _system_language(), "logs_to", path=log_file), file=sys.stderr)
    async with build_app(settings, sessions_per_day=0) as app:
        chat = ConsoleChat(
            ConsoleServices(talk=app.talk, sessions=app.sessions, profiles=app.profiles),
            UserKey(CONSOLE_BOT_ID, user_id),
            language=_system_language(),
            database=settings.storage.database_url,
            stdin=sys.stdin,
            stdout=sys.stdout,
            interactive=interactive,
            log_file=log_file,
        )
        await chat.run()


def _start_logging(settings: Settings, command: str) -> Path | None:
    """Configure logging; returns the file logs go to (``None``: stderr).

    Someone typing into ``innertalk chat`` shares the terminal with stderr, so their log lines
    go to a file next to the database unless ``LOG_FILE`` names one; piped, they stay on
    stderr, at ``WARNING`` and above unless ``LOG_LEVEL`` asks for less.
    """
    file = settings.log.log_file
    if command == "chat" and file is None and sys.stdin.isatty():
        storage = settings.storage
        folder = storage.sqlite_path.parent if storage.backend == "sqlite" else Path("data")
        file = folder / CHAT_LOG_NAME
    try:
        _configure_logging(settings.log, file, quiet=command == "chat" and file is None)
    except OSError as error:
        if settings.log.log_file is not None:
            raise ConfigError(f"LOG_FILE: cannot write {file}: {error.strerror}") from None
        # The chat's own file beside the database: opening the database will name the problem.
        _configure_logging(settings.log, None, quiet=True)
        return None
    return file


def _configure_logging(log: LogSettings, file: Path | None, *, quiet: bool) -> None:
    configure_logging(
        level="WARNING" if quiet and log.log_level in ("DEBUG", "INFO") else log.log_level,
        fmt=log.log_format,
        file=file,
        max_bytes=log.log_max_bytes,
        backups=log.log_backups,
        sdk_debug=log.log_sdk_debug,
    )


def bot_services(app: App) -> BotServices:
    """The use cases the Telegram bot calls, from the app."""
    from innertalk.presentation.telegram.services import BotServices

    return BotServices(
        talk=app.talk,
        sessions=app.sessions,
        profiles=app.profiles,
        feedback=app.feedback,
        privacy=app.privacy,
        alerts=app.alerts,
        health=app.health,
        rate_limiter=app.rate_limiter,
        dedupe=app.dedupe,
        clock=app.clock,
        diary=app.diary,
        questionnaires=app.questionnaires,
        portraits=app.portraits,
        reminders=app.reminders,
        safety=app.safety,
        memory=app.memory,
        pseudonyms=app.pseudonyms,
    )


def bot_options(settings: Settings) -> BotOptions:
    """The bot's options from settings (admins, the rate limit's window)."""
    from innertalk.presentation.telegram.services import BotOptions

    return BotOptions(
        admin_ids=frozenset(settings.admin.admin_ids),
        rate_window=float(parse_rate(settings.talk.rate_limit).get_expiry()),
    )


def fsm_storage(app: App) -> BaseStorage:
    """Where the bot keeps screen (FSM) state: Redis when the app has it (every instance sees
    the same screens), else the app's own store (it survives restarts of one instance)."""
    from innertalk.infrastructure.fsm import SharedRedisFsmStorage, StoreFsmStorage

    if app.redis is not None:
        return SharedRedisFsmStorage(app.redis, cipher=at_rest_cipher(app.settings))
    return StoreFsmStorage(app.storage)


async def _bot(settings: Settings) -> None:
    """The Telegram bot until SIGTERM/SIGINT: then it stops receiving, finishes what it took
    in, and ``build_app`` stores every queued write. A second signal stops at once."""
    secret = settings.telegram.bot_token
    token = secret.get_secret_value().strip() if secret else ""
    if not token:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN: not set; `innertalk bot` needs the token @BotFather gave"
        )
    if settings.shares_lanes and settings.http.webhook_secret is None:
        # Without it each instance would set its own random secret: only the last one's works.
        raise ConfigError(
            "WEBHOOK_SECRET: not set; with REDIS_URL and WEBHOOK_URL every instance must send "
            "the same secret (1-256 letters, digits, _ and -)"
        )
    from aiogram.utils.token import TokenValidationError

    from innertalk.presentation.telegram.client import create_bot
    from innertalk.presentation.telegram.runtime import TelegramBot

    logging.getLogger("aiogram.event").setLevel(logging.WARNING)  # a line per update is noise
    stop = asyncio.Event()
    with _stopping_on_signals(stop):
        async with build_app(settings) as app, open_inbox(settings, app.redis) as inbox:
            try:
                bot = create_bot(
                    token,
                    sleep=app.clock.sleep,
                    api_url=settings.telegram.api_url,
                    on_api_error=count_telegram_error,
                )
            except TokenValidationError:
                raise ConfigError(
                    "TELEGRAM_BOT_TOKEN: not shaped like a bot token (123:ABC…)"
                ) from None
            lanes = _shared_lanes(app, bot.id)
            telegram = TelegramBot(
                bot,
                bot_services(app),
                bot_options(settings),
                fsm_storage=fsm_storage(app),
                lane_queue=lanes,
                settle=app.storage.settled,
                inbox=inbox,
            )
            install_operations(telegram, app)
            lag = asyncio.create_task(watch_event_loop_lag(), name="event-loop-lag")
            try:
                await _serve_bot(telegram, app, settings, stop)
            finally:
                lag.cancel()
                await telegram.close()


def _shared_lanes(app: App, bot_id: int) -> RedisLaneQueue | None:
    """Per-person lanes shared through Redis: with ``REDIS_URL`` in webhook mode (behind a
    load balancer one person's updates reach several instances; polling is one instance)."""
    if app.redis is None or not app.settings.shares_lanes:
        return None
    from innertalk.infrastructure.lane_queue import RedisLaneQueue

    return RedisLaneQueue(app.redis, str(bot_id), cipher=at_rest_cipher(app.settings))


def install_operations(telegram: TelegramBot, app: App) -> None:
    """The admin menu's console and the update metrics, in the bot's dispatcher data."""
    from innertalk.presentation.telegram.admin_console import AdminConsole

    dispatcher = telegram.dispatcher
    console = AdminConsole(app.admin, telegram.bot_id, telegram.sender, app.clock)
    dispatcher["admin_console"] = console
    dispatcher["bot_metrics"] = PrometheusBotMetrics()
    dispatcher.shutdown.register(console.aclose)


async def _serve_bot(
    telegram: TelegramBot, app: App, settings: Settings, stop: asyncio.Event
) -> None:
    from aiogram.exceptions import TelegramUnauthorizedError

    from innertalk.presentation.http import build_http_app
    from innertalk.presentation.telegram.runtime import ListenError, WebhookRefusedError
    from innertalk.presentation.telegram.webhook import Webhook

    http = settings.http
    try:
        if await telegram.prepare(stop) is None:
            return  # stopped before Telegram could be reached
    except TelegramUnauthorizedError:
        raise ConfigError("TELEGRAM_BOT_TOKEN: Telegram rejected it (401 Unauthorized)") from None
    webhook = None
    if http.webhook_url:
        given = http.webhook_secret.get_secret_value() if http.webhook_secret else None
        webhook = Webhook.for_server(http.webhook_url, given)
    # Everything built so far (≈500,000 objects: modules, aiogram's and the SDKs' models) lives
    # as long as the process; frozen, a full collection no longer walks it (≈300 ms each).
    gc.collect()
    gc.freeze()
    try:
        await telegram.serve(
            stop,
            build_http_app(app.health),
            host=http.http_host,
            port=http.http_port,
            webhook=webhook,
        )
    except ListenError as error:
        raise ConfigError(f"HTTP_PORT: {error}") from None
    except WebhookRefusedError as error:
        raise ConfigError(f"WEBHOOK_URL: Telegram refused it: {error}") from None
    except TelegramUnauthorizedError:  # the token was revoked while running
        raise ConfigError("TELEGRAM_BOT_TOKEN: Telegram rejected it (401 Unauthorized)") from None


@contextlib.contextmanager
def _stopping_on_signals(stop: asyncio.Event) -> Iterator[None]:
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


async def _migrate(settings: Settings) -> None:
    storage = await open_storage(settings, migrate=True)
    await storage.close()
    print(f"schema is up to date ({settings.storage.database_label})")


async def _reencrypt(settings: Settings) -> None:
    """Seal every personal value under the current key, batch by batch; run again after an
    interruption, it picks up what is left (values already current are skipped)."""
    from innertalk.infrastructure.storage.key_check import seal_probe
    from innertalk.infrastructure.storage.sealing import FieldSeal

    cipher = at_rest_cipher(settings)
    if cipher is None:
        raise ConfigError("ENCRYPTION_KEY: reencrypt needs the key to seal with")
    storage = await open_storage(settings, migrate=True)  # refuses keys that do not open it

    def progress(part: str, read: int, sealed: int) -> None:
        print(f"reencrypt: {part}: {read} read, {sealed} sealed so far", file=sys.stderr)

    try:
        sealed = await storage.reseal(  # type: ignore[attr-defined]
            FieldSeal(cipher), batch=REENCRYPT_BATCH, progress=progress
        )
        await storage.set_at_rest_probe(seal_probe(cipher))  # type: ignore[attr-defined]
    finally:
        await storage.close()
    waiting = await _reseal_inbox(settings)
    print(
        f"reencrypt: done, {sealed} values sealed and {waiting} waiting updates re-sealed with "
        f"key {cipher.current_key_id} ({settings.storage.database_label}); "
        "ENCRYPTION_KEYS_PREVIOUS may now be emptied",
        file=sys.stderr,
    )


async def _reseal_inbox(settings: Settings) -> int:
    """Re-seal the updates waiting in the inbox (where ``innertalk bot`` keeps it: Redis with
    REDIS_URL, else the database), or one filed under an old key is lost once it is dropped."""
    from innertalk.application.inbox import InboxUnavailableError
    from innertalk.infrastructure.redis_connection import connect_redis

    url = settings.storage.redis_url
    redis = connect_redis(url) if url else None
    try:
        async with open_inbox(settings, redis) as inbox:
            return await inbox.reseal()
    except InboxUnavailableError as error:
        variable = "REDIS_URL" if redis is not None else "DATABASE_URL"
        raise ConfigError(f"{variable}: the update inbox cannot be re-sealed ({error})") from None
    finally:
        if redis is not None:
            await redis.aclose()


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


def _health(settings: Settings) -> int:
    """Print the running instance's readiness table: 0 all up, 1 degraded/not ready/silent."""
    url = readyz_url(settings.http.http_host, settings.http.http_port)
    try:
        readiness = fetch_readiness(url)
    except (NotListeningError, ValueError) as error:
        print(f"innertalk: {error}", file=sys.stderr)
        return EXIT_DOWN
    print(readiness_table(readiness))
    return 0 if readiness.all_up else EXIT_DOWN


def _work(
    args: argparse.Namespace, settings: Settings, log_file: Path | None
) -> Coroutine[Any, Any, None]:
    if args.command == "chat":
        return _chat(settings, args.user_id, log_file)
    if args.command == "reencrypt":
        return _reencrypt(settings)
    return _migrate(settings)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = _parser().parse_args(argv)
    if args.command == "keygen":  # needs no settings: it makes the first one
        print(generate_key())
        return 0
    try:
        settings = load_settings(args.env_file)
        log_file = _start_logging(settings, args.command)
    except ConfigError as error:
        print(f"innertalk: configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    if args.command == "health":
        return _health(settings)
    try:
        if args.command == "bot":
            asyncio.run(_bot(settings))
        else:
            asyncio.run(_until_signalled(_work(args, settings, log_file)))
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
