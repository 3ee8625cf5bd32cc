"""Bot API methods about messages: send, draft, edit, delete, media, chat actions, callbacks.

Each handler takes the server and the request's ``Params`` and returns the ``result`` or raises
``BotAPIError`` with Telegram's wording.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from innertalk.presentation.telegram.render.html_entities import CAPTION_LIMIT, MESSAGE_LIMIT
from tests.fakes.telegram_records import BotMessage, Draft, Params, StoredFile, bad_request
from tests.fakes.telegram_validation import (
    formatted,
    method,
    own_message,
    reply_markup,
    send,
    target_chat,
)

if TYPE_CHECKING:
    from tests.fakes.telegram import FakeTelegram

CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice"}
    | {"upload_document", "choose_sticker", "find_location", "record_video_note"}
    | {"upload_video_note"}
)
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


@method("sendMessage")
async def send_message(fake: FakeTelegram, params: Params) -> Any:
    chat = target_chat(fake, params)
    text, raw, entities = formatted(fake, params, "text", limit=MESSAGE_LIMIT)
    markup = reply_markup(params)
    message = BotMessage(chat, chat.next_message_id(), fake.bot_user, text, raw)
    message.parse_mode, message.entities, message.reply_markup = (
        params.text("parse_mode"),
        entities,
        markup,
    )
    return send(fake, chat, message)


@method("sendMessageDraft")
async def send_message_draft(fake: FakeTelegram, params: Params) -> Any:
    chat = target_chat(fake, params)
    if chat.type != "private":
        raise bad_request("TEXTDRAFT_PEER_INVALID")
    draft_id = params.required_integer("draft_id")
    if draft_id == 0:
        raise bad_request("draft_id must be non-zero")
    text, raw, _ = formatted(fake, params, "text", limit=MESSAGE_LIMIT, required=False)
    fake.drafts.append(
        Draft(
            chat.id, draft_id, text, raw, params.text("parse_mode"), params.flag("can_stop"),
            params.flag("keep_on_stop"), params.integer("message_thread_id"),
        )
    )  # fmt: skip
    return True


@method("editMessageText")
async def edit_message_text(fake: FakeTelegram, params: Params) -> Any:
    message = own_message(fake, params, "edit")
    if message.kind != "text":
        raise bad_request("there is no text in the message to edit")
    text, raw, entities = formatted(fake, params, "text", limit=MESSAGE_LIMIT)
    markup = reply_markup(params)
    if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
        raise bad_request(NOT_MODIFIED)
    message.text, message.html, message.entities, message.reply_markup = (
        text,
        raw,
        entities,
        markup,
    )
    message.parse_mode, message.edit_date = params.text("parse_mode"), int(time.time())
    return message.to_api()


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(fake: FakeTelegram, params: Params) -> Any:
    message = own_message(fake, params, "edit")
    markup = reply_markup(params)
    if markup == message.reply_markup:
        raise bad_request(NOT_MODIFIED)
    message.reply_markup, message.edit_date = markup, int(time.time())
    return message.to_api()


@method("deleteMessage")
async def delete_message(fake: FakeTelegram, params: Params) -> Any:
    chat = target_chat(fake, params)
    message_id = params.required_integer("message_id")
    if message_id in chat.user_message_ids:
        chat.user_message_ids.discard(message_id)
        return True
    own_message(fake, params, "delete").deleted = True
    return True


@method("sendChatAction")
async def send_chat_action(fake: FakeTelegram, params: Params) -> Any:
    chat = target_chat(fake, params)
    action = params.text("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    fake.actions.append((chat.id, action))
    return True


@method("answerCallbackQuery")
async def answer_callback_query(fake: FakeTelegram, params: Params) -> Any:
    query_id = params.text("callback_query_id") or ""
    if query_id not in fake.callback_queries or query_id in fake.callback_answers:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    if len(params.text("text") or "") > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    fake.callback_answers[query_id] = dict(params.raw)
    return True


async def send_media(fake: FakeTelegram, params: Params, kind: str) -> Any:
    chat = target_chat(fake, params)
    media = params.file(kind)
    if media is None:
        raise bad_request(f"there is no {kind} in the request")
    if isinstance(media, str):
        known = fake.files.get(media)
        if known is None and not media.startswith(("http://", "https://")):
            raise bad_request("wrong file identifier/HTTP URL specified")
        media = known or StoredFile(b"", filename=media.rsplit("/", 1)[-1])
    fake.files[media.file_id] = media
    text, raw, entities = formatted(fake, params, "caption", limit=CAPTION_LIMIT, required=False)
    message = BotMessage(chat, chat.next_message_id(), fake.bot_user, text, raw, kind=kind)
    message.parse_mode, message.entities, message.file = params.text("parse_mode"), entities, media
    message.reply_markup = reply_markup(params)
    return send(fake, chat, message)


@method("sendPhoto")
async def send_photo(fake: FakeTelegram, params: Params) -> Any:
    return await send_media(fake, params, "photo")


@method("sendDocument")
async def send_document(fake: FakeTelegram, params: Params) -> Any:
    return await send_media(fake, params, "document")
