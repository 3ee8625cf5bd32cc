"""Shared fixtures: a fake clock, a fake model, and an in-memory app core."""

from __future__ import annotations

import pytest

from tests.fakes.clock import FakeClock
from tests.fakes.models import ScriptedModel


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def model() -> ScriptedModel:
    return ScriptedModel()
