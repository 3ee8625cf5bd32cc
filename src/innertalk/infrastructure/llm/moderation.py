"""``OpenAIModerationOpinion``: OpenAI's moderation endpoint as a crisis opinion.

Only the message text is sent (``omni-moderation-latest``; free of charge). Its categories map
onto ours: ``self-harm/intent`` → suicidal ideation, ``self-harm`` and
``self-harm/instructions`` → self-harm, violence together with a threat
(``harassment/threatening``, ``hate/threatening``, ``illicit/violent``) → harm to others;
anything else it flags is not a crisis we answer with hotlines. Errors propagate: the caller
(``SecondOpinion``) fails open. The SDK's retries are off: a retry would only arrive late.
"""

from __future__ import annotations

import httpx2
import openai
from openai.types.moderation import Categories

from innertalk.domain.safety import CrisisCategory

MODEL = "omni-moderation-latest"


class OpenAIModerationOpinion:
    """A ``CrisisOpinion`` from ``POST {base_url}/moderations``."""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None = None,
        model: str = MODEL,
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
    ) -> None:
        self._model = model
        self._client = openai.AsyncOpenAI(
            api_key=api_key,
            base_url=base_url,
            max_retries=0,
            timeout=httpx2.Timeout(read_timeout, connect=connect_timeout),
        )

    async def assess(self, text: str) -> CrisisCategory | None:
        answer = await self._client.moderations.create(model=self._model, input=text)
        return crisis_of(answer.results[0].categories) if answer.results else None

    async def aclose(self) -> None:
        await self._client.close()


def crisis_of(flags: Categories) -> CrisisCategory | None:
    """Our category for the moderation flags, the gravest first; ``None``: no crisis."""
    if flags.self_harm_intent:
        return CrisisCategory.SUICIDAL_IDEATION
    if flags.self_harm or flags.self_harm_instructions:
        return CrisisCategory.SELF_HARM
    threat = flags.harassment_threatening or flags.hate_threatening or flags.illicit_violent
    if flags.violence and threat:
        return CrisisCategory.HARM_TO_OTHERS
    return None
