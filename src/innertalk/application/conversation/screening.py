"""The crisis screening around one reply: the message's screen, the provider's second opinion
(asked alongside the reply when the local layers are in doubt) and the safety mode a signal
turns on. ``TalkService`` owns one; without a ``SafetyService`` every step is a no-op.
"""

from __future__ import annotations

from dataclasses import replace

from innertalk.application.background import Background
from innertalk.application.safety import SafetyNotice, SafetyService, Screening
from innertalk.application.safety_opinion import (
    OpinionOutcome,
    PendingOpinion,
    SecondOpinion,
    no_opinion,
    opinion_signal,
)
from innertalk.domain.conversation import ConversationContext
from innertalk.domain.users import Language, Profile


class NotScreened:
    """The message has not been screened for a crisis yet (``reply`` screens it itself)."""


NOT_SCREENED = NotScreened()


class ReplyScreening:
    """Screens a message and what the second opinion says about it; alerts in the background."""

    def __init__(self, safety: SafetyService | None, opinion: SecondOpinion | None) -> None:
        self._safety = safety
        # the opinion only ever adds a notice, so without safety there is nothing to ask
        self._opinion = opinion if safety is not None else None
        self._alerting = Background()

    @property
    def enabled(self) -> bool:
        """Whether messages and replies are screened at all."""
        return self._safety is not None

    async def examine(
        self, text: str, language: Language, profile: Profile | None, country: str | None
    ) -> Screening:
        """The screen of ``text`` (hotlines for ``country``), with the classifier's verdict."""
        if self._safety is None:
            return Screening(None)
        # a doubtful rule signal waits for the third opinion only when one will be asked
        defer = self._opinion is not None
        return await self._safety.examine(
            text, language, profile, country=country, defer_doubtful=defer
        )

    async def screening(
        self,
        screened: Screening | SafetyNotice | NotScreened | None,
        message: str,
        language: Language,
        profile: Profile | None,
        country: str | None,
    ) -> Screening:
        """The entry point's own screen of ``message`` if it made one, else a new one."""
        if isinstance(screened, NotScreened):
            return await self.examine(message, language, profile, country)
        return screened if isinstance(screened, Screening) else Screening(screened)

    def ask_opinion(self, screening: Screening, message: str) -> PendingOpinion:
        """Ask the provider's opinion (``SecondOpinion``) when the local layers are in doubt."""
        return no_opinion() if self._opinion is None else self._opinion.ask(screening, message)

    async def late_notice(
        self,
        opinion: PendingOpinion,
        screening: Screening,
        language: Language,
        profile: Profile | None,
        country: str | None,
    ) -> SafetyNotice | None:
        """The notice for a crisis the opinion saw (waited for within its bound), if any; a
        deferred rule signal stands unless the opinion answered that it is clear."""
        category = await opinion.verdict()
        if self._safety is None:
            return None
        if category is not None:
            signal = opinion_signal(category)
            return self._safety.notice(signal, language, profile, country=country)
        if screening.deferred is not None and opinion.outcome is not OpinionOutcome.CLEAR:
            return self._safety.raise_deferred(
                screening.deferred, language, profile, country=country
            )
        return None

    def enter_safety_mode(
        self, context: ConversationContext, notice: SafetyNotice
    ) -> ConversationContext:
        """Mark the session (sticky, stored with the turns) and alert admins in the background."""
        assert context.session is not None
        assert self._safety is not None
        self._alerting.spawn(self._safety.alert(context.key, notice.signal))
        return replace(context, session=replace(context.session, safety=True))

    def allows_reply(self, text: str) -> bool:
        """Whether the model's final reply may be shown (always, without screening)."""
        return self._safety is None or self._safety.allows_reply(text)
