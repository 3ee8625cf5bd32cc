"""LinearCrisisClassifier: the shipped weights load, score like scikit-learn, refuse drift."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from innertalk.application.safety import CrisisClassifier
from innertalk.domain.safety import CrisisCategory
from innertalk.infrastructure.safety_model import features
from innertalk.infrastructure.safety_model.classifier import (
    CATEGORIES,
    SHIPPED_MODEL,
    LinearCrisisClassifier,
    LinearWeights,
    ModelFileError,
    save_weights,
    shipped_classifier,
)

SAMPLE = [
    ("i want to end my life tonight", "suicidal_ideation"),
    ("я больше не хочу жить", "suicidal_ideation"),
    ("i keep cutting my arms", "self_harm"),
    ("опять режу руки", "self_harm"),
    ("i'm going to stab him tomorrow", "harm_to_others"),
    ("зарежу соседа", "harm_to_others"),
    ("my stepdad hits me every night", "abuse"),
    ("отчим бьёт меня", "abuse"),
    ("i just swallowed forty pills", "acute_danger"),
    ("выпила всю пачку таблеток только что", "acute_danger"),
]
CALM = [
    "this exam is killing me",
    "умру со смеху",
    "i cut my hair today",
    "на мосту закат",
    "what should i cook for dinner",
    "убил бы за кофе",
]


def _rows(texts: list[str]) -> np.ndarray:
    dense = np.zeros((len(texts), features.DIMENSION))
    for row, text in enumerate(texts):
        indices, values = features.features(text)
        dense[row, indices] = values
    return dense


def test_runtime_scores_equal_scikit_learns(tmp_path: Path) -> None:
    """Models fitted by scikit-learn on the shared features, saved and read back with numpy,
    give the same probabilities and categories on unseen messages."""
    sklearn = pytest.importorskip("sklearn.linear_model")
    texts = [text for text, _ in SAMPLE] + CALM
    x, y = _rows(texts), np.array([1] * len(SAMPLE) + [0] * len(CALM))
    labels = np.array([category for _, category in SAMPLE])
    binary = sklearn.LogisticRegression(C=10.0, max_iter=500).fit(x, y)
    kinds = sklearn.LogisticRegression(C=10.0, max_iter=500).fit(x[: len(SAMPLE)], labels)
    order = [list(kinds.classes_).index(name) for name in CATEGORIES]
    weights = LinearWeights(
        binary=binary.coef_[0],
        binary_bias=float(binary.intercept_[0]),
        category=kinds.coef_[order],
        category_bias=kinds.intercept_[order],
        threshold=0.5,
        uncertain_from=0.3,
    )
    save_weights(weights, tmp_path / "model.npz")
    runtime = LinearCrisisClassifier.load(tmp_path / "model.npz")
    unseen = ["i want to die", "хочу порезать себя", "my dad beats me", "lovely weather", ""]
    expected = binary.predict_proba(_rows(unseen))[:, 1]
    got = [runtime.probability(text) for text in unseen]
    np.testing.assert_allclose(got, expected, atol=1e-5)
    predicted = kinds.predict(_rows(unseen))
    assert [runtime.assess(text).category.value for text in unseen] == list(predicted)


def test_the_shipped_model_is_small_and_loads(tmp_path: Path) -> None:
    """The package carries the weights (under 3 MB) with thresholds chosen in training."""
    assert SHIPPED_MODEL.stat().st_size < 3 * 1024 * 1024
    classifier: CrisisClassifier = shipped_classifier()
    verdict = classifier.assess("what a lovely morning")
    assert 0.0 < verdict.uncertain_from < verdict.threshold < 1.0
    assert shipped_classifier() is classifier  # read once per process


def test_the_shipped_model_tells_a_crisis_from_everyday_talk() -> None:
    """Plain crisis lines score above the threshold and name their category; calm lines with
    the same words score below it."""
    classifier = shipped_classifier()
    crisis = {
        "i really don't see the point of being alive anymore": CrisisCategory.SUICIDAL_IDEATION,
        "хочу выпилиться": CrisisCategory.SUICIDAL_IDEATION,
        "отчим бьёт меня каждый вечер": CrisisCategory.ABUSE,
        "i just swallowed the whole bottle of pills": CrisisCategory.ACUTE_DANGER,
    }
    for text, category in crisis.items():
        verdict = classifier.assess(text)
        assert verdict.crisis, text
        assert verdict.category is category, text
    for text in ("i'd kill for a coffee right now", "умру со смеху", "i cut my hair today"):
        assert not classifier.assess(text).crisis, text


def test_a_model_with_other_features_or_parts_missing_is_refused(tmp_path: Path) -> None:
    """A file trained with another feature spec, or missing an array, is one clear error."""
    with np.load(SHIPPED_MODEL, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    np.savez(tmp_path / "other.npz", **{**arrays, "spec": np.array("crc32:dim=1024")})
    with pytest.raises(ModelFileError, match="trained with"):
        LinearCrisisClassifier.load(tmp_path / "other.npz")
    del arrays["thresholds"]
    np.savez(tmp_path / "partial.npz", **arrays)
    with pytest.raises(ModelFileError, match="thresholds"):
        LinearCrisisClassifier.load(tmp_path / "partial.npz")
