"""Crisis detector speed and accuracy: one command, Markdown out, results in docs/benchmarks.md.

    .venv/bin/python -m bench.crisis_detector [--runs 2000] [--dry-run]

Speed: per-message screening time (p50/p99) for short messages, 4,000 characters of ordinary
prose and a worst case where every sentence is a crisis phrase or an idiom. Accuracy: recall
and false-alarm rate on tests/data/crisis_labelled.jsonl (in-sample: see the test module), and
per warning sign on tests/data/crisis_taxonomy_dev.jsonl (the taxonomy's development set, also
in-sample: see tests/unit/domain/safety/test_crisis_taxonomy.py).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from innertalk.domain.safety import detect_crisis

ROOT = Path(__file__).parents[1]
LABELLED = ROOT / "tests" / "data" / "crisis_labelled.jsonl"
TAXONOMY = ROOT / "tests" / "data" / "crisis_taxonomy_dev.jsonl"
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## Crisis detector (`bench/crisis_detector.py`)"

PROSE = (
    "Сегодня был длинный день. Утром я долго не могла встать, потом опоздала на работу, и "
    "начальник снова был недоволен. Вечером гуляла в парке, стало немного легче. "
)
DENSE = "Я не хочу жить. Убил время на сериалы. I want to kill myself. This exam is killing me. "


def _cases(path: Path = LABELLED) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _caught(case: dict[str, object]) -> bool:
    signal = detect_crisis(str(case["text"]))
    if not case.get("category"):
        return signal is not None
    return signal is not None and str(case["category"]) in signal.categories


def taxonomy() -> str:
    """Recall and false alarms per warning sign and language on the taxonomy dev set."""
    found: Counter[tuple[str, str, bool]] = Counter()
    total: Counter[tuple[str, str, bool]] = Counter()
    for case in _cases(TAXONOMY):
        key = (str(case["sign"]), str(case["language"]), bool(case.get("category")))
        total[key] += 1
        found[key] += _caught(case)
    rows = [
        f"| {sign} | {lang} | {found[sign, lang, True]}/{total[sign, lang, True]} "
        f"| {found[sign, lang, False]}/{total[sign, lang, False]} |"
        for sign, lang, positive in sorted(total)
        if positive
    ]
    caught = sum(n for (_, _, positive), n in found.items() if positive)
    positives = sum(n for (_, _, positive), n in total.items() if positive)
    alarms = sum(n for (_, _, positive), n in found.items() if not positive)
    negatives = sum(n for (_, _, positive), n in total.items() if not positive)
    return "\n".join(
        [
            "| warning sign | lang | recall | false alarms |",
            "|---|---|---|---|",
            *rows,
            "",
            f"Taxonomy dev set (in-sample): recall {caught}/{positives} "
            f"({caught / positives:.1%}), false alarms {alarms}/{negatives} "
            f"({alarms / negatives:.1%}).",
        ]
    )


def _timings(text: str, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        detect_crisis(text)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def run(runs: int) -> str:
    short = [str(case["text"]) for case in _cases()]
    rows = []
    started = time.perf_counter()
    for text in short:
        detect_crisis(text)
    per_short = (time.perf_counter() - started) * 1000 / len(short)
    rows.append(f"| labelled messages (mean of {len(short)}) | {per_short:.3f} | — |")
    for name, text in (("4,000 chars of prose", PROSE), ("4,000 chars, all crisis/idiom", DENSE)):
        long = (text * (4000 // len(text) + 1))[:4000]
        p50, p99 = _timings(long, runs)
        rows.append(f"| {name} | {p50:.3f} | {p99:.3f} |")
    cases = _cases()
    positives = [c for c in cases if c.get("category")]
    negatives = [c for c in cases if not c.get("category")]
    found = sum(detect_crisis(str(c["text"])) is not None for c in positives)
    alarms = sum(detect_crisis(str(c["text"])) is not None for c in negatives)
    return "\n".join(
        [
            "| input | p50 ms | p99 ms |",
            "|---|---|---|",
            *rows,
            "",
            f"Labelled set (in-sample): recall {found}/{len(positives)} "
            f"({found / len(positives):.1%}), false alarms {alarms}/{len(negatives)} "
            f"({alarms / len(negatives):.1%}).",
            "",
            taxonomy(),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    table = run(args.runs)
    print(table)
    if args.dry_run:
        return
    command = f".venv/bin/python -m bench.crisis_detector --runs {args.runs}"
    section = (
        f"{HEADING}\n\nCommand: `{command}` — run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.\n\n"
        f"{table}\n"
    )
    text = DOC.read_text("utf-8") if DOC.exists() else "# Benchmarks\n"
    if HEADING in text:
        before, _, after = text.partition(HEADING)
        rest = after.split("\n## ", 1)
        text = before + section + (f"\n## {rest[1]}" if len(rest) > 1 else "")
    else:
        text = text.rstrip() + "\n\n" + section
    DOC.write_text(text, "utf-8")


if __name__ == "__main__":
    main()
