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
