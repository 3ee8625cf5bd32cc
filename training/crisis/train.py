"""Train the crisis classifier on training/crisis/corpus.jsonl and ship it in the package.

    .venv/bin/python -m training.crisis.build_corpus   # the corpus (deterministic)
    .venv/bin/python -m training.crisis.train          # cross-validate, fit, write the model

Two logistic regressions over the shared hashed features (``safety_model/features.py``): crisis
or not on every line, and the category on the crisis lines. Cross-validation holds out whole
templates (``group``), five folds, so a score is never earned on a paraphrase of a training
line; its out-of-fold probabilities choose the thresholds written into the model:
``threshold`` is the lowest whose false alarms stay within ``--false-alarms`` (a signal from
the model shows hotlines, so its false alarms are what a person pays), ``uncertain_from`` the
highest at which recall is at least ``--recall`` (the band between them is "uncertain", for a
later check to settle). A random 5-fold split is printed too, as the paraphrase-leaky upper
bound. Every figure printed is cross-validated on this corpus (in-sample), not held-out.
scikit-learn is needed here only; the app reads the weights with numpy.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

from innertalk.infrastructure.safety_model import features
from innertalk.infrastructure.safety_model.classifier import (
    CATEGORIES,
    SHIPPED_MODEL,
    LinearWeights,
    save_weights,
    weights_digest,
)
from training.crisis.build_corpus import CORPUS

SEED = 20261126
C = 30.0


def load(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def matrix(texts: list[str]) -> csr_matrix:
    """The rows ``features.features`` gives, as the sparse matrix scikit-learn takes."""
    data: list[float] = []
    indices: list[int] = []
    indptr = [0]
    for text in texts:
        cols, values = features.features(text)
        indices.extend(cols)
        data.extend(values)
        indptr.append(len(indices))
    return csr_matrix((data, indices, indptr), shape=(len(texts), features.DIMENSION))


def binary_model() -> LogisticRegression:
    return LogisticRegression(
        C=C, class_weight="balanced", solver="liblinear", max_iter=2000, random_state=SEED
    )


def category_model() -> LogisticRegression:
    return LogisticRegression(C=C, class_weight="balanced", max_iter=2000)


def out_of_fold(x: csr_matrix, y: np.ndarray, groups: np.ndarray | None) -> np.ndarray:
    """Each line's crisis probability from a model that never saw its template (``groups``)
    or, without groups, never saw that line."""
    if groups is None:
        splits = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED).split(x, y)
    else:
        folds = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=SEED)
        splits = folds.split(x, y, groups)
    scores = np.zeros(len(y))
    for train, test in splits:
        scores[test] = binary_model().fit(x[train], y[train]).predict_proba(x[test])[:, 1]
    return scores


def category_accuracy(x: csr_matrix, labels: np.ndarray, groups: np.ndarray) -> float:
    folds = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=SEED)
    right = 0
    for train, test in folds.split(x, labels, groups):
        model = category_model().fit(x[train], labels[train])
        right += int((model.predict(x[test]) == labels[test]).sum())
    return right / len(labels)


def threshold_within(scores: np.ndarray, y: np.ndarray, false_alarms: float) -> float:
    """The lowest threshold flagging at most ``false_alarms`` of the calm lines."""
    negatives = np.sort(scores[y == 0])[::-1]
    return float(np.nextafter(negatives[int(false_alarms * len(negatives))], 1.0))


def threshold_for(scores: np.ndarray, y: np.ndarray, recall: float) -> float:
    """The highest threshold whose recall on the crisis lines is at least ``recall``."""
    positives = np.sort(scores[y == 1])[::-1]
    return float(positives[int(np.ceil(recall * len(positives))) - 1])


def rates(scores: np.ndarray, y: np.ndarray, threshold: float) -> tuple[float, float]:
    flagged = scores >= threshold
    return float(flagged[y == 1].mean()), float(flagged[y == 0].mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--out", type=Path, default=SHIPPED_MODEL)
    parser.add_argument("--false-alarms", type=float, default=0.05)
    parser.add_argument("--recall", type=float, default=0.95)
    args = parser.parse_args()

    rows = load(args.corpus)
    x = matrix([str(row["text"]) for row in rows])
    y = np.array([int(str(row["label"])) for row in rows])
    groups = np.array([str(row["group"]) for row in rows])
    category = np.array([str(row["category"]) for row in rows])
    languages = np.array([str(row["language"]) for row in rows])

    scores = out_of_fold(x, y, groups)
    threshold = threshold_within(scores, y, args.false_alarms)
    uncertain_from = min(threshold_for(scores, y, args.recall), threshold)
    crisis = y == 1
    accuracy = category_accuracy(x[crisis], category[crisis], groups[crisis])

    print(f"corpus: {len(y)} lines, {int(crisis.sum())} crisis ({args.corpus.name})")
    print("cross-validated (5 folds, templates held out; in-sample corpus, not held-out):")
    print(f"  ROC AUC {roc_auc_score(y, scores):.4f}; category accuracy {accuracy:.1%}")
    for name, value in (("threshold", threshold), ("uncertain_from", uncertain_from)):
        recall, false_alarms = rates(scores, y, value)
        print(f"  {name} {value:.3f}: recall {recall:.1%}, false alarms {false_alarms:.1%}")
    for language in ("en", "ru"):
        mine = languages == language
        recall, false_alarms = rates(scores[mine], y[mine], threshold)
        print(f"  {language}: recall {recall:.1%}, false alarms {false_alarms:.1%}")
    for kind in sorted(set(category)):
        mine = category == kind
        share = (scores[mine] >= threshold).mean()
        print(f"  {'recall' if y[mine][0] else 'false alarms'} on {kind}: {share:.1%}")
    leaky = out_of_fold(x, y, None)
    recall, false_alarms = rates(leaky, y, threshold)
    print("random 5-fold split (paraphrases of test lines in training: an upper bound):")
    print(
        f"  ROC AUC {roc_auc_score(y, leaky):.4f}; at threshold {threshold:.3f}: recall "
        f"{recall:.1%}, false alarms {false_alarms:.1%}"
    )

    binary = binary_model().fit(x, y)
    categories = category_model().fit(x[crisis], category[crisis])
    order = [list(categories.classes_).index(name) for name in CATEGORIES]
    weights = LinearWeights(
        binary=binary.coef_[0],
        binary_bias=float(binary.intercept_[0]),
        category=categories.coef_[order],
        category_bias=categories.intercept_[order],
        threshold=threshold,
        uncertain_from=uncertain_from,
    )
    save_weights(weights, args.out)
    size = args.out.stat().st_size / 1024
    print(f"model: {args.out} ({size:.0f} KiB, weights sha256 {weights_digest(args.out)})")


if __name__ == "__main__":
    main()
