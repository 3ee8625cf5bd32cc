"""SafetyService with a learned classifier: it may add a signal, never hide the rules' one."""

from __future__ import annotations

from innertalk.application.safety import ClassifierVerdict, CrisisClassifier, SafetyService
from innertalk.domain.safety import DEFAULT_HOTLINES, CrisisCategory, Severity
from innertalk.domain.users import Language

CALM = "what a lovely morning"
RULE_HIT = "I want to kill myself tonight"


class FakeClassifier:
    """Answers one fixed probability and category and remembers what it was asked."""

    def __init__(self, probability: float, category: CrisisCategory) -> None:
        self.probability = probability
        self.category = category
        self.asked: list[str] = []

    async def assess(self, text: str) -> ClassifierVerdict:
        self.asked.append(text)
        return ClassifierVerdict(
            probability=self.probability,
            category=self.category,
            threshold=0.6,
            uncertain_from=0.3,
        )


class BrokenClassifier:
    async def assess(self, text: str) -> ClassifierVerdict:
        raise RuntimeError("weights unreadable")


def _service(
    classifier: CrisisClassifier, counted: list[tuple[str, str]] | None = None
) -> SafetyService:
    def count(category: str, severity: str) -> None:
        if counted is not None:
            counted.append((category, severity))

    return SafetyService(
        directory=DEFAULT_HOTLINES,
        classifier=classifier,
        on_signal=count,
    )


async def test_a_classifier_only_hit_raises_a_concern_signal_marked_as_the_models() -> None:
    """Rules silent, model sure: a CONCERN notice in the model's category, rule model:<cat>,
    counted like any signal."""
    counted: list[tuple[str, str]] = []
    service = _service(FakeClassifier(0.9, CrisisCategory.SELF_HARM), counted)
    screening = await service.examine(CALM, Language.EN)
    assert screening.notice is not None
    signal = screening.notice.signal
    assert signal.category is CrisisCategory.SELF_HARM
    assert signal.severity is Severity.CONCERN
    assert signal.rules == ("model:self_harm",)
    assert screening.notice.message_key == "self_harm"
    assert screening.verdict is not None
    assert screening.verdict.probability == 0.9
    assert counted == [("self_harm", "concern")]
    assert await service.screen(CALM, Language.EN) is not None


async def test_a_rule_hit_is_never_suppressed_and_the_model_is_not_asked() -> None:
    """A model that says "no crisis" changes nothing when a rule fired."""
    classifier = FakeClassifier(0.0, CrisisCategory.ABUSE)
    screening = await _service(classifier).examine(RULE_HIT, Language.EN)
    assert screening.notice is not None
    assert screening.notice.signal.category is CrisisCategory.SUICIDAL_IDEATION
    assert not any(rule.startswith("model:") for rule in screening.notice.signal.rules)
    assert screening.verdict is None
    assert classifier.asked == []


async def test_below_the_threshold_there_is_no_notice_and_the_middle_band_is_uncertain() -> None:
    """Between ``uncertain_from`` and ``threshold``: no notice, ``uncertain``; below: neither."""
    doubtful = await _service(FakeClassifier(0.45, CrisisCategory.ABUSE)).examine(
        CALM, Language.EN
    )
    assert doubtful.notice is None
    assert doubtful.uncertain
    calm = await _service(FakeClassifier(0.1, CrisisCategory.ABUSE)).examine(CALM, Language.EN)
    assert calm.notice is None
    assert not calm.uncertain


async def test_a_failing_classifier_leaves_the_rules_working() -> None:
    """A broken model is logged and ignored: calm text passes, a rule hit still signals."""
    service = _service(BrokenClassifier())
    assert (await service.examine(CALM, Language.EN)).notice is None
    assert await service.screen(RULE_HIT, Language.EN) is not None


async def test_without_a_classifier_only_the_rules_decide() -> None:
    """The learned layer is optional: no verdict, never uncertain."""
    screening = await SafetyService(directory=DEFAULT_HOTLINES).examine(CALM, Language.EN)
    assert screening.notice is None
    assert screening.verdict is None
    assert not screening.uncertain


async def test_a_model_signal_on_a_worried_friend_gets_the_worried_friend_notice() -> None:
    """Rules silent, model sure, the writer asks how to help someone close: the notice is
    someone else's (the worried-friend one), still raised and counted."""
    text = "my sister keeps saying everyone would be better off, how do i talk to her?"
    counted: list[tuple[str, str]] = []
    service = _service(FakeClassifier(0.9, CrisisCategory.SUICIDAL_IDEATION), counted)
    screening = await service.examine(text, Language.EN)
    assert screening.notice is not None
    assert screening.notice.signal.about_other
    assert screening.notice.message_key == "about_other"
    assert counted == [("suicidal_ideation", "concern")]


async def test_a_model_signal_stays_the_writers_when_they_claim_it_or_it_is_abuse() -> None:
    """The writer's own words ("me too") or an abuse category keep the writer's notice."""
    own = "my friend feels the same as me, i want it to stop too, what do i do"
    abuse = "мой муж опять поднял руку, что делать"
    service = _service(FakeClassifier(0.9, CrisisCategory.SUICIDAL_IDEATION))
    mine = await service.examine(own, Language.EN)
    assert mine.notice is not None
    assert not mine.notice.signal.about_other
    abused = await _service(FakeClassifier(0.9, CrisisCategory.ABUSE)).examine(abuse, Language.RU)
    assert abused.notice is not None
    assert not abused.notice.signal.about_other


LOOKING_BACK = "when i was 17 i tried to end my life. now i'm 35 and i teach yoga"


async def test_a_doubtful_rule_signal_the_model_finds_no_concern_in_is_cleared() -> None:
    """A past act set against the present, the model below its doubt band: no notice, the
    cleared signal kept as doubt for the third opinion."""
    classifier = FakeClassifier(0.1, CrisisCategory.SUICIDAL_IDEATION)
    screening = await _service(classifier).examine(LOOKING_BACK, Language.EN)
    assert screening.notice is None
    assert screening.cleared is not None
    assert screening.cleared.category is CrisisCategory.SUICIDAL_IDEATION
    assert screening.uncertain
    assert classifier.asked == [LOOKING_BACK]


async def test_a_doubtful_rule_signal_stands_when_the_model_is_concerned_too() -> None:
    """The model in the upper half of its doubt band keeps the rule's signal: the rule's
    category and ids, not the model's."""
    classifier = FakeClassifier(0.46, CrisisCategory.ABUSE)
    screening = await _service(classifier).examine(LOOKING_BACK, Language.EN)
    assert screening.notice is not None
    assert screening.notice.signal.category is CrisisCategory.SUICIDAL_IDEATION
    assert not any(rule.startswith("model:") for rule in screening.notice.signal.rules)


async def test_a_doubtful_rule_signal_low_in_the_doubt_band_is_cleared_but_uncertain() -> None:
    """In the lower half of the doubt band the model does not back a doubtful rule signal:
    no notice, and the message still counts as uncertain for a third opinion."""
    classifier = FakeClassifier(0.44, CrisisCategory.SUICIDAL_IDEATION)
    screening = await _service(classifier).examine(LOOKING_BACK, Language.EN)
    assert screening.notice is None
    assert screening.cleared is not None
    assert screening.uncertain


async def test_a_doubtful_rule_signal_stands_without_a_working_model() -> None:
    """No classifier, or a broken one: the rules' doubtful signal gets its notice."""
    assert await SafetyService(directory=DEFAULT_HOTLINES).screen(LOOKING_BACK, Language.EN)
    assert await _service(BrokenClassifier()).screen(LOOKING_BACK, Language.EN) is not None


async def test_a_doubtful_signal_the_model_backs_waits_for_a_configured_opinion() -> None:
    """With a third opinion coming, a doubtful signal the model did not clear is deferred."""
    classifier = FakeClassifier(0.5, CrisisCategory.SUICIDAL_IDEATION)
    screening = await _service(classifier).examine(LOOKING_BACK, Language.EN, defer_doubtful=True)
    assert screening.notice is None
    assert screening.deferred is not None
    assert screening.cleared is None
