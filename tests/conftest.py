"""Shared fixtures: a fake clock, a fake model, and an app core over local (in-process) storage."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.clock import FakeClock
from tests.fakes.models import ScriptedModel
from tests.fakes.redis_server import redis_server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def model() -> ScriptedModel:
    return ScriptedModel()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis for the whole test session (flushed by the tests that need it empty)."""
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url
