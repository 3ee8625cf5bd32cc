"""Webhook mode over real HTTP: the secret is checked on every request, updates are
acknowledged at once and handled in the background, duplicates once; health routes alongside."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import aiohttp
import pytest

from innertalk.bootstrap import build_app
from innertalk.bootstrap.bot import telegram_bot
from innertalk.config import load_settings
from innertalk.domain.users import Language, UserKey
from innertalk.presentation.http import build_http_app
from innertalk.presentation.telegram.transport.client import create_bot
from innertalk.presentation.telegram.transport.webhook import Webhook
from tests.fakes.models import StreamingModel
from tests.fakes.telegram import FakeTelegram
from tests.integration.bot_harness import BOT_ID, isolate


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_webhook_secret_acknowledgement_and_duplicates(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No or a wrong secret → 401 and nothing handled; the right one → 200 before the reply is
    written; the same update again → handled once; /healthz and /readyz on the same server."""
    isolate(monkeypatch, tmp_path)
    model = StreamingModel(hold_after=1)
    port = free_port()
    async with FakeTelegram() as telegram, build_app(load_settings(None), model=model) as app:
        bot = create_bot(telegram.token, sleep=asyncio.sleep, session=telegram.session())
        running = telegram_bot(app, bot)
        stop = asyncio.Event()
        await running.prepare(stop)
        webhook = Webhook.for_server("https://bot.example.test", "s3cret")
        serving = asyncio.create_task(
            running.serve(
                stop,
                build_http_app(app.services.health),
                host="127.0.0.1",
                port=port,
                webhook=webhook,
            )
        )
        try:
            await telegram.wait_for(lambda: telegram.webhook_url)
            assert telegram.webhook_url == "https://bot.example.test/webhook/telegram"
            assert telegram.webhook_secret == "s3cret"
            local = f"http://127.0.0.1:{port}/webhook/telegram"
            alex = telegram.user()
            key = UserKey(BOT_ID, alex.id)
            await app.services.profiles.ensure(key, language=Language.EN, consent=True)
            update = telegram.make_update({"message": alex.message(text="hello")})
            for secret in (None, "wrong"):
                refused = await telegram.deliver_webhook(update, url=local, secret_token=secret)
                assert refused.status == 401
            accepted = await telegram.deliver_webhook(update, url=local)
            assert accepted.status == 200
            await model.holding.wait()
            assert alex.messages() == []  # acknowledged while the reply is still being written
            assert (await telegram.deliver_webhook(update, url=local)).status == 200
            model.release.set()
            [reply] = await alex.wait_for_messages(1)
            assert reply.text == "echo: hello"
            async with aiohttp.ClientSession() as http:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as live:
                    assert live.status == 200
                async with http.get(f"http://127.0.0.1:{port}/readyz") as ready:
                    body = await ready.json()
                    assert ready.status == 200
                    assert {"storage", "telegram"} <= {c["name"] for c in body["components"]}
            assert [r.message for r in model.requests] == ["hello"]
        finally:
            stop.set()
            await serving
            await running.close()
        assert len(alex.messages()) == 1
