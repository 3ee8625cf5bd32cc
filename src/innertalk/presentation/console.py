"""The console chat: the companion in a terminal, on the same core as the bot.

On a TTY it is a REPL with line editing (readline), a coloured prompt and a streamed reply.
When stdin is not a TTY it answers each non-empty input line with one reply and exits at EOF,
so ``printf 'Hello\\n' | innertalk chat`` works in scripts and tests.

Its labels, notices and session summaries are in the language the person writes in (stored on
their profile, so the next run starts in it) until ``/lang ru|en`` chooses one explicitly.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TextIO, TypeVar

from innertalk.application.conversation.talk import (
    DailyTokenBudgetExhaustedError,
    SessionBudgetExhaustedError,
    TalkReply,
)
from innertalk.application.ports import ModelRefusedError
from innertalk.application.safety import Screening
from innertalk.application.services import Services
from innertalk.domain.language import detect_language
from innertalk.domain.messages import EmptyMessageError, clean_text
from innertalk.domain.users import Language, UserKey
from innertalk.presentation.safety_notice import notice_text
from innertalk.presentation.texts import Catalog, text

T = TypeVar("T")

CATALOG = Catalog.CONSOLE
_BOLD_CYAN = "\033[1;36m"
_BOLD_GREEN = "\033[1;32m"
_RESET = "\033[0m"
_DECLINED = (
    EmptyMessageError,
    SessionBudgetExhaustedError,
    DailyTokenBudgetExhaustedError,
    ModelRefusedError,
)
"""What ``TalkService`` refuses to answer; ``_declined`` says why."""


class ConsoleChat:
    """One person's conversation in a terminal or a pipe."""

    def __init__(
        self,
        services: Services,
        key: UserKey,
        *,
        language: Language,
        database: str,
        stdin: TextIO,
        stdout: TextIO,
        interactive: bool,
        log_file: Path | None = None,
    ) -> None:
        self._services = services
        self._key = key
        self._language = language
        self._chosen = False  # /lang was used: stop following what the person writes
        self._database = database
        self._stdin = stdin
        self._stdout = stdout
        self._interactive = interactive
        self._log_file = log_file

    async def run(self) -> None:
        """Converse until ``/quit`` or end of input."""
        profile = await self._services.profiles.ensure(
            self._key, language=self._language, consent=True
        )
        self._language = profile.language
        if self._interactive:
            _enable_line_editing()
            self._say(text(CATALOG, self._language, "welcome", database=self._database))
            if self._log_file is not None:
                self._say(text(CATALOG, self._language, "logs_to", path=self._log_file))
        while (line := await self._read()) is not None:
            if line.strip().lower() in ("/quit", "/exit"):
                break
            await self._handle(line.strip())
        if self._interactive:
            self._say(text(CATALOG, self._language, "goodbye"))

    async def _read(self) -> str | None:
        if self._interactive:
            prompt = (
                f"\001{_BOLD_GREEN}\002{text(CATALOG, self._language, 'prompt')}> \001{_RESET}\002"
            )
            try:
                return clean_text(await in_daemon_thread(input, prompt))
            except EOFError:
                self._say("")
                return None
        line = await in_daemon_thread(self._stdin.readline)
        # undecodable bytes arrive as lone surrogates (surrogateescape): cleaned at the edge
        return clean_text(line.rstrip("\r\n")) if line else None

    async def _handle(self, line: str) -> None:
        if not line:
            if self._interactive:
                self._say(text(CATALOG, self._language, "empty"))
            return
        if line.startswith("/"):
            command, *argument = line.split(maxsplit=1)
            await self._command(command.lower(), "".join(argument))
            return
        written = detect_language(line)
        if written is not None and not self._chosen:
            await self._switch_to(written)
        if self._interactive:
            await self._stream_reply(line)
            return
        screening = await self._notice(line)
        try:
            reply = await self._services.talk.reply(self._key, line, screened=screening)
        except _DECLINED as error:
            self._say(self._declined(error))
            return
        self._say(reply.text)
        self._late_notice(reply)

    async def _notice(self, line: str) -> Screening:
        """A crisis signal gets the hotlines printed before any reply."""
        screening = await self._services.talk.examine(
            line, detect_language(line) or self._language
        )
        if screening.notice is not None:
            self._say(notice_text(screening.notice))
        return screening

    def _late_notice(self, reply: TalkReply) -> None:
        """A crisis the provider's opinion saw once the reply was written: hotlines after it."""
        if reply.late_safety is not None:
            self._say(notice_text(reply.late_safety))

    async def _stream_reply(self, line: str) -> None:
        screening = await self._notice(line)
        name = text(CATALOG, self._language, "companion")
        self._write(f"{_BOLD_CYAN}{name}:{_RESET} ")
        shown = 0

        async def show(so_far: str) -> None:
            nonlocal shown
            self._write(so_far[shown:])
            shown = len(so_far)

        try:
            reply = await self._services.talk.reply(
                self._key, line, on_chunk=show, screened=screening
            )
        except _DECLINED as error:
            self._say(self._declined(error))
            return
        if reply.withheld:  # what streamed failed the safety screen: replace it on a new line
            self._say("")
            self._say(reply.text)
        else:
            self._say(reply.text[shown:])
        self._late_notice(reply)

    def _declined(self, error: Exception) -> str:
        """What the person reads when their message gets no model reply."""
        if isinstance(error, SessionBudgetExhaustedError):
            return text(CATALOG, self._language, "budget_exhausted")
        if isinstance(error, DailyTokenBudgetExhaustedError):
            hours = max(1, round(error.retry_after / 3600))
            return text(CATALOG, self._language, "daily_tokens", hours=hours)
        if isinstance(error, ModelRefusedError):
            return text(CATALOG, self._language, "refused")
        return text(CATALOG, self._language, "empty")

    async def _switch_to(self, language: Language) -> None:
        """Labels, notices and summaries (read from the profile) use ``language`` from now."""
        if language != self._language:
            await self._services.profiles.update(self._key, language=language)
            self._language = language

    async def _choose_language(self, argument: str) -> None:
        """``/lang ru|en``: an explicit choice that writing in the other language won't undo."""
        try:
            language = Language(argument.lower())
        except ValueError:  # the person may not read the current language: hint in both
            other = Language.EN if self._language is Language.RU else Language.RU
            for hint_language in (self._language, other):
                self._say(text(CATALOG, hint_language, "language_hint"))
            return
        self._chosen = True
        await self._switch_to(language)
        self._say(text(CATALOG, language, "language_set"))

    async def _command(self, command: str, argument: str) -> None:
        if command == "/help":
            self._say(text(CATALOG, self._language, "help"))
        elif command == "/lang":
            await self._choose_language(argument)
        elif command == "/new":
            ended = await self._services.sessions.end(self._key)
            if ended is None:
                self._say(text(CATALOG, self._language, "no_session"))
            elif ended.summary:
                self._say(text(CATALOG, self._language, "session_ended", summary=ended.summary))
            else:
                self._say(text(CATALOG, self._language, "session_ended_empty"))
        else:
            self._say(text(CATALOG, self._language, "unknown_command", command=command))

    def _write(self, chunk: str) -> None:
        self._stdout.write(chunk)
        self._stdout.flush()

    def _say(self, line: str) -> None:
        self._write(f"{line}\n")


async def in_daemon_thread(function: Callable[..., T], *args: object) -> T:
    """Run a blocking read off the event loop, in a daemon thread.

    Unlike ``asyncio.to_thread``, an abandoned read (Ctrl-C, SIGTERM) does not keep the
    process alive until someone presses Enter: daemon threads do not block interpreter exit.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def work() -> None:
        try:
            outcome: tuple[T | None, BaseException | None] = (function(*args), None)
        except BaseException as error:  # handed to the awaiting coroutine
            outcome = (None, error)
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is waiting
            loop.call_soon_threadsafe(settle, *outcome)

    threading.Thread(target=work, name="console-input", daemon=True).start()
    return await future


def _enable_line_editing() -> None:
    """Arrow keys and history for ``input()`` where the platform has readline."""
    if sys.platform != "win32":
        try:
            import readline  # noqa: F401 - importing it is what enables line editing
        except ImportError:  # pragma: no cover - Python built without readline
            return
