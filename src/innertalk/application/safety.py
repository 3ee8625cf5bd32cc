"""SafetyService: crisis screening that never depends on a model.

Every message is screened before the model (``screen``); every reply after it
(``allows_reply``). A signal gets the person a calm message with hotlines for their country,
turns the session's safety mode on (the safety-oriented system prompt from then on), and
alerts the admins — with the category and a pseudonym, never the message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import structlog

from innertalk.application.alerts import AlertKind, AlertService
from innertalk.domain.safety import (
    CrisisSignal,
    Hotline,
    HotlineDirectory,
    OutputVerdict,
    country_from_timezone,
    detect_crisis,
    hotlines_for,
    message_key,
    screen_model_output,
)
from innertalk.domain.users import Language, Profile, UserKey

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class SafetyNotice:
    """What the person is shown about a crisis signal: the text's key and the hotlines."""

    signal: CrisisSignal
    message_key: str
    hotlines: tuple[Hotline, ...]
    language: Language


class SafetyService:
    """Screens messages and replies; ``country`` (``CRISIS_COUNTRY``) overrides the one
    guessed from the person's time zone. ``on_signal`` is told each signal's category and
    severity (a metrics counter; never the message)."""

    def __init__(
        self,
        *,
        directory: HotlineDirectory,
        alerts: AlertService | None = None,
        country: str | None = None,
        on_signal: Callable[[str, str], None] | None = None,
    ) -> None:
        self._directory = directory
        self._alerts = alerts
        self._country = country
        self._on_signal = on_signal

    def screen(
        self, text: str, language: Language, profile: Profile | None = None
    ) -> SafetyNotice | None:
        """The notice for ``text`` when it carries a crisis signal, else ``None``."""
        signal = detect_crisis(text)
        if signal is None:
            return None
        country = self._country or (country_from_timezone(profile.timezone) if profile else None)
        lines = hotlines_for(
            country, language, category=signal.category, directory=self._directory
        )
        log.warning(
            "safety.signal",
            category=signal.category.value,
            severity=signal.severity.value,
            about_other=signal.about_other,
            rules=list(signal.rules),
        )
        if self._on_signal is not None:
            self._on_signal(signal.category.value, signal.severity.value)
        return SafetyNotice(signal, message_key(signal), tuple(lines), language)

    def notice(
        self, signal: CrisisSignal, language: Language, profile: Profile | None = None
    ) -> SafetyNotice:
        """The notice for a signal found elsewhere than in a message (a questionnaire answer)."""
        country = self._country or (country_from_timezone(profile.timezone) if profile else None)
        lines = hotlines_for(
            country, language, category=signal.category, directory=self._directory
        )
        return SafetyNotice(signal, message_key(signal), tuple(lines), language)

    async def alert(self, key: UserKey, signal: CrisisSignal) -> None:
        """Tell the admins (throttled per kind) without any content."""
        if self._alerts is not None:
            subject = f"{signal.category.value}/{signal.severity.value} {key.pseudonym}"
            await self._alerts.notify(AlertKind.CRISIS_DETECTED, subject)

    @staticmethod
    def allows_reply(text: str) -> bool:
        """Whether a model reply may be shown (never method details or urging harm)."""
        screen = screen_model_output(text)
        if screen.verdict is OutputVerdict.WITHHOLD:
            log.warning("safety.reply_withheld", reasons=list(screen.reasons))
            return False
        return True
