"""Checks the fake Bot API server applies to requests, in Telegram's words, and the registry of
method handlers (``METHODS``: lower-cased name → canonical name and handler; Telegram matches
method names case-insensitively)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from innertalk.presentation.telegram.render.html_entities import (
    TelegramHTMLError,
    parse_telegram_html,
    utf16_len,
)
from tests.fakes.telegram_records import (
    BotAPIError,
    BotMessage,
    FakeChat,
    Params,
    StoredFile,
    bad_request,
    decode_form_value,
)

if TYPE_CHECKING:
    from tests.fakes.telegram import FakeTelegram

Handler = Callable[["FakeTelegram", Params], Awaitable[Any]]
METHODS: dict[str, tuple[str, Handler]] = {}


def method(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = (name, handler)
        return handler

    return register


def target_chat(fake: FakeTelegram, params: Params) -> FakeChat:
    """The chat ``chat_id`` names; 400 if unknown, 403 if the person blocked the bot."""
    raw = params.text("chat_id")
    if not raw:
        raise bad_request("chat_id is empty")
    chat = fake.find_chat(raw)
    if chat is None:
        raise bad_request("chat not found")
    if chat.blocked:
        reason = "bot was blocked by the user" if chat.type == "private" else "bot was kicked"
        raise BotAPIError(403, f"Forbidden: {reason}")
    return chat


def formatted(
    fake: FakeTelegram, params: Params, field: str, *, limit: int, required: bool = True
) -> tuple[str, str, list[dict[str, Any]]]:
    """(visible text, raw text, entities) of a text or caption, checked as Telegram does."""
    raw = params.text(field) or ""
    mode = (params.text("parse_mode") or "").lower()
    if mode == "html":
        try:
            text, parsed = parse_telegram_html(raw, strict=fake.strict_html)
        except TelegramHTMLError as error:
            raise bad_request(f"can't parse entities: {error.reason}") from None
        entities = [entity.to_api() for entity in parsed]
    elif mode in ("", "markdown", "markdownv2"):  # Markdown modes are not validated here
        entities_field = "entities" if field == "text" else "caption_entities"
        text, entities = raw, params.json(entities_field) or []
    else:
        raise bad_request("unsupported parse_mode")
    if required and not text.strip():
        raise bad_request("message text is empty")
    if utf16_len(text) > limit:
        raise bad_request(
            "message is too long" if field == "text" else "message caption is too long"
        )
    return text, raw, entities


def reply_markup(params: Params) -> dict[str, Any] | None:
    """The keyboard, with inline buttons checked (callback_data 1-64 bytes, one action each)."""
    markup = params.json("reply_markup", "can't parse reply keyboard markup JSON object")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'can\'t parse inline keyboard button: field "inline_keyboard" must be of type Array'
        )
    for button in (button for row in rows for button in row):
        if not isinstance(button, dict) or not button.get("text"):
            raise bad_request("can't parse inline keyboard button: Text must be non-empty")
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode()) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
        elif len(button) == 1:
            raise bad_request(
                "can't parse inline keyboard button: "
                "Text buttons are unallowed in the inline keyboard"
            )
    return markup


def own_message(fake: FakeTelegram, params: Params, action: str) -> BotMessage:
    chat = target_chat(fake, params)
    message_id = params.required_integer("message_id")
    message = fake.messages.get((chat.id, message_id))
    if message is None or message.deleted:
        if message_id in chat.user_message_ids and action == "edit":
            raise bad_request("message can't be edited")
        raise bad_request(f"message to {action} not found")
    return message


def send(fake: FakeTelegram, chat: FakeChat, message: BotMessage) -> dict[str, Any]:
    fake.messages[chat.id, message.message_id] = message
    return message.to_api()


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, StoredFile]]:
    """Parameters from the query string and a JSON, urlencoded or multipart body."""
    params = {key: decode_form_value(key, value) for key, value in request.query.items()}
    files: dict[str, StoredFile] = {}
    if not request.can_read_body:
        return params, files
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON object") from None
        if not isinstance(body, dict):
            raise bad_request("can't parse JSON object")
        return params | body, files
    for key, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            content_type = value.content_type or "application/octet-stream"
            files[key] = StoredFile(value.file.read(), value.filename, content_type)
        elif isinstance(value, str):
            params[key] = decode_form_value(key, value)
    return params, files
