"""Which third opinion SAFETY_OPINION wires, and the fast model's one-word answers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from innertalk.bootstrap import crisis_opinion
from innertalk.config import ConfigError, load_settings
from innertalk.domain.prompting import Tier
from innertalk.domain.safety import CrisisCategory
from innertalk.infrastructure.llm.crisis_opinion import (
    ModelCrisisOpinion,
    UnexpectedAnswerError,
    parse_answer,
)
from innertalk.infrastructure.llm.moderation import OpenAIModerationOpinion
from tests.fakes.models import ScriptedModel


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("LLM_", "GEMINI_", "OPENAI_", "ANTHROPIC_", "OLLAMA_", "SAFETY_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def _chosen(monkeypatch: pytest.MonkeyPatch, **env: str) -> object:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return crisis_opinion(load_settings(None), ScriptedModel())


def test_the_defaults_are_auto_and_two_seconds() -> None:
    """Unset, SAFETY_OPINION is auto and SAFETY_OPINION_TIMEOUT 2 s."""
    wellbeing = load_settings(None).wellbeing
    assert (wellbeing.safety_opinion, wellbeing.safety_opinion_timeout) == ("auto", 2.0)


def test_auto_uses_moderation_when_openai_is_in_the_chain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """auto with OPENAI_API_KEY (and OpenAI in the chain) asks OpenAI's moderation endpoint."""
    assert isinstance(_chosen(monkeypatch, OPENAI_API_KEY="sk-x"), OpenAIModerationOpinion)


def test_auto_never_sends_to_openai_when_the_chain_leaves_it_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A key alone does not send messages to OpenAI when LLM_PROVIDERS excludes it."""
    chosen = _chosen(monkeypatch, OPENAI_API_KEY="sk-x", LLM_PROVIDERS="anthropic")
    assert isinstance(chosen, ModelCrisisOpinion)


def test_auto_uses_the_fast_model_with_another_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    """auto with only another provider configured asks the chain's fast model."""
    assert isinstance(_chosen(monkeypatch, ANTHROPIC_API_KEY="sk-a"), ModelCrisisOpinion)


def test_auto_without_providers_keeps_everything_local(monkeypatch: pytest.MonkeyPatch) -> None:
    """No provider configured (offline only): no opinion at all."""
    assert _chosen(monkeypatch) is None


def test_off_keeps_every_message_local(monkeypatch: pytest.MonkeyPatch) -> None:
    """SAFETY_OPINION=off wires no opinion even with keys set."""
    assert _chosen(monkeypatch, SAFETY_OPINION="off", OPENAI_API_KEY="sk-x") is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SAFETY_OPINION": "openai", "ANTHROPIC_API_KEY": "k"}, "needs OPENAI_API_KEY"),
        ({"SAFETY_OPINION": "model"}, "needs a provider"),
        ({"SAFETY_OPINION": "maybe"}, "SAFETY_OPINION: Input should be"),
        ({"SAFETY_OPINION_TIMEOUT": "0"}, "SAFETY_OPINION_TIMEOUT:"),
    ],
)
def test_an_impossible_choice_is_one_config_line(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    """A choice that cannot work names the variable in one line."""
    with pytest.raises(ConfigError, match=message):
        _chosen(monkeypatch, **env)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("none", None),
        ("Suicidal_Ideation.", CrisisCategory.SUICIDAL_IDEATION),
        (" `harm_to_others` \n", CrisisCategory.HARM_TO_OTHERS),
        ("acute_danger", CrisisCategory.ACUTE_DANGER),
    ],
)
def test_one_word_answers_are_read(answer: str, expected: CrisisCategory | None) -> None:
    """The fast model's word names a category (case, quotes and a full stop forgiven)."""
    assert parse_answer(answer) == expected


def test_any_other_answer_is_an_error() -> None:
    """A sentence is not an answer: the caller fails open on the error."""
    with pytest.raises(UnexpectedAnswerError):
        parse_answer("I think this person may be at risk of self_harm")


async def test_the_fast_model_gets_the_message_only_at_its_fast_tier() -> None:
    """Only the message text goes out, with the fixed instruction, at the fast tier."""
    model = ScriptedModel(lambda request: "self_harm")
    assert await ModelCrisisOpinion(model).assess("it hurts") == CrisisCategory.SELF_HARM
    [request] = model.requests
    assert (request.message, request.history, request.tier) == ("it hurts", (), Tier.FAST)
    assert "one word" in request.system
