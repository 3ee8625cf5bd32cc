"""A/B experiments: the LLM_EXPERIMENT format, its errors, and stable bucketing."""

from __future__ import annotations

import hashlib
import re

import pytest

from innertalk.domain.experiments import Variant, parse_experiment
from innertalk.domain.prompting import halve_history, with_prompt_variant
from tests.fakes.llm import chat_request


def test_a_well_formed_experiment_parses() -> None:
    """name:weight:provider/model with an optional +prompt; model tags may hold colons."""
    experiment = parse_experiment(
        "control:50:gemini/gemini-2.5-flash, lite:30:ollama/llama3.1:8b+brief"
    )
    assert experiment is not None
    assert experiment.variants == (
        Variant("control", 50, "gemini", "gemini-2.5-flash"),
        Variant("lite", 30, "ollama", "llama3.1:8b", "brief"),
    )


def test_an_empty_experiment_is_none() -> None:
    """An unset or blank LLM_EXPERIMENT means no experiment."""
    assert parse_experiment("") is None
    assert parse_experiment(" , ") is None


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("control", "name:weight:provider/model"),
        ("Control:50:gemini/x", "lowercase"),
        ("a:0:gemini/x", "positive"),
        ("a:half:gemini/x", "positive"),
        ("a:1:gemini", "provider/model"),
        ("a:1:/x", "provider/model"),
        ("a:1:skynet/x", "unknown provider 'skynet'"),
        ("a:1:gemini/x+shout", "unknown prompt 'shout'"),
        ("a:1:gemini/x:brief", "+prompt"),
        ("a:1:gemini/x,a:1:openai/y", "defined twice"),
    ],
)
def test_malformed_experiments_say_what_is_wrong(text: str, says: str) -> None:
    """Each mistake is one line naming the offending part."""
    with pytest.raises(ValueError, match=re.escape(says)) as raised:
        parse_experiment(text, providers=("gemini", "openai", "ollama"))
    assert "\n" not in str(raised.value)


def test_bucketing_is_stable_and_follows_the_weights() -> None:
    """The same person always gets the same variant; shares follow the weights."""
    experiment = parse_experiment("a:80:gemini/x,b:20:gemini/y")
    assert experiment is not None
    refs = [f"ref-{i}" for i in range(4000)]
    first = [experiment.assign(ref) for ref in refs]
    assert first == [experiment.assign(ref) for ref in refs]
    share = sum(1 for variant in first if variant and variant.name == "a") / len(refs)
    assert 0.77 < share < 0.83


def test_bucketing_is_a_sha256_of_the_names_and_the_reference() -> None:
    """Buckets come from SHA-256 (same in every process), not from Python's seeded hash()."""
    experiment = parse_experiment("a:50:gemini/x,b:50:gemini/y")
    assert experiment is not None
    for ref in (f"u{i}" for i in range(20)):
        digest = hashlib.sha256(f"a,b\0{ref}".encode()).digest()
        expected = "a" if int.from_bytes(digest[:8], "big") % 100 < 50 else "b"
        assert experiment.assign(ref) == experiment.variants[expected == "b"]


def test_without_a_user_reference_there_is_no_variant() -> None:
    """Requests not tied to a person are not part of the experiment."""
    experiment = parse_experiment("a:1:gemini/x")
    assert experiment is not None
    assert experiment.assign("") is None


def test_halving_keeps_the_system_prompt_and_the_newest_turns() -> None:
    """Context-overflow trimming drops the older half (and a leading companion turn) only."""
    request = chat_request(history=5)
    halved = halve_history(request)
    assert halved is not None
    assert halved.history == request.history[4:]
    assert halved.history[0].role.value == "user"
    assert (halved.system, halved.message) == (request.system, request.message)
    assert halve_history(chat_request(history=0)) is None


def test_a_prompt_variant_is_appended_in_the_requests_language() -> None:
    """The named instruction follows the system prompt; no name leaves it unchanged."""
    request = chat_request()
    assert with_prompt_variant(request, "") is request
    assert with_prompt_variant(request, "brief").system.startswith(request.system + "\n\n")
