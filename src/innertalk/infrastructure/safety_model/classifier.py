"""``LinearCrisisClassifier``: the learned crisis layer, read with numpy from a shipped file.

Two logistic regressions over ``features`` (crisis or not; which category) trained by
``training/crisis/train.py`` with scikit-learn and written here with ``save_weights``, so the
file format lives in one module and the app never needs scikit-learn. The file keeps only the
feature rows that have a weight (hashing leaves most of the 2^18 rows empty) and records the
feature ``SPEC`` it was trained with; a file with other features is refused, not misread.
Nothing is downloaded: the weights ship inside the package.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import structlog

from innertalk.application.safety import ClassifierVerdict
from innertalk.domain.safety import CrisisCategory
from innertalk.infrastructure.safety_model import features

log = structlog.get_logger(__name__)

SHIPPED_MODEL = Path(__file__).with_name("crisis_model.npz")
CATEGORIES = tuple(category.value for category in CrisisCategory)
"""The category head's rows, in this order."""

Floats = npt.NDArray[np.float64]


class ModelFileError(ValueError):
    """The model file is missing a part or was trained with different features."""


@dataclass(frozen=True, slots=True)
class LinearWeights:
    """What training hands over: one weight per feature for the crisis head, one row per
    category (``CATEGORIES`` order) for the category head, and the chosen thresholds."""

    binary: Floats
    binary_bias: float
    category: Floats
    category_bias: Floats
    threshold: float
    uncertain_from: float


def save_weights(weights: LinearWeights, path: Path) -> None:
    """Write ``weights`` compactly: the used feature rows as float32, compressed."""
    table = np.column_stack([weights.binary, weights.category.T]).astype(np.float32)
    used = np.flatnonzero(np.any(table != 0, axis=1)).astype(np.uint32)
    np.savez_compressed(
        path,
        spec=np.array(features.SPEC),
        categories=np.array(CATEGORIES),
        index=used,
        weights=table[used],
        bias=np.concatenate([[weights.binary_bias], weights.category_bias]),
        thresholds=np.array([weights.threshold, weights.uncertain_from]),
    )


def weights_digest(path: Path) -> str:
    """A short hash of the file's arrays: the zip around them carries write times, so the
    file's own bytes differ between two identical trainings."""
    digest = hashlib.sha256()
    with np.load(path, allow_pickle=False) as data:
        for name in sorted(data.files):
            digest.update(name.encode())
            digest.update(np.ascontiguousarray(data[name]).tobytes())
    return digest.hexdigest()[:16]


class LinearCrisisClassifier:
    """``CrisisClassifier``: the probability that a message is a crisis, and its category."""

    def __init__(self, table: npt.NDArray[np.float32], bias: Floats, thresholds: Floats) -> None:
        self._table = table
        self._bias = bias
        self._threshold, self._uncertain_from = float(thresholds[0]), float(thresholds[1])

    @classmethod
    def load(cls, path: Path = SHIPPED_MODEL) -> LinearCrisisClassifier:
        """Read a file written by ``save_weights`` (no pickles are ever loaded)."""
        with np.load(path, allow_pickle=False) as data:
            try:
                spec, categories = str(data["spec"]), tuple(str(c) for c in data["categories"])
                index, weights = data["index"], data["weights"]
                bias, thresholds = data["bias"].astype(np.float64), data["thresholds"]
            except KeyError as error:
                raise ModelFileError(f"{path.name}: no {error.args[0]!r} array") from error
        if spec != features.SPEC or categories != CATEGORIES:
            raise ModelFileError(f"{path.name}: trained with {spec} / {categories}")
        table = np.zeros((features.DIMENSION, weights.shape[1]), dtype=np.float32)
        table[index] = weights
        table.setflags(write=False)
        return cls(table, bias, thresholds)

    def scores(self, text: str) -> Floats:
        """The raw logits: crisis first, then one per category (the parity tests read these)."""
        indices, values = features.features(text)
        if not indices:
            return self._bias.copy()
        rows = self._table[np.asarray(indices, dtype=np.intp)].astype(np.float64)
        logits: Floats = self._bias + np.asarray(values, dtype=np.float64) @ rows
        return logits

    def probability(self, text: str) -> float:
        """The probability that ``text`` is a crisis message."""
        return _sigmoid(float(self.scores(text)[0]))

    def assess(self, text: str) -> ClassifierVerdict:
        logits = self.scores(text)
        category = CrisisCategory(CATEGORIES[int(np.argmax(logits[1:]))])
        return ClassifierVerdict(
            probability=_sigmoid(float(logits[0])),
            category=category,
            threshold=self._threshold,
            uncertain_from=self._uncertain_from,
        )


def _sigmoid(logit: float) -> float:
    if logit >= 0:
        return 1.0 / (1.0 + math.exp(-logit))
    exp = math.exp(logit)
    return exp / (1.0 + exp)


@cache
def shipped_classifier() -> LinearCrisisClassifier:
    """The model shipped in the package, read once per process (it is read-only, so every
    app built in this process can share it)."""
    started = time.perf_counter()
    classifier = LinearCrisisClassifier.load()
    seconds = round(time.perf_counter() - started, 3)
    log.info("safety.classifier_loaded", seconds=seconds, model=SHIPPED_MODEL.name)
    return classifier
