"""A loopback Telegram Bot API server for tests and benchmarks (aiohttp on 127.0.0.1).

The real aiogram ``Bot`` talks to it over HTTP, exactly as to Telegram::

    async with FakeTelegram() as telegram:
        bot = Bot(telegram.token, session=telegram.session())
        alex = telegram.user(language_code="ru")
        alex.send("/start")                          # queued for getUpdates (or the webhook)
        ...                                           # run the dispatcher / the bot process
        [reply] = await alex.wait_for_messages(1)     # event-based, no sleeps
        assert "Привет" in reply.text                # what the person sees (HTML parsed)

A real ``innertalk bot`` process uses it through ``telegram.env()`` (``TELEGRAM_API_URL``,
``TELEGRAM_BOT_TOKEN``). Requests are validated as Telegram does (``telegram_validation`` and
the ``*_methods`` modules); errors come back in Telegram's JSON shape. ``strict_html`` (default
on) also refuses HTML Telegram would tolerate but our renderer must never produce (unescaped
``&``/``>``, see ``html_entities``).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any, TypeVar

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web

from tests.fakes import telegram_bot_methods, telegram_methods
from tests.fakes.telegram_feed import SECRET_HEADER, STORED_SECRET, UpdateFeed, WebhookDelivery
from tests.fakes.telegram_records import (
    BotAPIError,
    BotCall,
    BotMessage,
    Draft,
    FakeChat,
    Params,
    StoredFile,
)
from tests.fakes.telegram_updates import SimulatedGroup, SimulatedUser
from tests.fakes.telegram_validation import METHODS, read_params

__all__ = [
    "DEFAULT_TOKEN",
    "SECRET_HEADER",
    "STORED_SECRET",
    "BotCall",
    "BotMessage",
    "Draft",
    "FakeTelegram",
    "LoopbackSession",
    "SimulatedGroup",
    "SimulatedUser",
    "WebhookDelivery",
]
_HANDLER_MODULES = (telegram_methods, telegram_bot_methods)  # importing them registers METHODS

DEFAULT_TOKEN = "123456789:AAHfakeTokenForInnerTalkTests-0123456"
_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")
T = TypeVar("T")


class LoopbackSession(AiohttpSession):
    """aiogram's session without the 250 ms pause its ``close()`` leaves for TLS shutdown
    (nothing to wait for on plain-HTTP loopback; keeps each test fast)."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


class FakeTelegram(UpdateFeed):
    """The fake server and the simulated world around the bot (users, chats, updates).

    The update side — ``push_update``, long polling, the webhook — comes from ``UpdateFeed``.
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        username: str = "innertalk_test_bot",
        strict_html: bool = True,
    ) -> None:
        super().__init__()
        self.token, self.strict_html = token, strict_html
        self.bot_user: dict[str, Any] = {
            "id": int(token.split(":")[0]), "is_bot": True, "first_name": "InnerTalk",
            "username": username, "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }  # fmt: skip
        self.url = ""
        self.calls: list[BotCall] = []
        self.chats: dict[int, FakeChat] = {}
        self.messages: dict[tuple[int, int], BotMessage] = {}
        self.drafts: list[Draft] = []
        self.actions: list[tuple[int, str]] = []
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.files: dict[str, StoredFile] = {}
        self.bot_settings: dict[str, dict[str, Any]] = {}
        self.default_menu_button: dict[str, Any] = {"type": "default"}
        self._last_user_id, self._last_group_id = 1000, -1_001_000_000_000
        self._faults: dict[str, list[BotAPIError]] = {}
        self._runner: web.AppRunner | None = None

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> FakeTelegram:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/files/{file_id}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        self._open_feed()
        return self

    async def close(self) -> None:
        await self._close_feed()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def api(self) -> TelegramAPIServer:
        """What aiogram needs to talk to this server instead of api.telegram.org."""
        return TelegramAPIServer.from_base(self.url)

    def session(self) -> AiohttpSession:
        """An aiogram session for ``Bot(token, session=...)`` that talks to this server."""
        return LoopbackSession(api=self.api)

    def env(self) -> dict[str, str]:
        """Environment for a real ``innertalk bot`` process pointed at this server."""
        return {"TELEGRAM_API_URL": self.url, "TELEGRAM_BOT_TOKEN": self.token}

    # --- the simulated world ---------------------------------------------------------------

    def user(
        self, user_id: int | None = None, *, first_name: str = "Alex", language_code: str = "en",
        username: str | None = None, last_name: str | None = None,
    ) -> SimulatedUser:  # fmt: skip
        """A person with a private chat with the bot (chat id = user id)."""
        if user_id is None:
            self._last_user_id += 1
            user_id = self._last_user_id
        self.chats.setdefault(
            user_id, FakeChat(user_id, "private", None, username, first_name, last_name)
        )
        return SimulatedUser(self, user_id, first_name, language_code, username, last_name)

    def group(
        self, chat_id: int | None = None, *, title: str = "Test group", kind: str = "supergroup"
    ) -> SimulatedGroup:
        """A group with the bot in it; people write there with ``user.send(..., chat=group)``."""
        if chat_id is None:
            self._last_group_id -= 1
            chat_id = self._last_group_id
        self.chats.setdefault(chat_id, FakeChat(chat_id, kind, title))
        return SimulatedGroup(self, self.chats[chat_id])

    def find_chat(self, chat_id: str | int) -> FakeChat | None:
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            return next((c for c in self.chats.values() if c.username == chat_id[1:]), None)
        try:
            return self.chats.get(int(chat_id))
        except ValueError:
            return None

    def block(self, chat_id: int, *, blocked: bool = True) -> None:
        """From now on every call to this chat answers 403 "bot was blocked by the user"."""
        self.chats[chat_id].blocked = blocked

    # --- fault injection -------------------------------------------------------------------

    def fail_next(
        self, method: str = "*", *, error_code: int = 500, description: str | None = None,
        retry_after: int | None = None, times: int = 1,
    ) -> None:  # fmt: skip
        """The next ``times`` calls of ``method`` (any method for ``"*"``) fail with this error."""
        text = description or {429: f"Too Many Requests: retry after {retry_after}"}.get(
            error_code, "Internal Server Error"
        )
        extra = {} if retry_after is None else {"retry_after": retry_after}
        self._faults.setdefault(method.lower(), []).extend(
            BotAPIError(error_code, text, **extra) for _ in range(times)
        )

    def rate_limit(self, method: str = "*", *, retry_after: int = 1, times: int = 1) -> None:
        """The next calls answer 429 with ``parameters.retry_after`` (flood control)."""
        self.fail_next(method, error_code=429, retry_after=retry_after, times=times)

    # --- what the bot did ------------------------------------------------------------------

    @property
    def sent(self) -> list[BotCall]:
        """Every call the bot made, in order (``calls`` by another name)."""
        return self.calls

    def calls_to(self, method: str) -> list[BotCall]:
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def messages_to(self, chat_id: int, *, include_deleted: bool = False) -> list[BotMessage]:
        """The bot's messages in this chat, oldest first, with edits applied."""
        found = [m for (chat, _), m in self.messages.items() if chat == chat_id]
        return sorted(
            (m for m in found if include_deleted or not m.deleted), key=lambda m: m.message_id
        )

    def drafts_in(self, chat_id: int) -> list[Draft]:
        """Every sendMessageDraft to this chat, in order (each holds the full text so far)."""
        return [draft for draft in self.drafts if draft.chat_id == chat_id]

    def actions_in(self, chat_id: int) -> list[str]:
        return [action for chat, action in self.actions if chat == chat_id]

    def commands_for(
        self, language_code: str = "", scope: str = "type=default"
    ) -> list[dict[str, Any]]:
        """Commands set with setMyCommands for this language and scope (``"type=default"``,
        ``"chat_id=5,type=chat"``…: the scope's fields as ``name=value`` sorted by name)."""
        return self.commands.get((scope, language_code), [])

    async def wait_for(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 5.0,  # noqa: ASYNC109 - the deadline is the point of this helper
    ) -> T:
        """Waits until ``predicate()`` is truthy (re-checked after every bot call, update and
        delivery) and returns its value; fails the test with the last calls on timeout."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    changed = self._changed
                    if result := predicate():
                        return result
                    await changed.wait()
        except TimeoutError:
            recent = [f"{c.method}{'' if c.ok else f' ({c.error})'}" for c in self.calls[-10:]]
            raise AssertionError(f"not met within {timeout}s; last bot calls: {recent}") from None

    # --- HTTP ------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if not _TOKEN.fullmatch(token):
            return _answer(BotAPIError(404, "Not Found"))
        if token != self.token:
            return _answer(BotAPIError(401, "Unauthorized"))
        entry = METHODS.get(request.match_info["method"].lower())
        if entry is None:
            return _answer(BotAPIError(404, "Not Found"))
        name, handler = entry
        call = BotCall(name, {}, {})
        try:
            call.params, call.files = await read_params(request)
            if faults := self._faults.get(name.lower()) or self._faults.get("*"):
                raise faults.pop(0)
            call.result = await handler(self, Params(call.params, call.files))
        except BotAPIError as error:
            call.ok, call.error = False, error.description
            self._record(call)
            return _answer(error)
        except Exception as error:  # a request the fake can't digest: visible, never a hang
            call.ok, call.error = False, f"fake server error: {error!r}"
            self._record(call)
            return _answer(BotAPIError(500, f"Internal Server Error: {call.error}"))
        self._record(call)
        return web.json_response({"ok": True, "result": call.result})

    def _record(self, call: BotCall) -> None:
        self.calls.append(call)
        self._notify()

    async def _download(self, request: web.Request) -> web.Response:
        stored = self.files.get(request.match_info["file_id"])
        if request.match_info["token"] != self.token or stored is None:
            return _answer(BotAPIError(404, "Not Found"))
        return web.Response(body=stored.data, content_type=stored.content_type)


def _answer(error: BotAPIError) -> web.Response:
    return web.json_response(error.to_api(), status=error.code)
