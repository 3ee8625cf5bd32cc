"""``build_app`` wires the shipped crisis classifier behind the rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from innertalk.bootstrap import build_app
from innertalk.config import load_settings
from innertalk.domain.safety import detect_crisis
from innertalk.domain.users import Language
from innertalk.infrastructure.safety_model.classifier import shipped_classifier
from tests.fakes.models import ScriptedModel
from tests.integration.bot_harness import isolate

# No rule matched this line when the layer was written; the learned layer catches it.
MODEL_ONLY = "honestly i don't see the point of being alive anymore"
CALM = "we went to the zoo with the kids on sunday"


async def test_the_app_screens_with_the_shipped_classifier_after_the_rules(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The app's SafetyService asks the shipped classifier when the rules are silent, and a
    crisis line the rules miss gets a notice; a rule hit stays the rules' own."""
    isolate(monkeypatch, tmp_path)
    async with build_app(load_settings(None), model=ScriptedModel()) as app:
        calm = app.services.safety.examine(CALM, Language.EN)
        assert calm.notice is None
        assert calm.verdict == shipped_classifier().assess(CALM)
        caught = app.services.safety.examine(MODEL_ONLY, Language.EN)
        assert caught.notice is not None
        if detect_crisis(MODEL_ONLY) is None:  # unless the rules have learned it since
            assert caught.notice.signal.rules == ("model:suicidal_ideation",)
        ruled = app.services.safety.examine("я хочу покончить с собой", Language.RU)
        assert ruled.notice is not None
        assert ruled.verdict is None
        assert not any(rule.startswith("model:") for rule in ruled.notice.signal.rules)
