"""What the fake Bot API server remembers, and how it reads request parameters."""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

_file_numbers = itertools.count(1)
_JSON_FIELDS = frozenset(
    {"reply_markup", "entities", "caption_entities", "commands", "scope", "allowed_updates"}
    | {"menu_button", "reply_parameters", "link_preview_options"}
)
_INT_FIELDS = frozenset(
    {"chat_id", "message_id", "draft_id", "message_thread_id", "offset", "limit", "timeout"}
    | {"cache_time", "max_connections"}
)
_BOOL_FIELDS = frozenset(
    {"can_stop", "keep_on_stop", "show_alert", "drop_pending_updates", "disable_notification"}
    | {"protect_content"}
)


def decode_form_value(name: str, value: str) -> Any:
    """A form field as the JSON body would have carried it (aiogram always sends forms), so the
    call log reads the same either way: ``reply_markup`` a dict, ``chat_id`` an int…"""
    try:
        if name in _JSON_FIELDS:
            return json.loads(value)
        if name in _INT_FIELDS and value.lstrip("-").isdecimal():
            return int(value)
    except ValueError:
        return value  # left for the method to refuse in Telegram's words
    if name in _BOOL_FIELDS and value in ("true", "false"):
        return value == "true"
    return value


class BotAPIError(Exception):
    """An error answer, in Telegram's shape: ``{"ok": false, "error_code", "description"}``."""

    def __init__(self, code: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code}
        body["description"] = self.description
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> BotAPIError:
    return BotAPIError(400, f"Bad Request: {reason}")


@dataclass
class StoredFile:
    """A file the bot uploaded (or a test registered); downloadable via ``/file/bot<token>/``."""

    data: bytes
    filename: str = "file"
    content_type: str = "application/octet-stream"
    file_id: str = field(default_factory=lambda: f"fake-file-{next(_file_numbers)}")

    def to_api(self) -> dict[str, Any]:
        unique = self.file_id.replace("fake-file", "u")
        return {"file_id": self.file_id, "file_unique_id": unique, "file_size": len(self.data)}


@dataclass
class BotCall:
    """One request the bot made: canonical method name, decoded params, uploaded files, and
    either the result or the error description Telegram-style."""

    method: str
    params: dict[str, Any]
    files: dict[str, StoredFile]
    ok: bool = True
    result: Any = None
    error: str | None = None
    at: float = field(default_factory=time.monotonic)


@dataclass
class FakeChat:
    """A chat the fake knows. Private chats have the user's id; groups a negative one."""

    id: int
    type: str = "private"
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    blocked: bool = False
    menu_button: dict[str, Any] | None = None
    last_message_id: int = 0
    user_message_ids: set[int] = field(default_factory=set)

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id

    def to_api(self) -> dict[str, Any]:
        names = ("title", "username", "first_name", "last_name")
        extra = {name: getattr(self, name) for name in names if getattr(self, name)}
        return {"id": self.id, "type": self.type, **extra}


@dataclass
class BotMessage:
    """A message the bot sent, in its current state (edits applied, deletion flagged).

    ``text`` is what the person sees (HTML already parsed), ``html`` the raw text/caption the
    bot sent, ``entities`` the parsed formatting in Bot API form.
    """

    chat: FakeChat
    message_id: int
    bot: dict[str, Any]
    text: str = ""
    html: str = ""
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    kind: str = "text"
    file: StoredFile | None = None
    date: int = field(default_factory=lambda: int(time.time()))
    edit_date: int | None = None
    deleted: bool = False

    @property
    def chat_id(self) -> int:
        return self.chat.id

    def buttons(self) -> list[dict[str, Any]]:
        """The inline keyboard's buttons, row by row flattened."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def to_api(self) -> dict[str, Any]:
        message: dict[str, Any] = {"message_id": self.message_id, "date": self.date}
        message |= {"chat": self.chat.to_api(), "from": self.bot}
        if self.kind == "text":
            message["text"] = self.text
        else:
            if self.text:
                message["caption"] = self.text
            assert self.file is not None
            media = self.file.to_api()
            if self.kind == "photo":
                message["photo"] = [media | {"width": 800, "height": 600}]
            else:
                message["document"] = media | {"file_name": self.file.filename}
        if self.entities:
            message["entities" if self.kind == "text" else "caption_entities"] = self.entities
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            message["reply_markup"] = self.reply_markup
        if self.edit_date is not None:
            message["edit_date"] = self.edit_date
        return message


@dataclass
class Draft:
    """One ``sendMessageDraft`` call: the streamed text so far (``text`` parsed, ``html`` raw)."""

    chat_id: int
    draft_id: int
    text: str
    html: str
    parse_mode: str | None
    can_stop: bool
    keep_on_stop: bool
    message_thread_id: int | None = None
    at: float = field(default_factory=time.monotonic)


class Params:
    """A request's parameters, from JSON, form or multipart bodies (or the query string), read
    with Telegram's leniency: numbers and booleans may arrive as strings, objects as JSON text,
    files as multipart fields referenced directly or through ``attach://<field>``."""

    def __init__(self, raw: dict[str, Any], files: dict[str, StoredFile]) -> None:
        self.raw, self.files = raw, files

    def has(self, name: str) -> bool:
        return self.raw.get(name) not in (None, "")

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.raw.get(name)
        return default if value is None else str(value)

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.raw.get(name)
        if value in (None, ""):
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def required_integer(self, name: str) -> int:
        value = self.integer(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def flag(self, name: str) -> bool:
        value = self.raw.get(name)
        return value is True or str(value).lower() in ("true", "1")

    def json(self, name: str, error: str | None = None) -> Any:
        value = self.raw.get(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(error or f"can't parse {name} JSON object") from None

    def file(self, name: str) -> StoredFile | str | None:
        """An uploaded file, or the file_id/URL string given instead."""
        if name in self.files:
            return self.files[name]
        value = self.text(name)
        if value and value.startswith("attach://"):
            attached = self.files.get(value.removeprefix("attach://"))
            if attached is None:
                raise bad_request(f"wrong remote file identifier specified: {name}")
            return attached
        return value
