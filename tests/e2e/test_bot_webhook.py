"""The real ``innertalk bot`` in webhook mode: the secret on every request, a journey through
the webhook, a redelivered update handled once, health routes, SIGTERM → exit 0.

``WEBHOOK_URL`` must be https (Telegram's rule); the process listens on plain loopback HTTP as
it would behind a TLS proxy, and the fake delivers to that loopback address.
"""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.bot_process import START_TIMEOUT, bot_process, onboard
from tests.e2e.conftest import COMMAND, Run, clean_env
from tests.fakes.telegram import FakeTelegram

pytestmark = pytest.mark.e2e


async def test_webhook_mode_end_to_end(tmp_path: Path) -> None:
    """setWebhook gets the https URL and secret; requests without or with a wrong secret get
    401; real deliveries are answered; a duplicate is answered once; exit 0 on SIGTERM."""
    async with FakeTelegram() as telegram:
        async with bot_process(
            tmp_path,
            telegram,
            WEBHOOK_URL="https://innertalk.example.test",
            WEBHOOK_SECRET="e2e-Secret_1",
        ) as bot:
            assert telegram.webhook_url == "https://innertalk.example.test/webhook/telegram"
            assert telegram.webhook_secret == "e2e-Secret_1"
            local = f"{bot.base_url}/webhook/telegram"
            telegram.webhook_url = local  # what the TLS proxy in front would forward to
            alex = telegram.user()
            stray = telegram.make_update({"message": alex.message(text="/start")})
            for secret in (None, "guess"):
                assert (await telegram.deliver_webhook(stray, secret_token=secret)).status == 401
            await onboard(telegram, alex)
            before = len(alex.messages())
            update = telegram.make_update({"message": alex.message(text="Hello through a hook")})
            assert (await telegram.deliver_webhook(update)).status == 200
            assert (await telegram.deliver_webhook(update)).status == 200
            await telegram.wait_for(lambda: alex.messages()[-1].buttons(), timeout=10)
            async with (
                aiohttp.ClientSession() as http,
                http.get(f"{bot.base_url}/readyz") as ready,
            ):
                assert ready.status == 200
            assert await bot.terminate() == 0, bot.output()
        assert len(alex.messages()) == before + 1


def test_a_missing_token_is_one_line_and_exit_code_2(innertalk: Run) -> None:
    """Without TELEGRAM_BOT_TOKEN the bot stops at once with one line naming the variable."""
    result = innertalk("bot")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "innertalk: configuration error: TELEGRAM_BOT_TOKEN: not set; "
        "`innertalk bot` needs the token @BotFather gave"
    ]


async def test_a_taken_http_port_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    """When HTTP_PORT is taken the bot stops with one line naming it, exit code 2, no
    traceback (uvicorn never gets to exit the process itself)."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        async with FakeTelegram() as telegram:
            process = await asyncio.create_subprocess_exec(
                *COMMAND, "bot", cwd=tmp_path,
                env=clean_env(**telegram.env(), HTTP_PORT=str(port)),
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            async with asyncio.timeout(START_TIMEOUT):
                _, stderr = await process.communicate()
    assert process.returncode == 2
    assert "Traceback" not in stderr.decode()
    assert stderr.decode().strip().splitlines()[-1] == (
        f"innertalk: configuration error: HTTP_PORT: cannot listen on 127.0.0.1:{port}: "
        "Address already in use"
    )
