"""Several bots in one process: each answers its own people through its own Bot API, in
polling and in webhook mode (one HTTP server, a route and a secret per bot); one bot's failure
leaves the others serving, the primary bot's ends the run."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from structlog.testing import capture_logs

from innertalk.application.wellbeing.reminder_dispatch import SendOutcome
from innertalk.bootstrap import App, build_app
from innertalk.bootstrap.bot import serve_telegram, telegram_bot
from innertalk.config import ConfigError, load_settings
from innertalk.domain.users import Language, UserKey
from innertalk.presentation.telegram.transport.client import create_bot
from innertalk.presentation.telegram.transport.runtime import TelegramBot
from tests.fakes.models import ScriptedModel
from tests.fakes.telegram import FakeTelegram, SimulatedUser
from tests.integration.bot_harness import isolate
from tests.integration.http_harness import free_port

OTHER_TOKEN = "987654321:AAHanotherTokenForInnerTalkTests-6543"
PUBLIC = "https://bot.example.test"


@asynccontextmanager
async def serving(
    app: App, first: FakeTelegram, second: FakeTelegram, *, second_token: str | None = None
) -> AsyncIterator[tuple[TelegramBot, TelegramBot, asyncio.Task[None]]]:
    """``serve_telegram`` with ``first`` as the primary bot and ``second`` as another one."""
    primary = telegram_bot(
        app, create_bot(first.token, sleep=asyncio.sleep, session=first.session())
    )
    other = telegram_bot(
        app,
        create_bot(second_token or second.token, sleep=asyncio.sleep, session=second.session()),
        primary=False,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(serve_telegram(primary, [other], app, stop))
    try:
        yield primary, other, task
    finally:
        stop.set()
        await asyncio.gather(task, return_exceptions=True)
        await asyncio.gather(primary.close(), other.close())


async def until(done: Callable[[], bool]) -> None:
    """Wait (up to 10 s) for ``done``: a log line, written after the fake's last change."""
    async with asyncio.timeout(10):
        while not done():  # noqa: ASYNC110 - a log line has no event to wait on
            await asyncio.sleep(0.01)


async def person(app: App, telegram: FakeTelegram) -> SimulatedUser:
    """A person of ``telegram``'s bot, past consent."""
    someone = telegram.user()
    key = UserKey(telegram.token.split(":")[0], someone.id)
    await app.services.profiles.ensure(key, language=Language.EN, consent=True)
    return someone


async def test_two_bots_by_long_polling_answer_their_own_people(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Each bot answers the person who wrote to it, through its own Bot API; the same Telegram
    user id on two bots is two people (two realms), each with their own conversation."""
    isolate(monkeypatch, tmp_path, HTTP_HOST="127.0.0.1", HTTP_PORT=str(free_port()))
    model = ScriptedModel()
    async with (
        FakeTelegram() as first,
        FakeTelegram(token=OTHER_TOKEN, username="other_bot") as second,
        build_app(load_settings(None), model=model) as app,
        serving(app, first, second),
    ):
        alex, bea = await person(app, first), await person(app, second)
        assert alex.id == bea.id  # both fakes hand out the same first user id
        await first.wait_for(lambda: first.waiting_polls)
        await second.wait_for(lambda: second.waiting_polls)
        alex.send("hello from A")
        bea.send("hello from B")
        [to_alex] = await alex.wait_for_messages(1)
        [to_bea] = await bea.wait_for_messages(1)
    assert (to_alex.text, to_bea.text) == ("echo: hello from A", "echo: hello from B")
    assert sorted(r.message for r in model.requests) == ["hello from A", "hello from B"]


async def test_two_bots_by_webhook_on_one_server_each_with_its_route_and_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``WEBHOOK_URL`` stays the primary bot's; the other bot gets ``/webhook/telegram/{id}``
    and a secret of its own on the same server; each answers its own people, and one bot's
    secret opens no other bot's route."""
    port = free_port()
    isolate(
        monkeypatch,
        tmp_path,
        HTTP_HOST="127.0.0.1",
        HTTP_PORT=str(port),
        WEBHOOK_URL=PUBLIC,
        WEBHOOK_SECRET="s3cret",
    )
    local = f"http://127.0.0.1:{port}"
    async with (
        FakeTelegram() as first,
        FakeTelegram(token=OTHER_TOKEN, username="other_bot") as second,
        build_app(load_settings(None), model=ScriptedModel()) as app,
        serving(app, first, second) as (_, other, _task),
    ):
        await first.wait_for(lambda: first.webhook_url)
        await second.wait_for(lambda: second.webhook_url)
        own_path = f"/webhook/telegram/{other.bot_id}"
        assert (first.webhook_url, first.webhook_secret) == (
            f"{PUBLIC}/webhook/telegram",
            "s3cret",
        )
        assert second.webhook_url == PUBLIC + own_path
        assert second.webhook_secret not in (None, "", "s3cret")
        first.webhook_url, second.webhook_url = local + "/webhook/telegram", local + own_path
        alex, bea = await person(app, first), await person(app, second)
        misrouted = second.make_update({"message": bea.message(text="wrong door")})
        wrong = await second.deliver_webhook(misrouted, url=local + "/webhook/telegram")
        assert wrong.status == 401
        alex.send("hook A")
        bea.send("hook B")
        [to_alex] = await alex.wait_for_messages(1)
        [to_bea] = await bea.wait_for_messages(1)
        async with aiohttp.ClientSession() as http, http.get(local + "/readyz") as ready:
            components = {c["name"]: c for c in (await ready.json())["components"]}
        assert ready.status == 200
    assert (to_alex.text, to_bea.text) == ("echo: hook A", "echo: hook B")
    assert components["telegram"]["required"] is True
    assert components[f"telegram:{other.bot_id}"]["required"] is False


async def test_another_bots_failure_leaves_the_primary_serving(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A revoked token of the other bot (401 on getUpdates) is logged and that bot stops;
    the primary bot keeps answering and the run goes on until stopped."""
    isolate(monkeypatch, tmp_path, HTTP_HOST="127.0.0.1", HTTP_PORT=str(free_port()))
    async with (
        FakeTelegram() as first,
        FakeTelegram(token=OTHER_TOKEN, username="other_bot") as second,
        build_app(load_settings(None), model=ScriptedModel()) as app,
    ):
        alex = await person(app, first)
        with capture_logs() as logs:
            async with serving(app, first, second) as (_, other, task):
                await second.wait_for(lambda: second.waiting_polls)
                second.fail_next(
                    "getUpdates", error_code=401, description="Unauthorized", times=99
                )
                second.user().send("wakes the long poll")
                await until(lambda: any(e["event"] == "telegram.bot_failed" for e in logs))
                alex.send("hello again")
                [reply] = await alex.wait_for_messages(1)
                assert not task.done()
    assert reply.text == "echo: hello again"
    failed = [e for e in logs if e["event"] == "telegram.bot_failed"]
    assert failed == [
        {
            "event": "telegram.bot_failed",
            "bot_id": other.bot_id,
            "error": "TelegramUnauthorizedError",
            "log_level": "error",
        }
    ]


async def test_the_primary_bots_failure_stops_every_bot_and_is_raised(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A revoked primary token ends the run as it always has (``innertalk bot`` turns it into
    the one-line ``TELEGRAM_BOT_TOKEN`` error), after the other bot stopped too."""
    isolate(monkeypatch, tmp_path, HTTP_HOST="127.0.0.1", HTTP_PORT=str(free_port()))
    async with (
        FakeTelegram() as first,
        FakeTelegram(token=OTHER_TOKEN, username="other_bot") as second,
        build_app(load_settings(None), model=ScriptedModel()) as app,
        serving(app, first, second) as (_, _other, task),
    ):
        await first.wait_for(lambda: first.waiting_polls)
        await second.wait_for(lambda: second.waiting_polls)
        first.fail_next("getUpdates", error_code=401, description="Unauthorized", times=99)
        first.user().send("wakes the long poll")
        with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN: Telegram rejected it"):
            await asyncio.wait_for(task, timeout=10)
        assert not _other.lanes.accepting  # the other bot stopped and drained too


async def test_a_rejected_other_token_is_left_out_and_reminders_go_through_each_bot(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An other bot whose token Telegram rejects at start is logged and not served; reminders
    go through the bot each person talks to, and to nobody for a bot not served here."""
    isolate(monkeypatch, tmp_path, HTTP_HOST="127.0.0.1", HTTP_PORT=str(free_port()))
    wrong = "555555:AAHnotTheTokenThisFakeKnows"
    async with (
        FakeTelegram() as first,
        FakeTelegram(token=OTHER_TOKEN, username="other_bot") as second,
        build_app(load_settings(None), model=ScriptedModel()) as app,
    ):
        alex = await person(app, first)
        with capture_logs() as logs:
            async with serving(app, first, second, second_token=wrong) as (primary, _, _task):
                await first.wait_for(lambda: first.waiting_polls)
                sender = primary.reminder_sender
                sent = await sender.send(UserKey(primary.bot_id, alex.id), Language.EN)
                unserved = await sender.send(UserKey("555555", alex.id), Language.EN)
        assert second.calls_to("getUpdates") == []
    assert (sent, unserved) == (SendOutcome.SENT, SendOutcome.FAILED)
    assert len(alex.messages()) == 1
    assert {"event": "telegram.bot_rejected", "bot_id": "555555", "reason": "unauthorized",
            "log_level": "error"} in logs  # fmt: skip
