"""``innertalk chat``: one local person's conversation in this terminal, over the app."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from innertalk.bootstrap.app import build_app
from innertalk.config import Settings
from innertalk.domain.users import Language, UserKey
from innertalk.presentation.console import CATALOG, ConsoleChat
from innertalk.presentation.texts import text

CONSOLE_BOT_ID = "console"


def system_language() -> Language:
    """The terminal's language (``LC_ALL``, ``LC_MESSAGES``, ``LANG``): Russian or English."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return Language.RU if value.lower().startswith("ru") else Language.EN
    return Language.EN


async def run_chat(settings: Settings, user_id: int, log_file: Path | None) -> None:
    """Converse as ``user_id`` until ``/quit`` or end of input (no daily session limit)."""
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if log_file is not None and sys.stdin.isatty() and not interactive:  # stdout is redirected
        print(text(CATALOG, system_language(), "logs_to", path=log_file), file=sys.stderr)
    async with build_app(settings, sessions_per_day=0) as app:
        chat = ConsoleChat(
            app.services,
            UserKey(CONSOLE_BOT_ID, user_id),
            language=system_language(),
            database=settings.storage.database_url,
            stdin=sys.stdin,
            stdout=sys.stdout,
            interactive=interactive,
            log_file=log_file,
        )
        await chat.run()
