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
import json
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

Heads = tuple[LogisticRegression, LogisticRegression, LogisticRegression]
"""The n-gram head, the first (USE) embedding head, the joint (USE + e5) one."""
GATE_KEEPS = 0.99
"""The share of the joint step's out-of-author alarms whose first step reaches the gate."""


@dataclass
class OutOfAuthor:
    """Per held-out author, the heads that never saw them; per free line, its probabilities."""

    heads: dict[str, Heads] = field(default_factory=dict)
    both: dict[int, float] = field(default_factory=dict)
    first: dict[int, float] = field(default_factory=dict)
    ngram: dict[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Thresholds:
    """(threshold, uncertain_from) for the n-gram head averaged with the joint head (``both``)
    or with the first one (``first``), and for the n-gram head alone; the ``gate``."""

    both: tuple[float, float]
    first: tuple[float, float]
    ngram: tuple[float, float]
    gate: float


def out_of_author(data: Data, authors: Sequence[str]) -> OutOfAuthor:
    """Fit on templates + every other author; score the held-out author's lines."""
    result = OutOfAuthor()
    for author in authors:
        test = data.author == author
        heads = data.fit(~test)
        ngram = heads[0].predict_proba(data.x[test])[:, 1]
        first = heads[1].predict_proba(data.use[test])[:, 1]
        joint = heads[2].predict_proba(data.embeddings[test])[:, 1]
        for row, p_ngram, p_first, p_joint in zip(
            np.flatnonzero(test), ngram, first, joint, strict=True
        ):
            result.ngram[int(row)] = float(p_ngram)
            result.first[int(row)] = float(p_ngram + p_first) / 2
            result.both[int(row)] = float(p_ngram + p_joint) / 2
        result.heads[author] = heads
    return result


def write_scores(data: Data, scores: OutOfAuthor, path: Path) -> None:
    """Per free line, as JSONL: its source, language, label and warning-sign kind, what the
    rules make of it (``none``, ``sure``, ``doubtful``, ``other``) and its out-of-author
    probability per step — no text, so the file can be shared to study thresholds."""
    with path.open("w", encoding="utf-8") as out:
        for row in sorted(scores.both):
            meta = data.rows[row]
            record = {
                "source": meta["author"],
                "language": meta["language"],
                "label": int(data.y[row]),
                "kind": meta.get("kind"),
                "rules": _verdict(detect_crisis(str(meta["text"]))),
                "both": round(scores.both[row], 5),
                "first": round(scores.first[row], 5),
                "ngram": round(scores.ngram[row], 5),
            }
            out.write(json.dumps(record) + "\n")


def _verdict(signal: CrisisSignal | None) -> str:
    """What the rules make of a line, in one word."""
    if signal is None:
        return "none"
    if signal.about_other:
        return "other"
    return "doubtful" if signal.doubtful else "sure"


def _pair(scores: dict[int, float], data: Data, false_alarms: float, doubt: float) -> tuple:
    calm = np.sort([p for row, p in scores.items() if data.y[row] == 0])[::-1]
    threshold = float(np.nextafter(calm[int(false_alarms * len(calm))], 1.0))
    uncertain_from = float(np.nextafter(calm[int((false_alarms + doubt) * len(calm))], 1.0))
    return threshold, min(uncertain_from, threshold)


def _raised(pair: tuple[float, float], calm: np.ndarray, rate: float) -> tuple[float, float]:
    """``pair`` with the threshold raised, if needed, so that at most ``rate`` of ``calm``
    (everyday messages) reach it."""
    ordered = np.sort(calm)[::-1]
    floor = float(np.nextafter(ordered[int(rate * len(ordered))], 1.0))
    threshold = max(pair[0], floor)
    return threshold, min(pair[1], threshold)


def choose(
    data: Data,
    scores: OutOfAuthor,
    false_alarms: float,
    doubt: float,
    everyday: dict[str, np.ndarray],
    everyday_false_alarms: float,
) -> Thresholds:
    """The lowest threshold whose out-of-author false alarms stay within ``false_alarms`` and
    that flags at most ``everyday_false_alarms`` of the everyday dev messages (``everyday``:
    their probabilities per step, from heads that never saw them); the band below it holds at
    most ``doubt`` of the calm messages."""
    steps = {"both": scores.both, "first": scores.first, "ngram": scores.ngram}
    pairs = {}
    for name, step in steps.items():
        hard = _pair(step, data, false_alarms, doubt)
        pairs[name] = _raised(hard, everyday[name], everyday_false_alarms)
        flagged = int((everyday[name] >= pairs[name][0]).sum())
        print(
            f"{name}: threshold {hard[0]:.3f} from the hard negatives, {pairs[name][0]:.3f} "
            f"with the everyday floor; everyday dev flagged {flagged}/{len(everyday[name])}"
        )
    both, first, ngram = pairs["both"], pairs["first"], pairs["ngram"]
    alarms = np.sort([scores.first[row] for row, p in scores.both.items() if p >= both[0]])
    gate = min(float(alarms[int((1 - GATE_KEEPS) * len(alarms))]), first[1])
    skipped = np.mean([p < gate for p in scores.first.values()])
    print(f"gate {gate:.3f}: e5 skipped on {skipped:.1%} of the out-of-author lines")
    rows = sorted(scores.both)
    for name, step in (("n-grams", scores.ngram), ("first", scores.first), ("joint", scores.both)):
        auc = roc_auc_score(data.y[rows], [step[row] for row in rows])
        print(f"out-of-author ROC AUC, {name} step: {auc:.4f}")
    return Thresholds(both=both, first=first, ngram=ngram, gate=gate)


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
        ngram, _, joint = data.fit(mask)
        scores[test] = (
            ngram.predict_proba(data.x[test])[:, 1]
            + joint.predict_proba(data.embeddings[test])[:, 1]
        ) / 2
    calm = np.sort(scores[data.y == 0])[::-1]
    threshold = calm[int(0.05 * len(calm))]
    recall = float((scores[data.y == 1] > threshold).mean())
    print(
        f"group CV (templates held out; in-corpus, not held-out): ROC AUC "
        f"{roc_auc_score(data.y, scores):.4f}; recall {recall:.1%} at 5 % false alarms (C={c})"
    )
