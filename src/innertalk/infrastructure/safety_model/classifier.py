"""``LinearCrisisClassifier``: the learned crisis layer, read with numpy from a shipped file.

Heads trained by ``training/crisis/train.py`` with scikit-learn and written here with
``save_weights`` (the file format lives in one module; the app never needs scikit-learn):

- the n-gram head, logistic regressions over ``features`` (crisis or not; which category);
- the embedding heads over the sentence encoders' vectors (``encoder``), which carry meaning
  across words no n-gram saw: the **first**, a logistic regression over USE's 512 numbers
  alone (a few ms a message), the **joint** one over USE's and e5's 896 (tens of ms), with one
  hidden layer (ReLU units, ``JOINT_HIDDEN`` in training, then a logistic output): a linear
  head over the same vectors found about 4 points less recall at the same false alarms on
  the dev sets.

In two steps, so that e5's cost is paid only where it can matter: the first probability is the
average of the n-gram head and the first embedding head; below the file's ``gate`` the message
is calm on those two (with their ``first`` thresholds, the gate lies below their doubt band) and
e5 is never run; from the gate up, e5 embeds it and the probability is the average of the
n-gram head and the joint head, with the file's ``thresholds``. Without the encoder (not
installed, failed to load) the n-gram head decides alone with its ``fallback`` thresholds.
The category is always the n-gram head's. The file keeps only the feature rows that have a
weight (hashing leaves most of the 2^18 rows empty) and records the feature ``SPEC`` and the
encoders' spec it was trained with: a file with other features is refused, encoders with other
weights are refused (``EncoderMismatchError``).
Nothing is downloaded: the weights ship inside the package.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import structlog

from innertalk.application.safety import ClassifierVerdict
from innertalk.domain.safety import CrisisCategory
from innertalk.infrastructure.safety_model import features
from innertalk.infrastructure.safety_model.encoder import USE_DIMENSION, SentenceEncoder

log = structlog.get_logger(__name__)

SHIPPED_MODEL = Path(__file__).with_name("crisis_model.npz")
CATEGORIES = tuple(category.value for category in CrisisCategory)
"""The category head's rows, in this order."""

Floats = npt.NDArray[np.float64]


class ModelFileError(ValueError):
    """The model file is missing a part or was trained with different features."""


class EncoderMismatchError(ModelFileError):
    """The encoder at hand is not the one the embedding head was trained on."""


@dataclass(frozen=True, slots=True)
class LinearWeights:
    """What training hands over: one weight per feature for the crisis head, one row per
    category (``CATEGORIES`` order) for the category head, the first (USE) and joint (USE +
    e5) embedding heads with the encoder's spec, and the thresholds chosen for the n-gram and
    joint heads (``thresholds``), the n-gram and first heads (``first``, below ``gate``) and
    the n-gram head alone (``fallback``)."""

    binary: Floats
    binary_bias: float
    category: Floats
    category_bias: Floats
    embedding: Floats
    embedding_bias: float
    joint_hidden: Floats
    """The joint head's hidden layer: (896, units) weights."""
    joint_hidden_bias: Floats
    joint: Floats
    """The joint head's output weights, one per hidden unit."""
    joint_bias: float
    encoder: str
    thresholds: tuple[float, float]
    first: tuple[float, float]
    gate: float
    fallback: tuple[float, float]


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
        encoder=np.array(weights.encoder),
        embedding=np.append(weights.embedding, weights.embedding_bias),
        joint_hidden=np.asarray(weights.joint_hidden, dtype=np.float32),
        joint_hidden_bias=np.asarray(weights.joint_hidden_bias, dtype=np.float32),
        joint=np.append(weights.joint, weights.joint_bias),
        thresholds=np.array(weights.thresholds),
        first=np.array(weights.first),
        gate=np.array(weights.gate),
        fallback=np.array(weights.fallback),
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


@dataclass(frozen=True, slots=True)
class _Model:
    """The arrays of one model file, read-only."""

    table: npt.NDArray[np.float32]
    bias: Floats
    embedding: Floats
    joint_hidden: npt.NDArray[np.float32]
    joint_hidden_bias: npt.NDArray[np.float32]
    joint: Floats
    encoder: str
    thresholds: tuple[float, float]
    first: tuple[float, float]
    gate: float
    fallback: tuple[float, float]


def _read(path: Path) -> _Model:
    with np.load(path, allow_pickle=False) as data:
        try:
            spec, categories = str(data["spec"]), tuple(str(c) for c in data["categories"])
            index, weights = data["index"], data["weights"]
            model = _Model(
                table=np.zeros((features.DIMENSION, weights.shape[1]), dtype=np.float32),
                bias=data["bias"].astype(np.float64),
                embedding=data["embedding"].astype(np.float64),
                joint_hidden=data["joint_hidden"].astype(np.float32),
                joint_hidden_bias=data["joint_hidden_bias"].astype(np.float32),
                joint=data["joint"].astype(np.float64),
                encoder=str(data["encoder"]),
                thresholds=_pair(data["thresholds"]),
                first=_pair(data["first"]),
                gate=float(data["gate"]),
                fallback=_pair(data["fallback"]),
            )
        except KeyError as error:
            raise ModelFileError(f"{path.name}: no {error.args[0]!r} array") from error
    if spec != features.SPEC or categories != CATEGORIES:
        raise ModelFileError(f"{path.name}: trained with {spec} / {categories}")
    units = model.joint.shape[0] - 1
    if model.joint_hidden.shape[1:] != (units,) or model.joint_hidden_bias.shape != (units,):
        raise ModelFileError(f"{path.name}: the joint head's layers do not fit together")
    model.table[index] = weights
    model.table.setflags(write=False)
    return model


def _pair(values: npt.NDArray[np.float64]) -> tuple[float, float]:
    return float(values[0]), float(values[1])


class LinearCrisisClassifier:
    """``CrisisClassifier``: the probability that a message is a crisis, and its category."""

    def __init__(self, model: _Model, encoder: SentenceEncoder | None = None) -> None:
        if encoder is not None and encoder.spec != model.encoder:
            raise EncoderMismatchError(f"trained with {model.encoder}, given {encoder.spec}")
        self._model = model
        self._encoder = encoder

    @classmethod
    def load(
        cls, path: Path = SHIPPED_MODEL, encoder: SentenceEncoder | None = None
    ) -> LinearCrisisClassifier:
        """Read a file written by ``save_weights`` (no pickles are ever loaded)."""
        return cls(_read(path), encoder)

    @property
    def uses_encoder(self) -> bool:
        """Whether the embedding head takes part (else the n-gram head decides alone)."""
        return self._encoder is not None

    @property
    def encoder_spec(self) -> str:
        """The encoder the embedding head was trained on."""
        return self._model.encoder

    def scores(self, text: str) -> Floats:
        """The n-gram head's raw logits: crisis first, then one per category."""
        indices, values = features.features(text)
        if not indices:
            return self._model.bias.copy()
        rows = self._model.table[np.asarray(indices, dtype=np.intp)].astype(np.float64)
        logits: Floats = self._model.bias + np.asarray(values, dtype=np.float64) @ rows
        return logits

    def probability(self, text: str, vector: Floats | None = None) -> float:
        """The crisis probability as ``assess`` decides it, given the message's whole
        embedding ``vector`` (USE's then e5's numbers), else the n-gram head's alone."""
        logit = float(self.scores(text)[0])
        if vector is None:
            return _sigmoid(logit)
        first = self._first(logit, vector[:USE_DIMENSION])
        return first if first < self._model.gate else self._joint(logit, vector)

    def _first(self, ngram_logit: float, use: Floats) -> float:
        return _averaged(ngram_logit, self._model.embedding, use)

    def _joint(self, ngram_logit: float, vector: Floats) -> float:
        model = self._model
        hidden = np.maximum(vector @ model.joint_hidden + model.joint_hidden_bias, 0.0)
        return _averaged(ngram_logit, model.joint, hidden)

    @property
    def gate(self) -> float:
        """Below this first-step probability, e5 is not run (the message is calm)."""
        return self._model.gate

    def thresholds(self, *, embedded: bool, gated: bool = False) -> tuple[float, float]:
        """(threshold, uncertain_from) for the joint step (``embedded``), the first step
        (``embedded`` and ``gated``: stopped below the gate) or the n-gram head alone."""
        if not embedded:
            return self._model.fallback
        return self._model.first if gated else self._model.thresholds

    async def assess(self, text: str) -> ClassifierVerdict:
        logits = self.scores(text)  # features once
        logit = float(logits[0])
        probability, embedded, gated = _sigmoid(logit), False, False
        encoder = self._encoder
        use = None if encoder is None else await self._embed(encoder.embed_use, text)
        if use is not None:
            probability, embedded = self._first(logit, use), True
            gated = probability < self._model.gate
        if encoder is not None and use is not None and not gated:
            e5 = await self._embed(encoder.embed_e5, text)
            if e5 is None:  # e5 failed on this message: the first step decides
                gated = True
            else:
                probability = self._joint(logit, np.concatenate([use, e5]))
        threshold, uncertain_from = self.thresholds(embedded=embedded, gated=gated)
        return ClassifierVerdict(
            probability=probability,
            category=CrisisCategory(CATEGORIES[int(np.argmax(logits[1:]))]),
            threshold=threshold,
            uncertain_from=uncertain_from,
        )

    @staticmethod
    async def _embed(embed: Callable[[str], Floats], text: str) -> Floats | None:
        """An embedding computed in a worker thread; ``None`` if it fails (the step before
        decides)."""
        try:
            return await asyncio.to_thread(embed, text)
        except Exception as error:
            log.error("safety.encoder_failed", error=type(error).__name__)
            return None


def _averaged(ngram_logit: float, head: Floats, vector: Floats) -> float:
    """The n-gram head's probability averaged with an embedding head's (weights, then bias)."""
    return (_sigmoid(ngram_logit) + _sigmoid(float(vector @ head[:-1] + head[-1]))) / 2


def _sigmoid(logit: float) -> float:
    if logit >= 0:
        return 1.0 / (1.0 + math.exp(-logit))
    exp = math.exp(logit)
    return exp / (1.0 + exp)


@cache
def _shipped_model() -> _Model:
    return _read(SHIPPED_MODEL)


def shipped_classifier(encoder: SentenceEncoder | None = None) -> LinearCrisisClassifier:
    """The model shipped in the package (its file read once per process: it is read-only, so
    every app built in this process shares it), with ``encoder`` when it is the one the model
    was trained on; another encoder is refused with a warning and n-grams decide alone."""
    started = time.perf_counter()
    model = _shipped_model()
    try:
        classifier = LinearCrisisClassifier(model, encoder)
    except EncoderMismatchError:
        log.warning("safety.encoder_refused", trained_with=model.encoder.split(":")[0])
        classifier = LinearCrisisClassifier(model)
    seconds = round(time.perf_counter() - started, 3)
    log.info(
        "safety.classifier_loaded",
        seconds=seconds,
        model=SHIPPED_MODEL.name,
        encoder=classifier.uses_encoder,
    )
    return classifier
