"""With REDIS_URL set, the app shares rate limits and update de-duplication through Redis."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from innertalk.bootstrap import build_app
from innertalk.config import load_settings
from innertalk.domain.users import UserKey
from innertalk.infrastructure.redis.dedupe import RedisUpdateDedupe


async def test_two_apps_on_one_redis_share_dedupe_and_rate_limits(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two app instances (two processes' worth) see one update once and one person's limit."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("RATE_LIMIT", "3/minute")
    settings = load_settings(None)
    bot, key = f"bot-{uuid.uuid4().hex[:6]}", UserKey("shared", int(uuid.uuid4().int % 10**9))
    async with build_app(settings) as one, build_app(settings) as two:
        assert isinstance(one.services.dedupe, RedisUpdateDedupe)
        assert [
            await one.services.dedupe.first_time(bot, 5),
            await two.services.dedupe.first_time(bot, 5),
        ] == [
            True,
            False,
        ]
        allowed = [
            await (one if n % 2 else two).services.rate_limiter.allow(key) for n in range(4)
        ]
        assert allowed == [True, True, True, False]
