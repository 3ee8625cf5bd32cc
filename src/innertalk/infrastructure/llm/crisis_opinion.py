"""``ModelCrisisOpinion``: the configured chain's fast model as a crisis opinion.

For when no OpenAI key is set (``SAFETY_OPINION=auto``) or it is chosen (``model``). The model
gets a short fixed instruction and the message text only (no history, no profile) and must
answer one word from a fixed list; anything else is an error, and the caller
(``SecondOpinion``) fails open.
"""

from __future__ import annotations

from innertalk.application.ports import LanguageModel
from innertalk.domain.prompting import ModelRequest, Tier
from innertalk.domain.safety import CrisisCategory

NONE = "none"
ANSWERS = {NONE: None} | {category.value: category for category in CrisisCategory}

INSTRUCTION = (
    "You screen one message written to a wellbeing companion for crisis risk. Answer with "
    "exactly one word from this list and nothing else: "
    + ", ".join(ANSWERS)
    + ". suicidal_ideation: thoughts of ending their life; self_harm: hurting themselves; "
    "harm_to_others: intent to hurt someone; abuse: being abused; acute_danger: an emergency "
    "now (overdose taken, heavy bleeding, an attacker present); none: anything else, "
    "including ordinary sadness, stress or dark humour."
)


class UnexpectedAnswerError(ValueError):
    """The model answered something other than one word of the list."""


class ModelCrisisOpinion:
    """A ``CrisisOpinion`` asked of ``model`` (the router) at its fast tier."""

    def __init__(self, model: LanguageModel) -> None:
        self._model = model

    async def assess(self, text: str) -> CrisisCategory | None:
        request = ModelRequest(
            system=INSTRUCTION, message=text, max_output_tokens=8, temperature=0.0, tier=Tier.FAST
        )
        reply = await self._model.complete(request)
        return parse_answer(reply.text)


def parse_answer(text: str) -> CrisisCategory | None:
    """The category one word names (case, quotes and a full stop forgiven)."""
    word = text.strip().strip("\"'`.*").lower()
    if word not in ANSWERS:
        raise UnexpectedAnswerError(f"{len(text)} characters, not one of the answers")
    return ANSWERS[word]
