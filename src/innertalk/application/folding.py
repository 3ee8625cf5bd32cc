"""Folding a long session's oldest turns into its rolling summary, once per block.

``TalkService`` asks before each reply whether its request would drop kept turns (the token
budget) or the next exchange would push one out of the loaded window; only then the older
half of the kept turns is summarized, by the fast model (``Tier.FAST``) or, when that fails,
offline. The fold point and the rolling summary are stored on the session with the exchange,
so the prompt's prefix stays the same across processes until the next fold
(``domain/folding.py``, docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import replace

import structlog

from innertalk.application.ports import LanguageModel
from innertalk.application.safety import allows_shown
from innertalk.domain.conversation import ConversationContext, kept_turns
from innertalk.domain.folding import (
    appended_summary,
    build_fold_request,
    fold_due,
    split_for_fold,
)
from innertalk.domain.prompting import ModelRequest
from innertalk.domain.users import Language

log = structlog.get_logger(__name__)

FOLDED_WINDOW = 2
"""Turns loaded per ``CONTEXT_TURNS``: a fold keeps the newer half of them, so at least
``CONTEXT_TURNS`` are always sent verbatim and a block lasts ``CONTEXT_TURNS / 2`` exchanges."""


class HistoryFolding:
    """Decides when a session's kept turns are folded and folds them."""

    def __init__(
        self,
        *,
        model: LanguageModel,
        fallback: LanguageModel,
        turn_limit: int,
        history_token_budget: int = 6000,
    ) -> None:
        self._model = model
        self._fallback = fallback
        self._turn_limit = turn_limit
        self._history_token_budget = history_token_budget

    def due(self, context: ConversationContext, request: ModelRequest) -> bool:
        """Whether ``request`` (built from ``context``) needs a fold first."""
        kept = kept_turns(context.session, context.recent_turns)
        return fold_due(kept, len(request.history), self._turn_limit)

    async def fold(self, context: ConversationContext) -> ConversationContext:
        """``context`` whose session has the older half of its kept turns folded."""
        session = context.session
        if session is None:
            return context
        folded, kept = split_for_fold(kept_turns(session, context.recent_turns))
        if not folded:
            return context
        language = context.profile.language if context.profile else Language.EN
        request = build_fold_request(
            folded,
            language=language,
            previous=session.fold_summary,
            history_budget=self._history_token_budget,
        )
        summary = await self._summary(request, session.fold_summary)
        log.info("talk.history_folded", folded=len(folded), kept=len(kept))
        return replace(context, session=session.folded(folded[-1].id, summary))

    async def _summary(self, request: ModelRequest, previous: str | None) -> str:
        """The model's merged summary; else the offline one of the new turns, appended."""
        try:
            merged = (await self._model.complete(request)).text.strip()
        except Exception as error:  # a failed fold must not cost the reply
            log.warning("talk.fold_fallback", error=type(error).__name__)
            merged = ""
        # read by every later prompt of the session: screened like any summary
        if merged and allows_shown(merged, what="fold_summary"):
            return merged
        addition = (await self._fallback.complete(request)).text.strip()
        if addition and not allows_shown(addition, what="offline_fold_summary"):
            addition = ""
        return appended_summary(previous, addition)
