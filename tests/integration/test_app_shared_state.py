"""``build_app`` with REDIS_URL: the Redis twins on one shared client, a conversation carried
across two instances through the shared cache, contexts sealed with ENCRYPTION_KEY."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from innertalk.application.operations.health import Status
from innertalk.bootstrap import build_app
from innertalk.config import load_settings
from innertalk.domain.users import Language, UserKey
from innertalk.infrastructure.crypto import generate_key
from innertalk.infrastructure.redis.cache import RedisContextCache
from innertalk.infrastructure.redis.locks import RedisJobLocks
from tests.fakes.models import ScriptedModel


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, redis_url: str) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("LLM_PROVIDERS", "USER_DAILY_TOKENS", "ENCRYPTION_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("ENCRYPTION_KEY", generate_key())


@pytest.mark.usefixtures("environment")
async def test_two_instances_carry_one_conversation_through_the_shared_cache() -> None:
    """A message answered by one instance is in the history the other sends with the next
    one, at once (before any database write), and Redis holds no words of it."""
    settings = load_settings(None)
    key = UserKey(f"bot-{uuid.uuid4().hex[:6]}", 77)
    model = ScriptedModel()
    async with build_app(settings, model=model) as one, build_app(settings, model=model) as two:
        assert one.redis is not None
        await one.services.profiles.ensure(key, language=Language.EN, consent=True)
        await one.services.talk.reply(key, "my cat is called Pixel")
        await two.services.talk.reply(key, "what is my cat called?")
        history = [message.text for message in model.requests[-1].history]
        assert "my cat is called Pixel" in history
        stored = await one.redis.hget(f"innertalk:context:{key.bot_id}:{key.user_id}", "d")
        assert stored is not None
        assert b"Pixel" not in stored
        report = await one.services.health.check()
        assert {c.name: c.status for c in report.components}["redis"] is Status.UP


@pytest.mark.usefixtures("environment")
async def test_the_app_wires_the_redis_twins_and_closes_the_client() -> None:
    """Cache and job locks are the Redis adapters; leaving build_app closes the client."""
    settings = load_settings(None)
    async with build_app(settings, model=ScriptedModel()) as app:
        assert isinstance(app.services.talk._contexts._cache, RedisContextCache)
        assert isinstance(app.services.admin.locks, RedisJobLocks)
        redis = app.redis
        assert redis is not None
        assert await redis.ping()
    pool = redis.connection_pool
    connections = [*pool._available_connections, *pool._in_use_connections]  # type: ignore[attr-defined]
    assert connections
    assert not any(connection.is_connected for connection in connections)
