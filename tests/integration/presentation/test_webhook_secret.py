"""The webhook route over real HTTP: the secret header is compared as raw bytes (a missing,
wrong, repeated or non-UTF-8 one is a plain 401, never a 500), and the body size is capped."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from aiogram import Bot
from aiogram.types import Update

from innertalk.application.operations.health import HealthService
from innertalk.presentation.http import build_http_app
from innertalk.presentation.telegram.transport.webhook import (
    SECRET_HEADER,
    WEBHOOK_PATH,
    webhook_router,
)
from tests.integration.http_harness import served

SECRET = "s3cret-Token_1"
UPDATE = json.dumps(
    {
        "update_id": 7,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 5, "type": "private"},
            "from": {"id": 5, "is_bot": False, "first_name": "Alex"},
            "text": "hello",
        },
    }
).encode()


class RecordingLanes:
    """An ``UpdateReceiver`` that keeps what it was given."""

    def __init__(self) -> None:
        self.taken: list[int] = []

    async def take(self, update: Update, raw: bytes) -> bool:
        self.taken.append(update.update_id)
        return True

    @property
    def accepting(self) -> bool:
        return True


@asynccontextmanager
async def webhook_server(lanes: RecordingLanes) -> AsyncIterator[str]:
    """The real HTTP server with the webhook routes; yields its base URL."""
    bot = Bot("42:TEST")
    router = webhook_router(bot, lanes, SECRET, paths=(WEBHOOK_PATH, f"{WEBHOOK_PATH}/42"))
    try:
        async with served(build_http_app(HealthService({}), routers=[router])) as base:
            yield base
    finally:
        await bot.session.close()


async def raw_post(
    base: str, header_lines: list[bytes], body: bytes, path: str = WEBHOOK_PATH
) -> bytes:
    """POSTs ``body`` with the given raw header lines over a plain socket (aiohttp's client
    refuses to send bytes that are not valid header text); returns the response's status line."""
    port = int(base.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = [
        f"POST {path} HTTP/1.1".encode(),
        b"Host: 127.0.0.1",
        b"Content-Type: application/json",
        f"Content-Length: {len(body)}".encode(),
        b"Connection: close",
        *header_lines,
    ]
    writer.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
    await writer.drain()
    try:
        return (await asyncio.wait_for(reader.readline(), timeout=10)).rstrip()
    finally:
        writer.close()
        await writer.wait_closed()


@pytest.mark.parametrize(
    "secret_line",
    [
        b"X-Telegram-Bot-Api-Secret-Token: \xff\xfe\x80",
        b"X-Telegram-Bot-Api-Secret-Token: s3cret-Token_\xc3",
        b"X-Telegram-Bot-Api-Secret-Token: " + SECRET.encode() + b"\xff",
    ],
)
async def test_a_non_utf8_secret_header_is_refused_with_401(secret_line: bytes) -> None:
    """Undecodable secret bytes get a plain 401 (not a 500) and nothing is handled."""
    lanes = RecordingLanes()
    async with webhook_server(lanes) as base:
        status = await raw_post(base, [secret_line], UPDATE)
    assert status == b"HTTP/1.1 401 Unauthorized"
    assert lanes.taken == []


async def test_the_right_secret_as_raw_bytes_is_accepted() -> None:
    """The exact secret bytes (header name in any case) are accepted and the update filed."""
    lanes = RecordingLanes()
    async with webhook_server(lanes) as base:
        line = b"x-telegram-bot-api-secret-token: " + SECRET.encode()
        status = await raw_post(base, [line], UPDATE)
    assert status == b"HTTP/1.1 200 OK"
    assert lanes.taken == [7]


async def test_a_repeated_secret_header_is_refused() -> None:
    """Two secret headers (even one of them right) are not a secret: 401."""
    lanes = RecordingLanes()
    lines = [f"{SECRET_HEADER}: {SECRET}".encode(), f"{SECRET_HEADER}: other".encode()]
    async with webhook_server(lanes) as base:
        status = await raw_post(base, lines, UPDATE)
    assert status == b"HTTP/1.1 401 Unauthorized"
    assert lanes.taken == []


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x", SECRET[:-1]])
async def test_a_missing_or_wrong_secret_is_refused_with_401(secret: str | None) -> None:
    """No, an empty, a wrong, a longer or a shorter secret: 401 and nothing handled."""
    lanes = RecordingLanes()
    headers = {} if secret is None else {SECRET_HEADER: secret}
    async with (
        webhook_server(lanes) as base,
        aiohttp.ClientSession() as http,
        http.post(base + WEBHOOK_PATH, data=UPDATE, headers=headers) as response,
    ):
        assert response.status == 401
    assert lanes.taken == []


async def test_a_body_over_the_limit_is_refused_with_413() -> None:
    """A body over the server's 1 MiB limit is refused (413) and never parsed or filed; one
    just under it is still read."""
    lanes = RecordingLanes()
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    async with webhook_server(lanes) as base, aiohttp.ClientSession() as http:
        url = base + WEBHOOK_PATH
        async with http.post(url, data=padded(1024 * 1024 + 1), headers=headers) as too_big:
            assert too_big.status == 413
        async with http.post(url, data=padded(1024 * 1024 - 1024), headers=headers) as fine:
            assert fine.status == 200
    assert lanes.taken == [7]


def padded(size: int) -> bytes:
    """The update with an extra field making the body ``size`` bytes long."""
    head = UPDATE[:-1] + b',"pad":"'
    body = head + b"x" * (size - len(head) - 2) + b'"}'
    assert len(body) == size
    return body


async def test_a_streamed_body_is_refused_once_it_passes_the_limit() -> None:
    """A chunked body (no declared length) gets 413 as soon as it passes 1 MiB: the server
    stops reading there instead of waiting for the rest, which here never comes."""
    lanes = RecordingLanes()
    never = asyncio.Event()

    async def endless() -> AsyncIterator[bytes]:
        yield UPDATE[:-1] + b',"pad":"'
        for _ in range(20):
            yield b"x" * 64 * 1024
        await never.wait()  # a server reading to the end would wait here forever

    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    async with webhook_server(lanes) as base, aiohttp.ClientSession() as http:
        request = http.post(base + WEBHOOK_PATH, data=endless(), headers=headers)
        async with asyncio.timeout(10), request as response:
            assert response.status == 413
    assert lanes.taken == []


async def test_a_body_that_is_not_an_update_is_refused_with_400() -> None:
    """JSON that is not an update, or no JSON at all, is a 400 (not a 500) and is not filed."""
    lanes = RecordingLanes()
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    async with webhook_server(lanes) as base, aiohttp.ClientSession() as http:
        for body in (b"not json", b'{"message": "no update_id"}', b"[]"):
            async with http.post(base + WEBHOOK_PATH, data=body, headers=headers) as response:
                assert response.status == 400
    assert lanes.taken == []


async def test_the_bots_own_path_takes_updates_with_its_secret() -> None:
    """``/webhook/telegram/{bot_id}`` accepts the update with the bot's secret and refuses
    it without; a path of a bot not served here is 404."""
    lanes = RecordingLanes()
    headers = {SECRET_HEADER: SECRET}
    async with webhook_server(lanes) as base, aiohttp.ClientSession() as http:
        own = base + f"{WEBHOOK_PATH}/42"
        async with http.post(own, data=UPDATE) as refused:
            assert refused.status == 401
        async with http.post(own, data=UPDATE, headers=headers) as accepted:
            assert accepted.status == 200
        async with http.post(base + f"{WEBHOOK_PATH}/43", data=UPDATE, headers=headers) as other:
            assert other.status == 404
    assert lanes.taken == [7]
