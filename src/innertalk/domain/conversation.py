"""Conversation turns, sessions, and the context a reply is written from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from innertalk.domain.users import Profile, UserKey
from innertalk.domain.wellbeing import QuestionnaireResult


class Role(StrEnum):
    """Who said a turn."""

    USER = "user"
    ASSISTANT = "assistant"


@dataclass(frozen=True, slots=True)
class Turn:
    """One message in a session. ``id`` makes writing it twice harmless.

    The companion's turns also record which provider, model and experiment variant wrote
    them and the tokens they cost; a person's turns leave those empty.
    """

    id: str
    key: UserKey
    session_id: str
    role: Role
    text: str
    created_at: datetime
    provider: str = ""
    model: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    variant: str = ""
    latency_ms: int = 0


@dataclass(frozen=True, slots=True)
class Session:
    """A stretch of conversation; once ended it may carry a summary for the next one."""

    id: str
    key: UserKey
    started_at: datetime
    ended_at: datetime | None = None
    summary: str | None = None
    tokens_used: int = 0
    safety: bool = False
    """A crisis was detected in this session: replies follow the safety-oriented prompt."""
    off_record: bool = False
    """Nothing of an off-the-record session is stored: it lives in the context cache only."""
    folded_through: str = ""
    """The id of the newest turn folded into ``fold_summary``; later turns are sent verbatim."""
    fold_summary: str | None = None
    """A rolling summary of the session's folded (oldest) turns, sent before the kept ones."""

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    def ended(self, now: datetime, summary: str | None) -> Session:
        """This session closed at ``now`` with ``summary``."""
        return replace(self, ended_at=now, summary=summary)

    def folded(self, through: str, summary: str) -> Session:
        """This session after its turns up to the one with id ``through`` became ``summary``."""
        return replace(self, folded_through=through, fold_summary=summary)

    def spent(self, tokens: int) -> Session:
        """This session after ``tokens`` more were spent on it."""
        return replace(self, tokens_used=self.tokens_used + tokens)


@dataclass(frozen=True, slots=True)
class ConversationContext:
    """Everything needed to answer the next message, loaded in one round trip.

    ``recent_turns`` are the newest turns of the open session, oldest first.
    ``previous_summary`` is the summary of the latest ended session that has one.
    ``recent_results`` are the person's newest questionnaire results.
    """

    key: UserKey
    profile: Profile | None = None
    session: Session | None = None
    previous_summary: str | None = None
    recent_turns: tuple[Turn, ...] = field(default_factory=tuple)
    recent_results: tuple[QuestionnaireResult, ...] = field(default_factory=tuple)
    """The newest questionnaire results (newest first), summarized into the prompt."""
    opening_turns: tuple[Turn, ...] = field(default_factory=tuple)
    """The open session's first turns (as many as the loader's opening limit), oldest first:
    the pinned opening a prompt keeps verbatim is chosen from them (``pinned_opening``)."""

    def with_turns(
        self, turns: Sequence[Turn], limit: int, opening_limit: int = 0
    ) -> ConversationContext:
        """The context after ``turns`` were added, keeping the newest ``limit`` and, while the
        session is young, its first ``opening_limit``."""
        merged = (*self.recent_turns, *turns)
        opening = self.opening_turns
        if len(opening) < opening_limit:
            opening = (*opening, *turns)[:opening_limit]
        return replace(
            self, recent_turns=merged[-limit:] if limit > 0 else (), opening_turns=opening
        )


def estimate_tokens(text: str) -> int:
    """A provider-independent, deliberately high estimate of a text's token count.

    Tokenizers spend roughly one token per 4 Latin characters and per 2-3 Cyrillic
    ones; counting every 3 characters as a token errs on the side of fitting.
    """
    return len(text) // 3 + 1


def trim_to_budget(turns: Sequence[Turn], budget: int) -> tuple[Turn, ...]:
    """The newest turns whose estimated tokens fit ``budget``, oldest first.

    Trimming never splits a turn, and never starts the kept history with an
    assistant turn whose question is gone.
    """
    kept: list[Turn] = []
    used = 0
    for turn in reversed(turns):
        cost = estimate_tokens(turn.text)
        if used + cost > budget:
            break
        kept.append(turn)
        used += cost
    kept.reverse()
    while kept and kept[0].role is Role.ASSISTANT:
        kept.pop(0)
    return tuple(kept)


def kept_turns(
    session: Session | None, turns: Sequence[Turn], pinned: Sequence[Turn] = ()
) -> tuple[Turn, ...]:
    """The ``turns`` after ``session``'s fold point that are not ``pinned``: the foldable ones
    a prompt sends verbatim after the pinned opening.

    Before the first fold that is all of them. A fold point no longer among ``turns`` means
    every loaded turn is newer than it (folding keeps the kept turns within the loaded window).
    """
    after = tuple(turns)
    if session is not None and session.folded_through:
        for index, turn in enumerate(turns):
            if turn.id == session.folded_through:
                after = tuple(turns[index + 1 :])
                break
    if not pinned:
        return after
    pinned_ids = {turn.id for turn in pinned}
    return tuple(turn for turn in after if turn.id not in pinned_ids)


def pinned_opening(opening: Sequence[Turn], budget: int) -> tuple[Turn, ...]:
    """The session's first whole exchanges whose estimated tokens fit ``budget``.

    They are sent verbatim ahead of everything folded and never folded themselves, so the
    prompt's prefix through them stays the same for the whole session: only the turns that
    already exist decide it (once a turn does not fit, none after it can join).
    """
    used = end = 0
    for index, turn in enumerate(opening):
        used += estimate_tokens(turn.text)
        if used > budget:
            break
        if turn.role is Role.ASSISTANT:
            end = index + 1
    return tuple(opening[:end])
