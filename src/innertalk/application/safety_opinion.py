"""The optional third opinion on crisis risk: a provider asked about uncertain messages.

The rules and the local classifier screen every message on this machine. Only when the rules
found nothing and the classifier sits in its doubt band (``Screening.uncertain``) is the
message's text sent to a ``CrisisOpinion`` (a moderation endpoint or a fast model). The
opinion runs alongside the reply, so it costs the person no time while the model writes; once
the reply is ready we wait for it at most ``timeout`` seconds more. It may add a signal, never
remove one, and it fails open: an error or a late answer leaves the local verdict standing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Protocol, TypeVar

import structlog

from innertalk.application.safety import Screening
from innertalk.domain.safety import CrisisCategory, CrisisSignal, Severity

log = structlog.get_logger(__name__)

T = TypeVar("T")


class OpinionOutcome(StrEnum):
    """What came of one opinion (``innertalk_safety_opinions_total{outcome}``)."""

    CRISIS = "crisis"
    CLEAR = "clear"
    ERROR = "error"
    TIMEOUT = "timeout"


class CrisisOpinion(Protocol):
    """A provider's view of one message: the crisis it sees, or ``None`` for none."""

    async def assess(self, text: str) -> CrisisCategory | None: ...


def opinion_signal(category: CrisisCategory) -> CrisisSignal:
    """The signal a provider's opinion raises; ``rules`` says where it came from."""
    return CrisisSignal(
        category=category,
        severity=Severity.CONCERN,
        categories=frozenset({category}),
        rules=(f"opinion:{category.value}",),
    )


class PendingOpinion:
    """An opinion being formed alongside the reply (or none, when none was asked)."""

    def __init__(
        self,
        task: asyncio.Future[CrisisCategory | None] | None,
        timeout: float,
        on_outcome: Callable[[OpinionOutcome], None] | None,
    ) -> None:
        self._task = task
        self._timeout = timeout
        self._on_outcome = on_outcome
        self.outcome: OpinionOutcome | None = None
        """What came of it, once ``verdict`` was awaited (``None``: none was asked)."""

    async def alongside(self, work: Awaitable[T]) -> T:
        """``work``'s result; should ``work`` fail, the opinion is abandoned with it."""
        try:
            return await work
        except BaseException:
            self.cancel()
            raise

    def cancel(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        if self._task.done() and not self._task.cancelled():
            self._task.exception()  # retrieved: a failure nobody waits for is not an error
        self._task = None

    async def verdict(self) -> CrisisCategory | None:
        """The opinion, waited for at most ``timeout`` seconds; ``None`` on any failure."""
        if self._task is None:
            return None
        task, self._task = self._task, None
        try:
            category = await asyncio.wait_for(task, self._timeout)  # cancels it when late
        except Exception as error:  # fail open: the local layers' verdict stands
            late = isinstance(error, TimeoutError)
            log.warning("safety.opinion_failed", error=type(error).__name__)
            self._count(OpinionOutcome.TIMEOUT if late else OpinionOutcome.ERROR)
            return None
        if category is not None:
            log.warning("safety.opinion", category=category.value)
        self._count(OpinionOutcome.CRISIS if category is not None else OpinionOutcome.CLEAR)
        return category

    def _count(self, outcome: OpinionOutcome) -> None:
        self.outcome = outcome
        if self._on_outcome is not None:
            self._on_outcome(outcome)


class SecondOpinion:
    """Asks ``opinion`` about uncertain messages only. ``timeout`` (``SAFETY_OPINION_TIMEOUT``)
    bounds the wait after the reply is ready; ``on_outcome`` counts each answer (``crisis``,
    ``clear``, ``error``, ``timeout``: a metrics counter)."""

    def __init__(
        self,
        opinion: CrisisOpinion,
        *,
        timeout: float = 2.0,
        on_outcome: Callable[[OpinionOutcome], None] | None = None,
    ) -> None:
        self._opinion = opinion
        self._timeout = timeout
        self._on_outcome = on_outcome

    def ask(self, screening: Screening, text: str) -> PendingOpinion:
        """Start asking about ``text`` when the local layers are in doubt about it."""
        if not screening.uncertain:
            return no_opinion()
        task = asyncio.ensure_future(self._opinion.assess(text))
        return PendingOpinion(task, self._timeout, self._on_outcome)


def no_opinion() -> PendingOpinion:
    """No opinion asked: its verdict is ``None`` at once."""
    return PendingOpinion(None, 0.0, None)
