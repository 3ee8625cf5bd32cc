"""The fake Bot API server, driven by the real aiogram Bot over loopback HTTP (no mocks)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from aiohttp import web

from innertalk.presentation.telegram import parse_telegram_html, render_markdown, split_html
from tests.fakes.telegram import SECRET_HEADER, FakeTelegram
from tests.fakes.telegram_updates import SimulatedUser


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def bot(telegram: FakeTelegram) -> AsyncIterator[Bot]:
    bot = Bot(telegram.token, session=telegram.session())
    yield bot
    await bot.session.close()


@pytest.fixture
def alex(telegram: FakeTelegram) -> SimulatedUser:
    return telegram.user(first_name="Alex", language_code="en")


def keyboard(*data: str) -> InlineKeyboardMarkup:
    buttons = [
        [InlineKeyboardButton(text=f"button {i}", callback_data=d)] for i, d in enumerate(data)
    ]
    return InlineKeyboardMarkup(inline_keyboard=buttons)


async def test_get_me_describes_the_fake_bot(bot: Bot, telegram: FakeTelegram) -> None:
    """getMe answers the bot's identity derived from its token."""
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456789, True, "innertalk_test_bot")


async def test_valid_html_is_delivered_as_parsed_text(bot: Bot, alex: SimulatedUser) -> None:
    """A valid HTML message arrives with its visible text and entities, as Telegram stores it."""
    sent = await bot.send_message(alex.id, "<b>Hi</b> &amp; welcome 😀", parse_mode="HTML")
    assert sent.text == "Hi & welcome 😀"
    [stored] = alex.messages()
    assert (stored.text, stored.html) == ("Hi & welcome 😀", "<b>Hi</b> &amp; welcome 😀")
    assert stored.entities == [{"type": "bold", "offset": 0, "length": 2}]


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<b>never closed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x <br> y", 'Unsupported start tag "br" at byte offset 2'),
        ("Q&A", 'Unescaped "&" at byte offset 1'),
    ],
)
async def test_invalid_html_is_refused_with_telegrams_words(
    bot: Bot, alex: SimulatedUser, html: str, reason: str
) -> None:
    """Unparseable HTML gets 400 "can't parse entities" and nothing is delivered."""
    with pytest.raises(TelegramBadRequest) as raised:
        await bot.send_message(alex.id, html, parse_mode="HTML")
    assert raised.value.message == f"Bad Request: can't parse entities: {reason}"
    assert alex.messages() == []


async def test_rendered_and_split_model_output_is_always_accepted(
    bot: Bot, alex: SimulatedUser
) -> None:
    """A long Markdown reply, rendered and split, is accepted part by part."""
    reply = (
        "# Plan\n\n"
        + "**Breathe** in, *hold*, `out` & rest <3. " * 300
        + "\n```py\nx = 1 < 2\n```"
    )
    parts = split_html(render_markdown(reply))
    assert len(parts) > 1
    for part in parts:
        await bot.send_message(alex.id, part, parse_mode="HTML")
    assert len(alex.messages()) == len(parts)


async def test_length_limit_counts_utf16_after_parsing(bot: Bot, alex: SimulatedUser) -> None:
    """4096 UTF-16 units of visible text pass, one more fails; tags and escapes don't count."""
    await bot.send_message(alex.id, "<b>" + "&amp;" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(alex.id, "😀" * 2048)
    for too_long in ("a" * 4097, "😀" * 2048 + "a"):
        with pytest.raises(TelegramBadRequest, match="message is too long"):
            await bot.send_message(alex.id, too_long)


async def test_empty_text_is_refused(bot: Bot, alex: SimulatedUser) -> None:
    """Whitespace-only (or tag-only) text is refused as empty."""
    for text in ("   ", "<b> </b>"):
        with pytest.raises(TelegramBadRequest, match="message text is empty"):
            await bot.send_message(alex.id, text, parse_mode="HTML")


async def test_unknown_chat_is_not_found(bot: Bot) -> None:
    """Sending to a chat the bot never met fails with "chat not found"."""
    with pytest.raises(TelegramBadRequest, match="Bad Request: chat not found"):
        await bot.send_message(424242, "hello")


async def test_blocked_user_gives_forbidden(
    bot: Bot, telegram: FakeTelegram, alex: SimulatedUser
) -> None:
    """After a person blocks the bot, aiogram raises TelegramForbiddenError (403)."""
    alex.block()
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(alex.id, "still there?")
    with pytest.raises(TelegramForbiddenError):
        await bot.send_chat_action(alex.id, "typing")
    assert telegram.calls_to("sendMessage")[0].error == "Forbidden: bot was blocked by the user"


async def test_rate_limit_gives_retry_after(
    bot: Bot, telegram: FakeTelegram, alex: SimulatedUser
) -> None:
    """An injected 429 reaches aiogram as TelegramRetryAfter with retry_after; then it passes."""
    telegram.rate_limit("sendMessage", retry_after=7)
    with pytest.raises(TelegramRetryAfter) as raised:
        await bot.send_message(alex.id, "one")
    assert raised.value.retry_after == 7
    await bot.send_message(alex.id, "two")
    assert [m.text for m in alex.messages()] == ["two"]


async def test_injected_server_errors(bot: Bot, telegram: FakeTelegram) -> None:
    """fail_next makes the next call of any method fail with the chosen code."""
    telegram.fail_next(error_code=502, description="Bad Gateway")
    with pytest.raises(Exception, match="Bad Gateway"):
        await bot.get_me()
    assert (await bot.get_me()).is_bot


async def test_callback_data_over_64_bytes_is_refused(bot: Bot, alex: SimulatedUser) -> None:
    """callback_data is limited to 64 bytes of UTF-8 (32 Cyrillic letters), as in Telegram."""
    await bot.send_message(alex.id, "ok", reply_markup=keyboard("я" * 32, "x" * 64))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(alex.id, "too long", reply_markup=keyboard("я" * 33))


async def test_get_updates_offset_confirms_earlier_updates(bot: Bot, alex: SimulatedUser) -> None:
    """getUpdates returns updates from offset on and forgets the ones below it for good."""
    first, second, third = (alex.send(text)["update_id"] for text in ("a", "b", "c"))
    assert [u.update_id for u in await bot.get_updates()] == [first, second, third]
    assert [u.update_id for u in await bot.get_updates(offset=second)] == [second, third]
    assert [u.update_id for u in await bot.get_updates(offset=first)] == [second, third]
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == [third]
    assert await bot.get_updates(offset=third + 1) == []
    assert [u.update_id for u in await bot.get_updates(limit=5)] == []


async def test_allowed_updates_filter_what_is_queued(
    bot: Bot, telegram: FakeTelegram, alex: SimulatedUser
) -> None:
    """Update types outside allowed_updates are never queued, as in Telegram."""
    await bot.send_message(alex.id, "pick", reply_markup=keyboard("x"))
    assert await bot.get_updates(allowed_updates=["callback_query"]) == []
    alex.send("ignored")
    pressed = alex.press("x")
    assert [u.update_id for u in await bot.get_updates()] == [pressed["update_id"]]
    assert telegram.pending_update_count() == 1


async def test_long_poll_wakes_up_when_an_update_arrives(
    bot: Bot, telegram: FakeTelegram, alex: SimulatedUser
) -> None:
    """A waiting getUpdates returns as soon as an update is pushed, not at its timeout."""
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await telegram.wait_for(lambda: telegram.waiting_polls)
    alex.send("hello")
    [update] = await poll
    assert update.message is not None
    assert update.message.text == "hello"
    assert time.monotonic() - started < 5


async def test_long_poll_without_updates_ends_at_its_timeout(bot: Bot) -> None:
    """With nothing queued, getUpdates waits its timeout and answers an empty list."""
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == []
    assert time.monotonic() - started >= 0.9


async def test_a_second_poller_terminates_the_first(bot: Bot, telegram: FakeTelegram) -> None:
    """Two bot instances polling at once get Telegram's 409 Conflict."""
    first = asyncio.create_task(bot.get_updates(timeout=30))
    await telegram.wait_for(lambda: telegram.waiting_polls)
    second = asyncio.create_task(bot.get_updates(timeout=0))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await first
    assert await second == []


async def test_send_message_draft_is_recorded_per_chat(
    bot: Bot, telegram: FakeTelegram, alex: SimulatedUser
) -> None:
    """Drafts are accepted in private chats and recorded with their parsed text."""
    assert await bot.send_message_draft(alex.id, draft_id=7, text="")
    assert await bot.send_message_draft(
        alex.id, draft_id=7, text="<b>Thin</b>king…", parse_mode="HTML", can_stop=True
    )
    drafts = alex.drafts()
    assert [(d.draft_id, d.text, d.can_stop) for d in drafts] == [
        (7, "", False),
        (7, "Thinking…", True),
    ]
    group = telegram.group()
    with pytest.raises(TelegramBadRequest, match="TEXTDRAFT_PEER_INVALID"):
        await bot.send_message_draft(group.id, draft_id=1, text="hi")
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message_draft(alex.id, draft_id=7, text="<i>", parse_mode="HTML")


async def test_document_upload_is_stored_and_downloadable(
    bot: Bot, telegram: FakeTelegram, alex: SimulatedUser
) -> None:
    """A multipart document upload arrives with its name, caption and bytes."""
    upload = BufferedInputFile(b"my diary", filename="diary.txt")
    sent = await bot.send_document(alex.id, upload, caption="<i>export</i>", parse_mode="HTML")
    assert sent.document is not None
    assert sent.document.file_name == "diary.txt"
    assert sent.caption == "export"
    [call] = telegram.calls_to("sendDocument")
    assert next(iter(call.files.values())).data == b"my diary"
    downloaded = await bot.download(sent.document.file_id)
    assert downloaded is not None
    assert downloaded.read() == b"my diary"
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(alex.id, BufferedInputFile(b"png", "a.png"), caption="c" * 1025)


async def test_edit_and_delete_follow_telegram_rules(bot: Bot, alex: SimulatedUser) -> None:
    """Edits apply, an identical edit is "not modified", a deleted message is gone."""
    sent = await bot.send_message(alex.id, "draft", reply_markup=keyboard("a"))
    ids = {"chat_id": alex.id, "message_id": sent.message_id}
    await bot.edit_message_text("final", **ids, reply_markup=keyboard("a"))
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("final", **ids, reply_markup=keyboard("a"))
    await bot.edit_message_reply_markup(**ids)
    assert [(m.text, m.reply_markup) for m in alex.messages()] == [("final", None)]
    assert await bot.delete_message(alex.id, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(alex.id, sent.message_id)
    assert alex.messages() == []


async def test_callback_queries_are_answered_once(
    bot: Bot, telegram: FakeTelegram, alex: SimulatedUser
) -> None:
    """A pressed button yields a callback query the bot may answer exactly once."""
    await bot.send_message(alex.id, "Consent?", reply_markup=keyboard("consent:yes"))
    query = alex.press(text="button 0")["callback_query"]
    assert query["data"] == "consent:yes"
    assert await bot.answer_callback_query(query["id"], text="Thanks")
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query["id"])
    assert telegram.callback_answers[query["id"]]["text"] == "Thanks"
    [call] = telegram.calls_to("sendMessage")
    assert call.params["chat_id"] == alex.id  # form fields are logged decoded, as JSON would be
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "consent:yes"


async def test_chat_actions_are_recorded(
    bot: Bot, telegram: FakeTelegram, alex: SimulatedUser
) -> None:
    """sendChatAction records known actions and refuses unknown ones."""
    assert await bot.send_chat_action(alex.id, "typing")
    with pytest.raises(TelegramBadRequest, match="wrong parameter action"):
        await bot.send_chat_action(alex.id, "dancing")
    assert telegram.actions_in(alex.id) == ["typing"]


async def test_commands_are_stored_per_language_and_scope(
    bot: Bot, telegram: FakeTelegram
) -> None:
    """setMyCommands keeps one list per (scope, language); getMyCommands reads it back."""
    await bot.set_my_commands(
        [BotCommand(command="start", description="Начать")], language_code="ru"
    )
    await bot.set_my_commands([BotCommand(command="start", description="Start")])
    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands([BotCommand(command="help", description="Help")], scope=scope)
    assert [c.description for c in await bot.get_my_commands(language_code="ru")] == ["Начать"]
    assert telegram.commands_for() == [{"command": "start", "description": "Start"}]
    assert telegram.commands_for(scope="type=all_private_chats")[0]["command"] == "help"
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad-Command", description="x")])


async def test_wrong_token_is_unauthorized(telegram: FakeTelegram) -> None:
    """A well-formed but wrong token gets 401; a malformed one 404, as from Telegram."""
    stranger = Bot("987654321:AAwrongTokenwrongTokenwrongToken000", session=telegram.session())
    with pytest.raises(TelegramUnauthorizedError):
        await stranger.get_me()
    await stranger.session.close()
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{telegram.url}/botnonsense/getMe") as response,
    ):
        assert response.status == 404
        assert await response.json() == {
            "ok": False,
            "error_code": 404,
            "description": "Not Found",
        }


async def test_json_form_and_query_bodies_are_all_accepted(
    telegram: FakeTelegram, alex: SimulatedUser
) -> None:
    """Parameters may come as JSON, urlencoded form or query string, as Telegram allows."""
    url = f"{telegram.url}/bot{telegram.token}/sendMessage"
    async with aiohttp.ClientSession() as http:
        for request in (
            http.post(url, json={"chat_id": alex.id, "text": "json"}),
            http.post(url, data={"chat_id": str(alex.id), "text": "form"}),
            http.get(url, params={"chat_id": str(alex.id), "text": "query"}),
        ):
            async with request as response:
                assert (await response.json())["ok"] is True
        async with http.post(url, json={"chat_id": alex.id}) as response:
            assert response.status == 400
            assert await response.json() == {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: message text is empty",
            }
    assert [m.text for m in alex.messages()] == ["json", "form", "query"]


async def test_webhook_mode(bot: Bot, telegram: FakeTelegram, alex: SimulatedUser) -> None:
    """With a webhook set, getUpdates conflicts and updates are POSTed with the secret header."""
    received: list[dict[str, Any]] = []

    async def receive(request: web.Request) -> web.Response:
        if request.headers.get(SECRET_HEADER) != "s3cret":
            return web.Response(status=401)
        received.append(await request.json())
        return web.Response()

    app = web.Application()
    app.router.add_post("/webhook/telegram", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    try:
        url = f"http://{host}:{port}/webhook/telegram"
        alex.send("stale")
        await bot.set_webhook(url, secret_token="s3cret", drop_pending_updates=True)
        assert (await bot.get_webhook_info()).url == url
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await bot.get_updates()
        update = alex.send("hi")
        await telegram.wait_for(lambda: received)
        assert [u["update_id"] for u in received] == [update["update_id"]]
        assert (await telegram.deliver_webhook(update, secret_token=None)).status == 401
        await bot.delete_webhook()
        assert await bot.get_updates() == []
    finally:
        await runner.cleanup()


async def test_simulated_updates_parse_as_aiogram_updates(
    bot: Bot, telegram: FakeTelegram, alex: SimulatedUser
) -> None:
    """Every update the simulated users build is a valid aiogram Update of the right kind."""
    group = telegram.group()
    await bot.send_message(alex.id, "pick", reply_markup=keyboard("x"))
    first = alex.send("/start")
    built = {
        "text": first, "sticker": alex.send_sticker(), "photo": alex.send_photo("look"),
        "voice": alex.send_voice(), "video": alex.send_video(), "audio": alex.send_audio(),
        "video_note": alex.send_video_note(), "animation": alex.send_animation(),
        "document": alex.send_document(), "location": alex.send_location(),
        "contact": alex.send_contact(), "poll": alex.send_poll(), "dice": alex.send_dice(),
    }  # fmt: skip
    for content_type, payload in built.items():
        update = Update.model_validate(payload, context={"bot": bot})
        assert update.message is not None
        assert update.message.content_type == content_type
        assert update.message.from_user is not None
        assert update.message.from_user.language_code == "en"
    others = [
        alex.edit(first, "/help"), alex.press("x"), alex.stop_generation(3), alex.block(),
        alex.send("hi all", chat=group),
    ]  # fmt: skip
    kinds = [Update.model_validate(u, context={"bot": bot}).event_type for u in others]
    assert kinds == [
        "edited_message",
        "callback_query",
        "stopped_message_generation",
        "my_chat_member",
        "message",
    ]
    assert others[-1]["message"]["chat"]["type"] == "supergroup"
    assert first["message"]["entities"][0]["type"] == "bot_command"


async def test_a_dispatcher_polls_and_answers_through_the_fake(
    bot: Bot, telegram: FakeTelegram
) -> None:
    """aiogram's own polling loop receives pushed updates and its answers are recorded."""
    dispatcher = Dispatcher()

    @dispatcher.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"<i>{message.text}</i>", parse_mode="HTML")

    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False)
    )
    people = [telegram.user(language_code=code) for code in ("ru", "en")]
    for person in people:
        person.send(f"hello from {person.language_code}")
    replies = [await person.wait_for_messages(1) for person in people]
    await dispatcher.stop_polling()
    await polling
    assert [[m.text for m in chat] for chat in replies] == [["hello from ru"], ["hello from en"]]
    assert replies[0][0].entities == [{"type": "italic", "offset": 0, "length": 13}]


async def test_wait_for_reports_recent_calls_on_timeout(bot: Bot, telegram: FakeTelegram) -> None:
    """A condition that never holds fails with the bot's last calls, not a bare timeout."""
    await bot.get_me()
    with pytest.raises(AssertionError, match="getMe"):
        await telegram.wait_for(lambda: False, timeout=0.05)


def test_strict_fake_matches_the_renderers_promise() -> None:
    """The fake's default strictness is the validator's strict mode the renderer satisfies."""
    parse_telegram_html(render_markdown("Q&A <b> 2 > 1"), strict=FakeTelegram().strict_html)
