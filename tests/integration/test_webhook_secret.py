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
from aiohttp.test_utils import TestServer

from innertalk.application.operations.health import HealthService
from innertalk.presentation.http import build_http_app
from innertalk.presentation.telegram.transport.webhook import (
    SECRET_HEADER,
    WEBHOOK_PATH,
    add_webhook_route,
)

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


@asynccontextmanager
async def webhook_server(lanes: RecordingLanes) -> AsyncIterator[TestServer]:
    """The real HTTP app (health routes and its body limit) with the webhook route added."""
    bot = Bot("42:TEST")
    app = build_http_app(HealthService({}))
    add_webhook_route(app, bot, lanes, SECRET)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield server
    finally:
        await server.close()
        await bot.session.close()


async def raw_post(server: TestServer, header_lines: list[bytes], body: bytes) -> bytes:
    """POSTs ``body`` with the given raw header lines over a plain socket (aiohttp's client
    refuses to send bytes that are not valid header text); returns the response's status line."""
    assert server.port is not None
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    head = [
        f"POST {WEBHOOK_PATH} HTTP/1.1".encode(),
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
    async with webhook_server(lanes) as server:
        status = await raw_post(server, [secret_line], UPDATE)
    assert status == b"HTTP/1.1 401 Unauthorized"
    assert lanes.taken == []


async def test_the_right_secret_as_raw_bytes_is_accepted() -> None:
    """The exact secret bytes (header name in any case) are accepted and the update filed."""
    lanes = RecordingLanes()
    async with webhook_server(lanes) as server:
        line = b"x-telegram-bot-api-secret-token: " + SECRET.encode()
        status = await raw_post(server, [line], UPDATE)
    assert status == b"HTTP/1.1 200 OK"
    assert lanes.taken == [7]


async def test_a_repeated_secret_header_is_refused() -> None:
    """Two secret headers (even one of them right) are not a secret: 401."""
    lanes = RecordingLanes()
    lines = [f"{SECRET_HEADER}: {SECRET}".encode(), f"{SECRET_HEADER}: other".encode()]
    async with webhook_server(lanes) as server:
        status = await raw_post(server, lines, UPDATE)
    assert status == b"HTTP/1.1 401 Unauthorized"
    assert lanes.taken == []


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x", SECRET[:-1]])
async def test_a_missing_or_wrong_secret_is_refused_with_401(secret: str | None) -> None:
    """No, an empty, a wrong, a longer or a shorter secret: 401 and nothing handled."""
    lanes = RecordingLanes()
    headers = {} if secret is None else {SECRET_HEADER: secret}
    async with (
        webhook_server(lanes) as server,
        aiohttp.ClientSession() as http,
        http.post(server.make_url(WEBHOOK_PATH), data=UPDATE, headers=headers) as response,
    ):
        assert response.status == 401
    assert lanes.taken == []


async def test_a_body_over_the_limit_is_refused_with_413() -> None:
    """A body over the server's 1 MiB limit is refused (413) and never parsed or filed; one
    just under it is still read."""
    lanes = RecordingLanes()
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    async with webhook_server(lanes) as server, aiohttp.ClientSession() as http:
        url = server.make_url(WEBHOOK_PATH)
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
