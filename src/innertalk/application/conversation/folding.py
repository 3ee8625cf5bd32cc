"""Folding a long session's oldest turns into its rolling summary, once per block.

``TalkService`` asks before each reply whether its request would drop kept turns (the token
budget) or the next exchange would push one out of the loaded window; only then the older
kept turns are summarized (the session's pinned opening never is), by the model the replies
use (the fold request repeats the beginning of the previous reply request, so the provider's
prompt cache serves it) or, when that fails, offline. The fold point and the rolling summary
are stored on the session with the exchange, so the prompt's prefix stays the same across
processes until the next fold (``domain/folding.py``, docs/architecture.md). What the model's
fold spent is handed back, so that ``TalkService`` charges it to the session and daily
budgets like a reply.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import structlog

from innertalk.application.ports import LanguageModel
from innertalk.application.screened_output import allows_shown
from innertalk.domain.conversation import ConversationContext, Turn, kept_turns
from innertalk.domain.folding import (
    appended_summary,
    build_fold_request,
    fold_due,
    keep_budget,
    split_for_fold,
)
from innertalk.domain.prompting import ModelRequest, TokenUsage, history_of
from innertalk.domain.users import Language

log = structlog.get_logger(__name__)

FOLDED_WINDOW = 2
"""Turns loaded per ``CONTEXT_TURNS``: kept turns are folded before they outgrow them."""


@dataclass(frozen=True, slots=True)
class Folded:
    """A context after a fold, and the tokens the model's fold call spent (to be charged)."""

    context: ConversationContext
    usage: TokenUsage = field(default_factory=TokenUsage)
    """Zero when no model answered (no fold was needed, or it failed and went offline)."""


class HistoryFolding:
    """Decides when a session's kept turns are folded and folds them."""

    def __init__(
        self,
        *,
        model: LanguageModel,
        fallback: LanguageModel,
        turn_limit: int,
    ) -> None:
        self._model = model
        self._fallback = fallback
        self._turn_limit = turn_limit

    def due(self, context: ConversationContext, request: ModelRequest) -> bool:
        """Whether ``request`` (built from ``context``) needs a fold first."""
        sent = len(request.history) - request.kept_from
        return fold_due(_kept(context, request), sent, self._turn_limit)

    async def fold(self, context: ConversationContext, reply: ModelRequest) -> Folded:
        """``context`` whose session has the older half of its kept turns folded.

        ``reply`` is the reply request the fold comes before: the fold request repeats its
        system prompt (``build_fold_request``).
        """
        session = context.session
        if session is None:
            return Folded(context)
        folded, kept = split_for_fold(_kept(context, reply), keep_budget(reply))
        if not folded:
            return Folded(context)
        language = context.profile.language if context.profile else Language.EN
        request = build_fold_request(reply, folded, language=language)
        merged, usage = await self._merged(request)
        # the offline summarizer reads the whole history: only the turns it folds
        offline = replace(request, history=history_of(folded), pinned=0, kept_from=0)
        summary = merged or await self._offline(offline, session.fold_summary)
        log.info(
            "talk.history_folded",
            folded=len(folded),
            kept=len(kept),
            input_tokens=usage.input_tokens,
            cached_input_tokens=usage.cached_input_tokens,
        )
        return Folded(replace(context, session=session.folded(folded[-1].id, summary)), usage)

    async def _merged(self, request: ModelRequest) -> tuple[str, TokenUsage]:
        """The model's merged summary ("" when it failed or was screened out) and its usage."""
        try:
            answer = await self._model.complete(request)
        except Exception as error:  # a failed fold must not cost the reply
            log.warning("talk.fold_fallback", error=type(error).__name__)
            return "", TokenUsage()
        merged = answer.text.strip()
        # read by every later prompt of the session: screened like any summary
        if merged and allows_shown(merged, what="fold_summary"):
            return merged, answer.usage
        return "", answer.usage  # spent all the same

    async def _offline(self, request: ModelRequest, previous: str | None) -> str:
        """The offline summary of the folded turns, appended to ``previous``."""
        addition = (await self._fallback.complete(request)).text.strip()
        if addition and not allows_shown(addition, what="offline_fold_summary"):
            addition = ""
        return appended_summary(previous, addition)


def _kept(context: ConversationContext, request: ModelRequest) -> tuple[Turn, ...]:
    """The kept turns of ``context``: after its fold point, not in ``request``'s pinned opening
    (the first ``request.pinned`` opening turns, as ``build_reply_request`` chose them)."""
    pinned = context.opening_turns[: request.pinned]
    return kept_turns(context.session, context.recent_turns, pinned)
