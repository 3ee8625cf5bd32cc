"""The ``innertalk`` command: ``chat``, ``bot``, ``api``, ``migrate``, ``health``, ``keygen``,
``reencrypt``, ``tenant …``, ``apikey …`` and ``operator …``. It parses arguments, loads
settings and logging, and runs what the composition root (``innertalk.bootstrap``) builds for
the command.

Configuration problems end the process with one line naming the variable and exit code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from innertalk import __version__
from innertalk.application.operations.tenants import TenantError
from innertalk.application.panel.operators import OperatorError
from innertalk.bootstrap import operators, tenants
from innertalk.bootstrap.console import run_chat
from innertalk.bootstrap.maintenance import migrate, reencrypt
from innertalk.config import ConfigError, LogSettings, Settings, load_settings
from innertalk.infrastructure.crypto import DecryptionError, generate_key
from innertalk.infrastructure.observability.logs import configure_logging
from innertalk.presentation.readiness import (
    NotListeningError,
    fetch_readiness,
    readiness_table,
    readyz_url,
)

EXIT_DOWN = 1
EXIT_CONFIG = 2
EXIT_INTERRUPTED = 130
CHAT_LOG_NAME = "innertalk-chat.log"


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
    commands.add_parser(
        "api", help="serve the integration API (/api/v1), health and metrics, without Telegram"
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
    _tenant_parser(commands)
    _apikey_parser(commands)
    _operator_parser(commands)
    return parser


def _tenant_parser(commands: Any) -> None:
    tenant = commands.add_parser("tenant", help="manage tenants, their settings and bots")
    actions = tenant.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("add", help="add a tenant").add_argument("name")
    actions.add_parser("list", help="list tenants, their bots and settings")
    change = actions.add_parser("set", help="change settings: KEY=VALUE… (KEY= clears)")
    change.add_argument("name")
    change.add_argument("assignments", nargs="+", metavar="KEY=VALUE")
    bot = actions.add_parser("bot", help="manage a tenant's Telegram bots")
    bot_actions = bot.add_subparsers(dest="bot_action", required=True, metavar="ACTION")
    add_bot = bot_actions.add_parser("add", help="give a Telegram bot to a tenant")
    add_bot.add_argument("name")
    add_bot.add_argument("--telegram-token", required=True, metavar="TOKEN")


def _apikey_parser(commands: Any) -> None:
    apikey = commands.add_parser("apikey", help="manage the integration API's keys")
    actions = apikey.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="make a key (printed once, last line)")
    create.add_argument("--tenant", required=True, metavar="NAME")
    create.add_argument(
        "--scopes", metavar="LIST", help="comma-separated: conversation,wellbeing,privacy,stats"
    )
    create.add_argument("--rate", metavar="RATE", help="requests allowed (default 600/minute)")
    listing = actions.add_parser("list", help="list keys (never the keys themselves)")
    listing.add_argument("--tenant", metavar="NAME")
    actions.add_parser("revoke", help="revoke a key by its id").add_argument("id")


def _operator_parser(commands: Any) -> None:
    operator = commands.add_parser("operator", help="manage the web panel's operators")
    actions = operator.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser(
        "add", help="add an operator (password from stdin when piped, else prompted twice)"
    )
    add.add_argument("name")
    add.add_argument("--tenant", required=True, metavar="NAME|all")
    actions.add_parser("list", help="list operators (never their passwords)")
    actions.add_parser("remove", help="remove an operator").add_argument("name")
    actions.add_parser(
        "totp", help="enrol TOTP and print the otpauth:// URI (login then needs the code)"
    ).add_argument("name")


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
        return run_chat(settings, args.user_id, log_file)
    if args.command == "reencrypt":
        return reencrypt(settings)
    if args.command == "tenant":
        return _tenant_work(args, settings)
    if args.command == "apikey":
        return _apikey_work(args, settings)
    if args.command == "operator":
        return _operator_work(args, settings)
    return migrate(settings)


def _tenant_work(args: argparse.Namespace, settings: Settings) -> Coroutine[Any, Any, None]:
    if args.action == "add":
        return tenants.tenant_add(settings, args.name)
    if args.action == "list":
        return tenants.tenant_list(settings)
    if args.action == "set":
        return tenants.tenant_set(settings, args.name, args.assignments)
    return tenants.tenant_bot_add(settings, args.name, args.telegram_token)


def _apikey_work(args: argparse.Namespace, settings: Settings) -> Coroutine[Any, Any, None]:
    if args.action == "create":
        return tenants.apikey_create(settings, args.tenant, args.scopes, args.rate)
    if args.action == "list":
        return tenants.apikey_list(settings, args.tenant)
    return tenants.apikey_revoke(settings, args.id)


def _operator_work(args: argparse.Namespace, settings: Settings) -> Coroutine[Any, Any, None]:
    if args.action == "add":
        return operators.operator_add(settings, args.name, args.tenant, operators.read_password())
    if args.action == "list":
        return operators.operator_list(settings)
    if args.action == "remove":
        return operators.operator_remove(settings, args.name)
    return operators.operator_totp(settings, args.name)


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
            from innertalk.bootstrap.bot import run_bot  # aiogram: only the bot pays for it

            asyncio.run(run_bot(settings))
        elif args.command == "api":
            from innertalk.bootstrap.api import run_api  # FastAPI: only the API pays for it

            asyncio.run(run_api(settings))
        else:
            asyncio.run(_until_signalled(_work(args, settings, log_file)))
    except ConfigError as error:
        print(f"innertalk: configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except DecryptionError as error:
        print(f"innertalk: configuration error: ENCRYPTION_KEY: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except (TenantError, OperatorError) as error:  # a tenant/key/operator command refused
        print(f"innertalk: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except asyncio.CancelledError:
        if sys.stdout.isatty():
            print()  # leave the shell prompt on a line of its own
        return EXIT_INTERRUPTED
    return 0
