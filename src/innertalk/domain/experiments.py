"""A/B experiments over models and prompts: weighted variants and deterministic bucketing.

An experiment is written as comma-separated variants ``name:weight:provider/model`` with an
optional ``+prompt`` naming an extra system instruction from ``PROMPT_VARIANTS``, e.g.
``control:50:gemini/gemini-2.5-flash,lite:50:gemini/gemini-2.5-flash-lite+brief``.
The prompt uses ``+`` rather than ``:`` because model tags contain colons (``llama3.1:8b``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass

from innertalk.domain.prompting import PROMPT_VARIANTS

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


@dataclass(frozen=True, slots=True)
class Variant:
    """One arm of an experiment: which provider and model answer, with which extra prompt."""

    name: str
    weight: int
    provider: str
    model: str
    prompt: str = ""


@dataclass(frozen=True, slots=True)
class Experiment:
    """Weighted variants; a person always lands in the same one."""

    variants: tuple[Variant, ...]

    def assign(self, user_ref: str) -> Variant | None:
        """The variant of the person ``user_ref`` names; ``None`` when there is no person.

        The bucket is a SHA-256 of the variant names and ``user_ref`` (stable across
        processes and restarts, unlike ``hash()``); changing only the weights moves just the
        people near the boundaries, while a new set of names reshuffles everyone.
        """
        if not user_ref:
            return None
        salt = ",".join(variant.name for variant in self.variants)
        digest = hashlib.sha256(f"{salt}\0{user_ref}".encode()).digest()
        point = int.from_bytes(digest[:8], "big") % sum(v.weight for v in self.variants)
        for variant in self.variants:
            if point < variant.weight:
                return variant
            point -= variant.weight
        raise AssertionError("unreachable: point is below the total weight")


def parse_experiment(text: str, providers: Collection[str] = ()) -> Experiment | None:
    """The experiment ``text`` describes, ``None`` for an empty one.

    Raises ``ValueError`` with a one-line message for anything malformed; ``providers``
    (when given) lists the provider names a variant may use.
    """
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        return None
    variants = tuple(_parse_variant(item, providers) for item in items)
    names = [variant.name for variant in variants]
    duplicate = next((name for name in names if names.count(name) > 1), None)
    if duplicate:
        raise ValueError(f"variant {duplicate!r} is defined twice")
    return Experiment(variants)


def _parse_variant(item: str, providers: Collection[str]) -> Variant:
    parts = item.split(":", 2)
    if len(parts) != 3:
        raise ValueError(f"{item!r} is not name:weight:provider/model[+prompt]")
    name, weight_text, target = (part.strip() for part in parts)
    if not _NAME.match(name):
        raise ValueError(f"variant name {name!r} must be lowercase letters, digits, - or _")
    if not weight_text.isdigit() or int(weight_text) == 0:
        raise ValueError(f"weight of {name!r} must be a positive whole number")
    target, _, prompt = target.partition("+")
    provider, _, model = target.partition("/")
    provider, model, prompt = provider.strip().lower(), model.strip(), prompt.strip()
    if not provider or not model:
        raise ValueError(f"variant {name!r} needs provider/model, got {target!r}")
    if providers and provider not in providers:
        raise ValueError(f"variant {name!r}: unknown provider {provider!r}")
    if prompt and prompt not in PROMPT_VARIANTS:
        known = ", ".join(PROMPT_VARIANTS)
        raise ValueError(f"variant {name!r}: unknown prompt {prompt!r}; known: {known}")
    if ":" in model and model.rpartition(":")[2] in PROMPT_VARIANTS:
        raise ValueError(f"variant {name!r}: write the prompt as {provider}/model+prompt")
    return Variant(name, int(weight_text), provider, model, prompt)
