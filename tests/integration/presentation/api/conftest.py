"""A live API over the in-process core, and an HTTP client for it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx2
import pytest

from innertalk.application.safety import SafetyService
from innertalk.domain.safety import DEFAULT_HOTLINES
from tests.fakes.clock import FakeClock
from tests.fakes.core import Core, build_core
from tests.fakes.models import ScriptedModel
from tests.integration.presentation.api.harness import FakeRefs, api_app, live


@dataclass
class Api:
    client: httpx2.AsyncClient
    core: Core
    clock: FakeClock
    refs: FakeRefs
    model: ScriptedModel


@pytest.fixture
def model() -> ScriptedModel:
    return ScriptedModel(lambda request: "I hear you. Tell me more about it.")


@pytest.fixture
async def api(model: ScriptedModel) -> AsyncIterator[Api]:
    clock = FakeClock()
    core = build_core(model, clock, safety=SafetyService(directory=DEFAULT_HOTLINES))
    refs = FakeRefs()
    async with (
        live(api_app(core.services, clock, refs)) as url,
        httpx2.AsyncClient(base_url=url, timeout=10) as client,
    ):
        yield Api(client, core, clock, refs, model)
