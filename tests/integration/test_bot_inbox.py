"""The durable inbox in the running bot: nothing is acknowledged to Telegram before it is
filed, a replay after a crash answers what was cut off and skips what was answered."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiogram.types import Update
from structlog.testing import capture_logs

from innertalk.bootstrap import App, build_app
from innertalk.bootstrap.bot import telegram_bot
from innertalk.config import load_settings
from innertalk.domain.users import Language, UserKey
from innertalk.infrastructure.crypto import FieldCipher, generate_key, parse_key
from innertalk.infrastructure.inbox_seal import PayloadSeal
from innertalk.infrastructure.storage.local.inbox import LocalUpdateInbox
from innertalk.presentation.http import build_http_app
from innertalk.presentation.telegram.transport.client import create_bot
from innertalk.presentation.telegram.transport.inboxed import InboxedUpdates
from innertalk.presentation.telegram.transport.webhook import Webhook
from tests.fakes.models import ScriptedModel
from tests.fakes.telegram import FakeTelegram
from tests.integration.bot_harness import BOT_ID, isolate


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def until(done: Callable[[], bool]) -> None:
    """Wait (up to 5 s) for ``done``: the inbox is finished in the background, after settle."""
    async with asyncio.timeout(5):
        while not done():  # noqa: ASYNC110 - finished by a background task, no event to wait on
            await asyncio.sleep(0.01)


class GatedInbox(LocalUpdateInbox):
    """A local inbox whose ``file`` waits for ``gate`` (a slow disk)."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.gate.set()
        self.waiting = asyncio.Event()

    async def file(self, bot_id: str, entries: Sequence[tuple[int, bytes]]) -> set[int]:
        self.waiting.set()
        await self.gate.wait()
        return await super().file(bot_id, entries)


@asynccontextmanager
async def webhook_bot(
    telegram: FakeTelegram, app: App, inbox: LocalUpdateInbox
) -> AsyncIterator[str]:
    """The bot in webhook mode with ``inbox``; yields its local webhook URL."""
    port = free_port()
    bot = create_bot(telegram.token, sleep=asyncio.sleep, session=telegram.session())
    running = telegram_bot(app, bot, inbox=inbox)
    stop = asyncio.Event()
    await running.prepare(stop)
    webhook = Webhook.for_server("https://bot.example.test", "s3cret")
    serving = asyncio.create_task(
        running.serve(
            stop, build_http_app(app.services.health), host="127.0.0.1", port=port, webhook=webhook
        )
    )
    try:
        await telegram.wait_for(lambda: telegram.webhook_url)
        yield f"http://127.0.0.1:{port}/webhook/telegram"
    finally:
        stop.set()
        await serving
        await running.close()


async def test_webhook_answers_200_only_after_the_inbox_write(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """While the inbox write is pending no answer goes back; 200 comes once it is filed, and
    after the reply and its records the entry leaves the inbox."""
    isolate(monkeypatch, tmp_path)
    inbox = GatedInbox()
    inbox.gate.clear()
    async with (
        FakeTelegram() as telegram,
        build_app(load_settings(None), model=ScriptedModel()) as app,
        webhook_bot(telegram, app, inbox) as url,
    ):
        alex = telegram.user()
        await app.services.profiles.ensure(
            UserKey(BOT_ID, alex.id), language=Language.EN, consent=True
        )
        update = telegram.make_update({"message": alex.message(text="hello")})
        delivery = asyncio.create_task(telegram.deliver_webhook(update, url=url))
        await inbox.waiting.wait()
        await asyncio.sleep(0.05)  # a real HTTP round trip is in flight: let it run
        assert not delivery.done()
        inbox.gate.set()
        assert (await delivery).status == 200
        await alex.wait_for_messages(1)
        await until(lambda: not inbox._entries)
        assert inbox.filed == 1


async def test_webhook_answers_503_when_the_inbox_cannot_be_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The inbox is down: 503 (Telegram retries), nothing is handled; once it is back, the
    redelivered update is answered."""
    isolate(monkeypatch, tmp_path)
    inbox = LocalUpdateInbox()
    model = ScriptedModel()
    async with (
        FakeTelegram() as telegram,
        build_app(load_settings(None), model=model) as app,
        webhook_bot(telegram, app, inbox) as url,
    ):
        alex = telegram.user()
        await app.services.profiles.ensure(
            UserKey(BOT_ID, alex.id), language=Language.EN, consent=True
        )
        update = telegram.make_update({"message": alex.message(text="hello")})
        inbox.failing = True
        assert (await telegram.deliver_webhook(update, url=url)).status == 503
        await asyncio.sleep(0.1)
        assert model.requests == []
        assert alex.messages() == []
        inbox.failing = False
        assert (await telegram.deliver_webhook(update, url=url)).status == 200
        [reply] = await alex.wait_for_messages(1)
        assert reply.text == "echo: hello"


async def test_polling_confirms_no_update_the_inbox_did_not_take(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Inbox down: the update stays unconfirmed at Telegram and unhandled; once the inbox is
    back the same update is filed, answered once and confirmed."""
    isolate(monkeypatch, tmp_path)
    inbox = LocalUpdateInbox()
    inbox.failing = True
    model = ScriptedModel()
    async with FakeTelegram() as telegram, build_app(load_settings(None), model=model) as app:
        bot = create_bot(telegram.token, sleep=asyncio.sleep, session=telegram.session())
        running = telegram_bot(app, bot, inbox=inbox)
        stop = asyncio.Event()
        await running.prepare(stop)
        alex = telegram.user()
        await app.services.profiles.ensure(
            UserKey(BOT_ID, alex.id), language=Language.EN, consent=True
        )
        polling = asyncio.create_task(running.run_polling(stop))
        try:
            alex.send("hello")
            await telegram.wait_for(lambda: len(telegram.calls_to("getUpdates")) >= 3)
            assert telegram.pending_update_count() == 1
            assert model.requests == []
            assert alex.messages() == []
            inbox.failing = False
            [reply] = await alex.wait_for_messages(1, timeout=10)
            assert reply.text == "echo: hello"
            await telegram.wait_for(lambda: telegram.pending_update_count() == 0, timeout=10)
        finally:
            stop.set()
            await polling
            await running.close()
        assert len(alex.messages()) == 1
        assert not inbox._entries


async def test_replay_answers_the_unanswered_and_skips_the_answered(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A previous run left two entries: the unanswered one is handled (even though the dedupe
    saw it before the crash), the answered one only leaves the inbox — no second reply."""
    isolate(monkeypatch, tmp_path)
    inbox = LocalUpdateInbox()
    model = ScriptedModel()
    async with FakeTelegram() as telegram, build_app(load_settings(None), model=model) as app:
        alex = telegram.user()
        await app.services.profiles.ensure(
            UserKey(BOT_ID, alex.id), language=Language.EN, consent=True
        )
        bot_id = telegram.token.split(":")[0]
        cut_off = telegram.make_update({"message": alex.message(text="replayed after the crash")})
        sent = telegram.make_update({"message": alex.message(text="already answered")})
        await inbox.file(
            bot_id, [(u["update_id"], json.dumps(u).encode()) for u in (sent, cut_off)]
        )
        await inbox.answered(bot_id, sent["update_id"])
        assert await app.services.dedupe.first_time(
            bot_id, cut_off["update_id"]
        )  # seen before the crash
        bot = create_bot(telegram.token, sleep=asyncio.sleep, session=telegram.session())
        running = telegram_bot(app, bot, inbox=inbox)
        stop = asyncio.Event()
        await running.prepare(stop)
        polling = asyncio.create_task(running.run_polling(stop))
        try:
            [reply] = await alex.wait_for_messages(1, timeout=10)
            await until(lambda: not inbox._entries)
        finally:
            stop.set()
            await polling
            await running.close()
        assert reply.text == "echo: replayed after the crash"
        assert [r.message for r in model.requests] == ["replayed after the crash"]
        assert len(alex.messages()) == 1


async def test_replay_keeps_an_entry_no_configured_key_opens() -> None:
    """An entry sealed with a dropped key is not handed on nor dropped at replay: it is logged
    as ``bot.inbox_unopenable`` (its update id only) and stays filed for a restart with the
    key; the entries that open are replayed as usual."""
    old, new = parse_key(generate_key()), parse_key(generate_key())
    inbox = LocalUpdateInbox(PayloadSeal(FieldCipher([old])))
    async with FakeTelegram() as telegram:
        alex = telegram.user()
        bot = create_bot(telegram.token, sleep=asyncio.sleep, session=telegram.session())
        bot_id = str(bot.id)
        lost = telegram.make_update({"message": alex.message(text="sealed with the old key")})
        await inbox.file(bot_id, [(lost["update_id"], json.dumps(lost).encode())])
        inbox.seal = PayloadSeal(FieldCipher([new]))  # restarted with the old key dropped
        fine = telegram.make_update({"message": alex.message(text="sealed with the new key")})
        await inbox.file(bot_id, [(fine["update_id"], json.dumps(fine).encode())])
        submitted: list[int] = []

        async def submit(update: Update, _payload: bytes) -> bool:
            submitted.append(update.update_id)
            return True

        inboxed = InboxedUpdates(inbox, bot, feed=lambda *_a, **_k: asyncio.sleep(0))
        with capture_logs() as logs:
            await inboxed.replay(submit)
        await bot.session.close()
    assert submitted == [fine["update_id"]]
    [event] = [e for e in logs if e["event"] == "bot.inbox_unopenable"]
    assert (set(event), event["update_id"]) == (
        {"event", "update_id", "log_level"},
        lost["update_id"],
    )
    inbox.seal = PayloadSeal(FieldCipher([new, old]))  # the old key back as a previous one
    [kept, _] = await inbox.pending(bot_id, 10)
    assert (kept.update_id, kept.opened) == (lost["update_id"], True)


async def test_text_with_lone_surrogates_is_cleaned_at_the_webhook(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Broken UTF-16 and NUL in a message: accepted (not 400), answered with U+FFFD in place,
    and filed as valid JSON."""
    isolate(monkeypatch, tmp_path)
    inbox = GatedInbox()
    model = ScriptedModel()
    async with (
        FakeTelegram() as telegram,
        build_app(load_settings(None), model=model) as app,
        webhook_bot(telegram, app, inbox) as url,
    ):
        alex = telegram.user()
        await app.services.profiles.ensure(
            UserKey(BOT_ID, alex.id), language=Language.EN, consent=True
        )
        update = telegram.make_update({"message": alex.message(text="hi \ud800 sad\0")})
        body = json.dumps(update).encode()  # ASCII escapes: \ud800 is a lone surrogate
        response = await telegram.deliver_webhook(json.loads(body), url=url)
        assert response.status == 200
        [reply] = await alex.wait_for_messages(1)
        assert reply.text == "echo: hi \ufffd sad"
