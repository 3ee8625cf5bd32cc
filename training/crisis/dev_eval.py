"""Dev evaluation of the crisis layer across authors: how it does on words nobody wrote for it.

Each author's free-form messages are scored by heads trained on the template corpus and the
other author only (``out_of_author``); the thresholds are chosen on those scores (``choose``),
and the pipeline is then measured as the bot runs it — ``SafetyService.examine``, rules first,
the learned layer when they found nothing — per held-out author and language (``report``).
The category head is trained on every line: the category never decides whether a signal is
raised. Everything here is dev: the thresholds were chosen on these very scores, so the figures
are slightly optimistic; the sealed sets (bench/heldout*) are the only held-out measurement.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold

from bench.crisis_heldout import wilson
from innertalk.application.safety import SafetyService
from innertalk.domain.safety import DEFAULT_HOTLINES, CrisisSignal, detect_crisis
from innertalk.domain.users import Language
from innertalk.infrastructure.safety_model.classifier import (
    LinearCrisisClassifier,
    LinearWeights,
    save_weights,
)

if TYPE_CHECKING:
    from training.crisis.embeddings import CachedEncoder
    from training.crisis.train import Data

Heads = tuple[LogisticRegression, LogisticRegression]


@dataclass
class OutOfAuthor:
    """Per held-out author, the heads that never saw them; per free line, its probabilities."""

    heads: dict[str, Heads] = field(default_factory=dict)
    both: dict[int, float] = field(default_factory=dict)
    ngram: dict[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Thresholds:
    """(threshold, uncertain_from) for both heads averaged and for the n-gram head alone."""

    both: tuple[float, float]
    ngram: tuple[float, float]


def out_of_author(data: Data, authors: Sequence[str]) -> OutOfAuthor:
    """Fit on templates + every other author; score the held-out author's lines."""
    result = OutOfAuthor()
    for author in authors:
        test = data.author == author
        heads = data.fit(~test)
        ngram = heads[0].predict_proba(data.x[test])[:, 1]
        embedding = heads[1].predict_proba(data.embeddings[test])[:, 1]
        for row, p_ngram, p_embedding in zip(np.flatnonzero(test), ngram, embedding, strict=True):
            result.ngram[int(row)] = float(p_ngram)
            result.both[int(row)] = float(p_ngram + p_embedding) / 2
        result.heads[author] = heads
    return result


def _pair(scores: dict[int, float], data: Data, false_alarms: float, doubt: float) -> tuple:
    calm = np.sort([p for row, p in scores.items() if data.y[row] == 0])[::-1]
    threshold = float(np.nextafter(calm[int(false_alarms * len(calm))], 1.0))
    uncertain_from = float(np.nextafter(calm[int((false_alarms + doubt) * len(calm))], 1.0))
    return threshold, min(uncertain_from, threshold)


def choose(data: Data, scores: OutOfAuthor, false_alarms: float, doubt: float) -> Thresholds:
    """The lowest threshold whose out-of-author false alarms stay within ``false_alarms``; the
    band below it holds at most ``doubt`` of the calm messages."""
    return Thresholds(
        both=_pair(scores.both, data, false_alarms, doubt),
        ngram=_pair(scores.ngram, data, false_alarms, doubt),
    )


def _share(hits: int, total: int) -> str:
    low, high = wilson(hits, total)
    return f"{hits / total:.1%} ({low:.0%}–{high:.0%}) {hits}/{total}" if total else "–"


async def _judge(service: SafetyService | None, rows: list[dict[str, object]]) -> list[Judged]:
    """Per row: flagged, and (when not flagged) in the classifier's doubt band."""
    judged = []
    for row in rows:
        text, language = str(row["text"]), Language(str(row["language"]))
        if service is None:
            signal = detect_crisis(text)
            judged.append(Judged(row, signal is not None, False, signal))
            continue
        screening = await service.examine(text, language)
        notice = screening.notice
        signal = None if notice is None else notice.signal
        judged.append(Judged(row, notice is not None, screening.uncertain, signal))
    return judged


@dataclass(frozen=True)
class Judged:
    row: dict[str, object]
    flagged: bool
    doubt: bool
    signal: CrisisSignal | None = None

    @property
    def crisis(self) -> bool:
        return bool(int(str(self.row["label"])))


def _figures(judged: list[Judged]) -> list[str]:
    """Recall, false alarms and the calm share in the doubt band."""
    crisis = [j.flagged for j in judged if j.crisis]
    calm = [j.flagged for j in judged if not j.crisis]
    quiet = [j.doubt for j in judged if not j.crisis and not j.flagged]
    return [
        _share(sum(crisis), len(crisis)),
        _share(sum(calm), len(calm)),
        _share(sum(quiet), len(quiet)),
    ]


def report(
    data: Data, weights: dict[str, LinearWeights], encoder: CachedEncoder, chosen: Thresholds
) -> None:
    """Print the cross-source dev table (rules alone, rules + n-grams, rules + both heads),
    the pooled figures per language, and the full pipeline per language and category."""
    print(f"thresholds (both heads) {chosen.both}; n-grams alone {chosen.ngram}")
    print("| held-out source, language | pipeline | recall | false alarms | calm in doubt band |")
    print("|---|---|---|---|---|")
    pooled: dict[tuple[str, str], list[Judged]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as folder:
        for author, author_weights in weights.items():
            path = Path(folder) / f"without_{author}.npz"
            save_weights(author_weights, path)
            pipelines: dict[str, SafetyService | None] = {
                "rules": None,
                "rules + n-grams": _service(LinearCrisisClassifier.load(path)),
                "rules + n-grams + encoder": _service(
                    LinearCrisisClassifier.load(path, encoder)  # type: ignore[arg-type]
                ),
            }
            for language in ("ru", "en"):
                rows = [
                    row
                    for row in data.rows
                    if row.get("author") == author and row["language"] == language
                ]
                for name, service in pipelines.items():
                    judged = asyncio.run(_judge(service, rows))
                    pooled[(language, name)].extend(judged)
                    figures = _figures(judged)
                    print(f"| {author} {language} | {name} | " + " | ".join(figures) + " |")
    _pooled(pooled)


def _pooled(pooled: dict[tuple[str, str], list[Judged]]) -> None:
    print("\n| language | pipeline (every source held out in turn) | recall | false alarms |")
    print("|---|---|---|---|")
    for (language, name), judged in pooled.items():
        print(f"| {language} | {name} | " + " | ".join(_figures(judged)[:2]) + " |")
    print("\nFalse alarms of rules + both heads that are doubtful rule signals (a configured")
    print("opinion decides) or someone else's crisis (the worried-friend notice):")
    for language in ("ru", "en"):
        alarms = [
            j.signal
            for j in pooled[(language, "rules + n-grams + encoder")]
            if not j.crisis and j.signal is not None
        ]
        doubtful = sum(signal.doubtful for signal in alarms)
        other = sum(signal.about_other for signal in alarms)
        print(f"- {language}: {len(alarms)} false alarms, {doubtful} doubtful, {other} another's")
    print("\n| language | category | rules + both heads: flagged |")
    print("|---|---|---|")
    for language in ("ru", "en"):
        by_kind: dict[tuple[bool, str], list[bool]] = defaultdict(list)
        for j in pooled[(language, "rules + n-grams + encoder")]:
            by_kind[(j.crisis, str(j.row["kind"]))].append(j.flagged)
        for (crisis, kind), flags in sorted(by_kind.items(), key=lambda item: not item[0][0]):
            label = kind if crisis else f"{kind} (calm)"
            print(f"| {language} | {label} | {_share(sum(flags), len(flags))} |")


def _service(classifier: LinearCrisisClassifier) -> SafetyService:
    return SafetyService(directory=DEFAULT_HOTLINES, classifier=classifier)


def group_cv(data: Data, c: float) -> None:
    """Five folds holding out whole templates (each free line its own group): in-corpus."""
    folds = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=20261126)
    scores = np.zeros(len(data.y))
    for train, test in folds.split(data.x, data.y, data.groups):
        mask = np.zeros(len(data.y), bool)
        mask[train] = True
        ngram, embedding = data.fit(mask)
        scores[test] = (
            ngram.predict_proba(data.x[test])[:, 1]
            + embedding.predict_proba(data.embeddings[test])[:, 1]
        ) / 2
    calm = np.sort(scores[data.y == 0])[::-1]
    threshold = calm[int(0.05 * len(calm))]
    recall = float((scores[data.y == 1] > threshold).mean())
    print(
        f"group CV (templates held out; in-corpus, not held-out): ROC AUC "
        f"{roc_auc_score(data.y, scores):.4f}; recall {recall:.1%} at 5 % false alarms (C={c})"
    )
