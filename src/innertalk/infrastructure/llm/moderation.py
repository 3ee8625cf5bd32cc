"""``OpenAIModerationOpinion``: OpenAI's moderation endpoint as a crisis opinion.

Only the message text is sent (``omni-moderation-latest``; free of charge). Its categories map
onto ours: ``self-harm/intent`` → suicidal ideation, ``self-harm`` and
``self-harm/instructions`` → self-harm, violence together with a threat
(``harassment/threatening``, ``hate/threatening``, ``illicit/violent``) → harm to others;
anything else it flags is not a crisis we answer with hotlines. Errors propagate: the caller
(``SecondOpinion``) fails open. Nothing retries: a retry would only arrive late.

The request is one plain aiohttp POST, not the openai SDK: it is asked about ~40 % of calm
messages, and the SDK's request building and its pydantic models for the answer cost 4–5 ms
of CPU per call on the event loop, the plain request under 1 ms (docs/benchmarks.md, *Load*).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp

from innertalk.domain.safety import CrisisCategory

MODEL = "omni-moderation-latest"
OPENAI_BASE_URL = "https://api.openai.com/v1"
THREATS = ("harassment/threatening", "hate/threatening", "illicit/violent")


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
        self._url = f"{(base_url or OPENAI_BASE_URL).rstrip('/')}/moderations"
        self._headers = {"Authorization": f"Bearer {api_key}"}
        self._timeout = aiohttp.ClientTimeout(
            total=connect_timeout + read_timeout, connect=connect_timeout, sock_read=read_timeout
        )
        self._session: aiohttp.ClientSession | None = None

    async def assess(self, text: str) -> CrisisCategory | None:
        if self._session is None:  # made on the event loop that uses it
            # trust_env: the same proxy settings (HTTPS_PROXY…) as the SDK-based providers
            self._session = aiohttp.ClientSession(timeout=self._timeout, trust_env=True)
        body = {"model": self._model, "input": text}
        async with self._session.post(self._url, json=body, headers=self._headers) as answer:
            answer.raise_for_status()
            results = (await answer.json())["results"]
        return crisis_of(results[0]["categories"]) if results else None

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def crisis_of(flags: Mapping[str, Any]) -> CrisisCategory | None:
    """Our category for the moderation flags (by OpenAI's names), the gravest first;
    ``None``: no crisis."""
    if flags.get("self-harm/intent") is True:
        return CrisisCategory.SUICIDAL_IDEATION
    if flags.get("self-harm") is True or flags.get("self-harm/instructions") is True:
        return CrisisCategory.SELF_HARM
    if flags.get("violence") is True and any(flags.get(name) is True for name in THREATS):
        return CrisisCategory.HARM_TO_OTHERS
    return None
