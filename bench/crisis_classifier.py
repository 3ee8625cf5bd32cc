"""Learned crisis classifier cost: model size, load time, time per message (p50/p99).

    .venv/bin/python -m bench.crisis_classifier [--runs 2000]

Markdown out, for docs/benchmarks.md. Load time is a fresh ``LinearCrisisClassifier.load``
and a fresh sentence encoder (the app loads both once, off the event loop); the process's
resident memory is read before and after the encoder loads. Message timings are the n-gram
head alone and both heads (embedding included), wall and CPU time, on short
messages written here (not any labelled or held-out set), on 4,000 characters of prose and on
4,000 characters of crisis words and idioms. Accuracy lives in ``training/crisis/train.py``'s
cross-validated output, not here.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from collections.abc import Callable

import numpy as np

from innertalk.infrastructure.safety_model.classifier import (
    SHIPPED_MODEL,
    LinearCrisisClassifier,
    weights_digest,
)
from innertalk.infrastructure.safety_model.encoder import E5_DIMENSION, SentenceEncoder

SHORT = [
    "привет, как дела?",
    "I had a long day at work and I'm tired",
    "не хочу больше ничего, всё надоело",
    "this exam is killing me lol",
    "мне кажется, всем было бы проще без меня",
    "can we talk about my sister's wedding plans",
    "сегодня гуляла у реки, стало легче",
    "i keep thinking nobody would notice if i was gone",
]
PROSE = (
    "Сегодня был длинный день. Утром я долго не могла встать, потом опоздала на работу, и "
    "начальник снова был недоволен. Вечером гуляла в парке, стало немного легче. "
)
DENSE = "Я не хочу жить. Убил время на сериалы. I want to kill myself. This exam is killing me. "


def _percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.99) - 1)]


def _timed(
    score: Callable[[str], float], texts: list[str], runs: int
) -> tuple[list[float], float]:
    """Wall milliseconds per message, and the mean CPU milliseconds per message."""
    samples = []
    cpu = time.process_time()
    for run in range(runs):
        text = texts[run % len(texts)]
        started = time.perf_counter()
        score(text)
        samples.append((time.perf_counter() - started) * 1000)
    return samples, (time.process_time() - cpu) * 1000 / runs


def _first_only(use: np.ndarray) -> np.ndarray:
    """A whole-embedding vector with ``use`` and zeros for e5's part, so that timing it costs
    the first step alone (e5 is never run; a dot product with zeros costs nothing)."""
    return np.concatenate([use, np.zeros(E5_DIMENSION)])


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(runs: int) -> str:
    loads = []
    for _ in range(5):
        started = time.perf_counter()
        classifier = LinearCrisisClassifier.load(SHIPPED_MODEL)
        loads.append((time.perf_counter() - started) * 1000)
    size = SHIPPED_MODEL.stat().st_size
    digest = weights_digest(SHIPPED_MODEL)
    before = _rss_mib()
    started = time.perf_counter()
    encoder = SentenceEncoder.load()
    encoder_load = time.perf_counter() - started
    grown = _rss_mib() - before
    scorers: dict[str, Callable[[str], float]] = {
        "n-grams": classifier.probability,
        "first step (n-grams + USE)": lambda text: classifier.probability(
            text, _first_only(encoder.embed_use(text))
        ),
        "joint step (n-grams + USE + e5)": lambda text: classifier.probability(
            text, encoder.embed(text)
        ),
    }
    gated = sum(
        classifier.probability(text, _first_only(encoder.embed_use(text))) < classifier.gate
        for text in SHORT
    )
    rows = []
    for name, texts in (
        (f"short messages ({len(SHORT)}, cycled)", SHORT),
        ("4,000 chars of prose", [(PROSE * 30)[:4000]]),
        ("4,000 chars, all crisis/idiom", [(DENSE * 50)[:4000]]),
    ):
        for head, score in scorers.items():
            score(texts[0])  # warm the per-word cache as a running process would be
            samples, cpu = _timed(score, texts, runs if head == "n-grams" else runs // 4)
            p50, p99 = _percentiles(samples)
            rows.append(f"| {name} | {head} | {p50:.3f} | {p99:.3f} | {cpu:.3f} |")
    return "\n".join(
        [
            f"Model `{SHIPPED_MODEL.name}`: {size / 1024:.0f} KiB (weights sha256 {digest}); "
            f"load {statistics.median(loads):.0f} ms (median of 5 fresh loads). Sentence "
            f"encoders `{' + '.join(p.split(':')[0] for p in encoder.spec.split(' + '))}`: "
            f"load {encoder_load:.1f} s, peak RSS +{grown:.0f} MiB. The gate "
            f"({classifier.gate:.3f}) stops {gated} of the {len(SHORT)} short messages after "
            "the first step (no e5); the joint step's rows below run e5 on every message.",
            "",
            "| input | heads | p50 ms | p99 ms | CPU ms/msg |",
            "|---|---|---|---|---|",
            *rows,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    print(run(args.runs))


if __name__ == "__main__":
    main()
