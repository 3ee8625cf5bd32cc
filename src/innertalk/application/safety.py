"""SafetyService: crisis screening that never depends on a model.

Every message is screened before the model (``screen``); everything a model wrote is
screened as the person will see it before it is shown: the final reply (``allows_reply``)
here, each streamed draft and summaries, portraits and ``/memory`` in
``screened_output``. A signal gets the person a calm message with hotlines for
their country, turns the session's safety mode on (the safety-oriented system prompt from
then on), and alerts the admins — with the category and a pseudonym, never the message.

The rules decide first. A learned ``CrisisClassifier`` (optional) is asked when they found
nothing: at or above its threshold it raises a ``CONCERN`` signal whose rule is
``model:<category>``. It never removes a signal the rules are sure of; a signal the rules
themselves mark doubtful (a joke, a past act set against the present, a general question)
needs the classifier's concern too (the upper half of its doubt band or above), and a cleared
one still counts as doubt for the third opinion. ``examine`` also returns the classifier's
verdict, so a later step can treat its middle band (``Screening.uncertain``) as doubt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import structlog

from innertalk.application.operations.alerts import AlertKind, AlertService
from innertalk.application.operations.analytics import CrisisSignalLog
from innertalk.application.ports import Clock
from innertalk.application.webhooks.reporting import CrisisWebhooks
from innertalk.domain.analytics import CrisisMark
from innertalk.domain.safety import (
    CrisisCategory,
    CrisisSignal,
    Hotline,
    HotlineDirectory,
    OutputVerdict,
    Severity,
    country_for,
    detect_crisis,
    hotlines_for,
    message_key,
    screen_model_output,
    seeks_help_for_other,
)
from innertalk.domain.users import Language, Profile, Pseudonyms, UserKey

log = structlog.get_logger(__name__)

BACKING = 0.5
"""How far up its doubt band the classifier must be to keep a doubtful rule signal. Chosen on
the dev sources (round 8, out-of-source scores, docs/benchmarks.md): every doubtful crisis
line scored above the band's middle (35 of 35), while the calm lines a doubtful hit was kept
on fell to about a third (47 of 488, against 132 at the band's floor)."""


@dataclass(frozen=True, slots=True)
class ClassifierVerdict:
    """A learned classifier's view of one message. ``threshold`` and ``uncertain_from`` come
    with the model (chosen by cross-validation when it was trained)."""

    probability: float
    category: CrisisCategory
    threshold: float
    uncertain_from: float

    @property
    def crisis(self) -> bool:
        return self.probability >= self.threshold

    @property
    def uncertain(self) -> bool:
        """Below the threshold, in the band where the model's misses live."""
        return self.uncertain_from <= self.probability < self.threshold

    @property
    def concerned(self) -> bool:
        """At least ``BACKING`` of the way from the doubt band's floor to the threshold:
        enough to keep a doubtful rule signal (the rule's shape is half the evidence)."""
        floor = self.uncertain_from + BACKING * (self.threshold - self.uncertain_from)
        return self.probability >= floor


class CrisisClassifier(Protocol):
    """A local learned model: no network, fast enough for every message. Asynchronous because
    its heavier part (a sentence encoder) runs in a worker thread, off the event loop."""

    async def assess(self, text: str) -> ClassifierVerdict: ...


@dataclass(frozen=True, slots=True)
class SafetyNotice:
    """What the person is shown about a crisis signal: the text's key and the hotlines."""

    signal: CrisisSignal
    message_key: str
    hotlines: tuple[Hotline, ...]
    language: Language
    country: str | None = None
    """Whose hotlines these are (``None``: the international list)."""


@dataclass(frozen=True, slots=True)
class Screening:
    """``examine``'s answer; ``verdict`` is ``None`` when the rules fired or no classifier."""

    notice: SafetyNotice | None
    verdict: ClassifierVerdict | None = None
    deferred: CrisisSignal | None = None
    """A doubtful rule signal held back for the third opinion to decide."""
    cleared: CrisisSignal | None = None
    """A doubtful rule signal the classifier found no concern in (no notice was given)."""

    @property
    def uncertain(self) -> bool:
        """No notice, but the classifier is in its doubt band, or a doubtful rule signal was
        deferred or cleared: a third opinion, when configured, is asked."""
        if self.notice is not None:
            return False
        if self.deferred is not None or self.cleared is not None:
            return True
        return self.verdict is not None and self.verdict.uncertain


class SafetyService:
    """Screens messages and replies; ``country`` (``CRISIS_COUNTRY``) overrides the one
    guessed from the person's time zone. ``on_signal`` is told each signal's category and
    severity (a metrics counter; never the message). Alerts name the person by ``pseudonyms``
    (the composition root passes the configured ones; by default a key of this process).
    ``classifier`` is the learned layer (see the module notes). ``webhooks`` enqueues every
    signal for the care team of the person's tenant, when it has a crisis webhook."""

    def __init__(
        self,
        *,
        directory: HotlineDirectory,
        alerts: AlertService | None = None,
        country: str | None = None,
        on_signal: Callable[[str, str], None] | None = None,
        pseudonyms: Pseudonyms | None = None,
        classifier: CrisisClassifier | None = None,
        webhooks: CrisisWebhooks | None = None,
        crisis_log: tuple[CrisisSignalLog, Clock] | None = None,
    ) -> None:
        self._webhooks = webhooks
        # counts for the panel's overview: realm, category, severity and time only
        self._crisis_log = crisis_log
        self._pseudonyms = pseudonyms or Pseudonyms.ephemeral()
        self._directory = directory
        self._alerts = alerts
        self._country = country
        self._on_signal = on_signal
        self._classifier = classifier

    async def screen(
        self,
        text: str,
        language: Language,
        profile: Profile | None = None,
        *,
        country: str | None = None,
    ) -> SafetyNotice | None:
        """The notice for ``text`` when it carries a crisis signal, else ``None``."""
        return (await self.examine(text, language, profile, country=country)).notice

    async def examine(
        self,
        text: str,
        language: Language,
        profile: Profile | None = None,
        *,
        country: str | None = None,
        defer_doubtful: bool = False,
    ) -> Screening:
        """Rules first; the classifier when they found nothing (so the encoder's CPU is
        spent only on messages the rules let through) or only a doubtful signal (a joke, a
        past act set against the present, a general question: see ``domain.safety.doubt``).
        A doubtful signal stands when the classifier is concerned too (its doubt band or
        above), or when there is no classifier or it failed; else it is ``cleared``.
        ``country``: the person's tenant's hotline country (see ``notice``).
        ``defer_doubtful`` (only when a third opinion will be asked) holds back a doubtful
        signal the classifier did not clear: ``Screening.deferred``."""
        signal = detect_crisis(text)
        verdict = None
        if signal is not None and signal.doubtful:
            if self._classifier is not None:
                verdict = await self._assess(self._classifier, text)
                if verdict is not None and not verdict.concerned:
                    log.info("safety.signal_cleared", category=signal.category.value)
                    return Screening(None, verdict, cleared=signal)
            if defer_doubtful:
                log.info("safety.signal_deferred", category=signal.category.value)
                return Screening(None, verdict, deferred=signal)
        if signal is None and self._classifier is not None:
            verdict = await self._assess(self._classifier, text)
            if verdict is not None and verdict.crisis:
                signal = CrisisSignal(
                    category=verdict.category,
                    severity=Severity.CONCERN,
                    categories=frozenset({verdict.category}),
                    rules=(f"model:{verdict.category.value}",),
                    # the model reads no person: "how do I help my friend?" is not the writer's
                    about_other=seeks_help_for_other(text, verdict.category),
                )
        if signal is None:
            return Screening(None, verdict)
        return Screening(self._notify(signal, language, profile, country), verdict)

    @staticmethod
    async def _assess(classifier: CrisisClassifier, text: str) -> ClassifierVerdict | None:
        """The verdict; a broken model must not take the rules' answer down with it."""
        try:
            verdict = await classifier.assess(text)
        except Exception as error:
            log.error("safety.classifier_failed", error=type(error).__name__)
            return None
        if verdict.uncertain:
            probability = round(verdict.probability, 3)
            log.debug("safety.uncertain", category=verdict.category.value, probability=probability)
        return verdict

    def raise_deferred(
        self,
        signal: CrisisSignal,
        language: Language,
        profile: Profile | None = None,
        *,
        country: str | None = None,
    ) -> SafetyNotice:
        """The notice for a deferred signal the third opinion could not clear (it failed or
        was late): logged and counted like any signal."""
        return self._notify(signal, language, profile, country)

    def _notify(
        self,
        signal: CrisisSignal,
        language: Language,
        profile: Profile | None,
        country: str | None,
    ) -> SafetyNotice:
        notice = self.notice(signal, language, profile, country=country)
        log.warning(
            "safety.signal",
            category=signal.category.value,
            severity=signal.severity.value,
            about_other=signal.about_other,
            rules=list(signal.rules),
        )
        if self._on_signal is not None:
            self._on_signal(signal.category.value, signal.severity.value)
        return notice

    def notice(
        self,
        signal: CrisisSignal,
        language: Language,
        profile: Profile | None = None,
        *,
        country: str | None = None,
    ) -> SafetyNotice:
        """The notice for ``signal`` with the hotlines of the person's country: ``country``
        (their tenant's ``hotline_country``) when given, else ``CRISIS_COUNTRY`` when set,
        else the country of their time zone, else the one their language suggests (see
        ``country_for``); the person can pick another under the notice (``notice_in``)."""
        timezone = profile.timezone if profile else None
        chosen = country or self._country or country_for(timezone, language)
        return self.notice_in(signal, language, chosen)

    def notice_in(
        self, signal: CrisisSignal, language: Language, country: str | None
    ) -> SafetyNotice:
        """The notice for ``signal`` with ``country``'s hotlines (``None``: international)."""
        lines = hotlines_for(
            country, language, category=signal.category, directory=self._directory
        )
        return SafetyNotice(signal, message_key(signal), tuple(lines), language, country)

    @property
    def countries(self) -> tuple[str, ...]:
        """The countries the hotline directory has lines for, to choose from."""
        return tuple(self._directory.countries)

    async def alert(self, key: UserKey, signal: CrisisSignal) -> None:
        """Tell the admins without any content: throttled per person, so one person's alert
        never hides another's (repeats are counted into that person's next alert). Every
        signal, throttled or not, is reported to the tenant's crisis webhook (if it has one).

        Callers run it off the reply's path (``TalkService`` in the background)."""
        if self._webhooks is not None:
            await self._webhooks.report(key, signal)
        if self._alerts is not None:
            pseudonym = self._pseudonyms.of(key)
            subject = f"{signal.category.value}/{signal.severity.value} {pseudonym}"
            await self._alerts.notify(AlertKind.CRISIS_DETECTED, subject, about=pseudonym)
        if self._crisis_log is not None:
            await self._count(key, signal, *self._crisis_log)

    @staticmethod
    async def _count(
        key: UserKey, signal: CrisisSignal, crisis_log: CrisisSignalLog, clock: Clock
    ) -> None:
        """Last, and never raising: a count the store could not take must not stop an alert."""
        mark = CrisisMark(key.bot_id, signal.category.value, signal.severity.value, clock.now())
        try:
            await crisis_log.note_crisis(mark)
        except Exception as error:  # any store error: the alerts already went out
            log.warning("safety.crisis_not_counted", error=type(error).__name__)

    @staticmethod
    def allows_reply(text: str) -> bool:
        """Whether a model reply may be shown (never method details or urging harm), read
        as it will be seen (markup, hyphenation, wide letters undone)."""
        screen = screen_model_output(text)
        if screen.verdict is OutputVerdict.WITHHOLD:
            log.warning("safety.reply_withheld", reasons=list(screen.reasons))
            return False
        return True
