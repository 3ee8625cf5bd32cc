"""PortraitService: a reflection on the person's newest words, diary and results.

One new portrait per ``PORTRAIT_COOLDOWN``; within it the latest one is shown again. The
model writes it; when the chain ends at the offline responder (no provider, or all down)
the person gets a structured portrait from their statistics instead — and so they do when
the written one fails the output screen (``allows_shown``). A stored portrait is screened
again before it is shown: one that fails (written before the screen read text whole) counts
as gone, so a new one is drawn.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import structlog

from innertalk.application.ids import new_id
from innertalk.application.ports import (
    Clock,
    ConversationStore,
    LanguageModel,
    ModelRefusedError,
    ProfileStore,
    RecordStore,
    WellbeingStore,
)
from innertalk.application.screened_output import allows_shown
from innertalk.domain.conversation import ConversationContext
from innertalk.domain.mood import MoodProgress, mood_progress
from innertalk.domain.portrait import (
    PORTRAIT_MESSAGES,
    build_portrait_request,
    structured_portrait,
)
from innertalk.domain.prompting import result_notes
from innertalk.domain.users import Language, UserKey
from innertalk.domain.wellbeing import Portrait

log = structlog.get_logger(__name__)

OFFLINE_PROVIDER = "offline"
DIARY_ENTRIES = 365


class PortraitStore(RecordStore, ConversationStore, WellbeingStore, ProfileStore, Protocol):
    """What a portrait reads and writes."""


@dataclass(frozen=True, slots=True)
class PortraitOutcome:
    """The portrait to show; ``fresh`` when just written, else the latest with ``next_at``."""

    portrait: Portrait | None
    fresh: bool
    next_at: datetime | None = None


class PortraitService:
    def __init__(
        self,
        *,
        store: PortraitStore,
        model: LanguageModel,
        clock: Clock,
        cooldown: timedelta,
    ) -> None:
        self._store = store
        self._model = model
        self._clock = clock
        self._cooldown = cooldown

    async def portrait(
        self, key: UserKey, *, language: Language, labels: Mapping[str, str]
    ) -> PortraitOutcome:
        """A new portrait, or the latest one while the cooldown runs.

        ``portrait`` is ``None`` when there is nothing to draw from yet (no messages, no
        diary, no results). ``labels`` word the structured portrait (a locale catalog).
        """
        now = self._clock.now()
        latest = [p for p in await self._store.portraits(key, 1) if _shown(p)]
        if latest and now - latest[0].created_at < self._cooldown:
            return PortraitOutcome(latest[0], False, latest[0].created_at + self._cooldown)
        profile = await self._store.get_profile(key)
        timezone = profile.timezone if profile else "UTC"
        messages = [t.text for t in await self._store.recent_messages(key, PORTRAIT_MESSAGES)]
        moods = await self._store.moods(key, DIARY_ENTRIES)
        results = await self._store.questionnaire_results(key, 3)
        progress = mood_progress(moods, now, timezone) if moods else None
        notes = result_notes(
            ConversationContext(key=key, profile=profile, recent_results=tuple(results)),
            language,
        )
        if not messages and progress is None and not notes:
            return PortraitOutcome(None, False)
        text = await self._written(messages, progress, notes, language)
        if text is None:
            text = structured_portrait(progress, notes, len(messages), labels)
        portrait = Portrait(id=new_id(), key=key, text=text, created_at=now)
        await self._store.write([portrait])
        return PortraitOutcome(portrait, True)

    async def stored(self, key: UserKey, portrait_id: str) -> Portrait | None:
        """One of the person's recent portraits by id (for paging an older message)."""
        recent = await self._store.portraits(key, 10)
        return next((p for p in recent if p.id == portrait_id and _shown(p)), None)

    async def _written(
        self,
        messages: list[str],
        progress: MoodProgress | None,
        notes: list[str],
        language: Language,
    ) -> str | None:
        request = build_portrait_request(
            messages, progress=progress, notes=notes, language=language
        )
        try:
            reply = await self._model.complete(request)
        except ModelRefusedError:
            return None
        except Exception as error:  # a failed model still leaves the structured portrait
            log.warning("portrait.model_failed", error=type(error).__name__)
            return None
        text = reply.text.strip()
        if reply.provider == OFFLINE_PROVIDER or not text:
            return None
        return text if allows_shown(text, what="portrait") else None


def _shown(portrait: Portrait) -> bool:
    return allows_shown(portrait.text, what="stored_portrait")
