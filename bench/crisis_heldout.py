"""Crisis detection on the SEALED held-out set: recall and false alarms with 95 % intervals.

    .venv/bin/python -m bench.crisis_heldout --set heldout|heldout2|...|heldout13 [--dry-run]

Run it only on frozen code (see bench/heldout/README.md): the set was written before the
detector was tuned and must never steer a rule, a training example or a threshold. The files'
SHA-256 are checked against that README before a line is read; a changed set is refused.

Two pipelines, both local (no provider is asked):
- rules: the deterministic detector alone (``detect_crisis``);
- rules + learned: ``SafetyService.examine`` with the shipped classifier and its sentence
  encoder, as the bot runs it.
"Word for word in the training data" counts the set's lines that an independent writer of
the training data happened to write too (short lines mostly); the figures without them are
given beside the others.
"uncertain" is the share of messages without a signal that the classifier puts in its doubt
band or whose doubtful rule signal it cleared: what the optional third opinion
(``SAFETY_OPINION``) would be asked about. The "rules" column counts every rule signal,
doubtful ones included (without a classifier their notice stands).
Per language and per held-out category; Wilson 95 % intervals.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from innertalk.application.safety import SafetyService
from innertalk.domain.safety import DEFAULT_HOTLINES, detect_crisis
from innertalk.domain.users import Language
from innertalk.infrastructure.safety_model.classifier import shipped_classifier
from innertalk.infrastructure.safety_model.encoder import try_load_encoder

ROOT = Path(__file__).parents[1]
SETS = (
    "heldout",
    "heldout2",
    "heldout3",
    "heldout4",
    "heldout5",
    "heldout6",
    "heldout7",
    "heldout8",
    "heldout9",
    "heldout10",
    "heldout11",
    "heldout12",
    "heldout13",
)
"""The sealed sets, oldest first: each is measured once per frozen detector, never tuned on
(``heldout11`` was retired unmeasured: its text was seen in a review; see its README)."""
DOC = ROOT / "docs" / "benchmarks.md"
HEADINGS = {
    "heldout": "## Crisis detection on the sealed held-out set (`bench/crisis_heldout.py`)",
    "heldout2": "## Crisis detection on the second sealed held-out set (`bench/heldout2`)",
    "heldout3": "## Crisis detection on the third sealed held-out set (`bench/heldout3`)",
    "heldout4": "## Crisis detection on the fourth sealed held-out set (`bench/heldout4`)",
    "heldout5": "## Crisis detection on the fifth sealed held-out set (`bench/heldout5`)",
    "heldout6": "## Crisis detection on the sixth sealed held-out set (`bench/heldout6`)",
    "heldout7": "## Crisis detection on the seventh sealed held-out set (`bench/heldout7`)",
    "heldout8": "## Crisis detection on the eighth sealed held-out set (`bench/heldout8`)",
    "heldout9": "## Crisis detection on the ninth sealed held-out set (`bench/heldout9`)",
    "heldout10": "## Crisis detection on the tenth sealed held-out set (`bench/heldout10`)",
    "heldout11": "## Crisis detection on the eleventh sealed held-out set (`bench/heldout11`)",
    "heldout12": "## Crisis detection on the twelfth sealed held-out set (`bench/heldout12`)",
    "heldout13": "## Crisis detection on the thirteenth sealed held-out set (`bench/heldout13`)",
}
Z = 1.959963984540054


def wilson(hits: int, total: int) -> tuple[float, float]:
    """The Wilson score interval (95 %) for ``hits`` out of ``total``."""
    if total == 0:
        return (0.0, 1.0)
    share = hits / total
    centre = share + Z * Z / (2 * total)
    spread = Z * math.sqrt(share * (1 - share) / total + Z * Z / (4 * total * total))
    scale = 1 + Z * Z / total
    return (max(0.0, (centre - spread) / scale), min(1.0, (centre + spread) / scale))


def _sealed_files(sealed: Path) -> dict[str, Path]:
    """The set's files by language, after checking each one's SHA-256 against the README."""
    readme = (sealed / "README.md").read_text("utf-8")
    files = {}
    for language in ("ru", "en"):
        path = sealed / f"crisis_{language}.jsonl"
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if not re.search(rf"{digest}\s+{path.name}", readme):
            raise SystemExit(
                f"{path.name}: its SHA-256 is not the sealed one; refusing to measure"
            )
        files[language] = path
    return files


def _cases(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _percent(hits: int, total: int) -> str:
    low, high = wilson(hits, total)
    share = hits / total if total else 0.0
    return f"{share:.1%} ({low:.1%}–{high:.1%}) · {hits}/{total}"


def _rows(
    cases: list[dict[str, object]], flagged: Callable[[str], bool]
) -> Iterable[tuple[str, str]]:
    """(group, figure): recall for positives, false alarms for negatives, then per category."""
    by_category: dict[tuple[int, str], list[bool]] = defaultdict(list)
    for case in cases:
        by_category[(int(case["label"]), str(case["category"]))].append(flagged(str(case["text"])))
    for label, name in ((1, "recall"), (0, "false alarms")):
        hits = [hit for (lab, _), found in by_category.items() if lab == label for hit in found]
        yield (f"**{name}**", _percent(sum(hits), len(hits)))
        for (lab, category), found in sorted(by_category.items()):
            if lab == label:
                yield (f"{name}: {category}", _percent(sum(found), len(found)))


async def run(sealed: Path) -> str:
    encoder = try_load_encoder()
    if encoder is None:
        raise SystemExit("the sentence encoder did not load: the bot would run degraded")
    service = SafetyService(directory=DEFAULT_HOTLINES, classifier=shipped_classifier(encoder))
    sections = []
    seen = trained_on()
    for language, path in _sealed_files(sealed).items():
        cases = _cases(path)
        lang = Language(language)
        layered = {str(c["text"]): await service.examine(str(c["text"]), lang) for c in cases}
        layered_hits = {text: s.notice is not None for text, s in layered.items()}
        rules = {str(c["text"]): detect_crisis(str(c["text"])) is not None for c in cases}
        lines = [f"### {language}\n", "| | rules | rules + learned |", "|---|---|---|"]
        pairs = zip(
            _rows(cases, rules.__getitem__),
            _rows(cases, layered_hits.__getitem__),
            strict=True,
        )
        lines += [f"| {group} | {a} | {b} |" for (group, a), (_, b) in pairs]
        quiet = [s for s in layered.values() if s.notice is None]
        doubt = sum(s.uncertain for s in quiet)
        lines.append(f"\nUncertain (would go to the third opinion): {_percent(doubt, len(quiet))}")
        calm = [layered[str(c["text"])] for c in cases if not int(c["label"])]
        alarms = [s.notice.signal for s in calm if s.notice is not None]
        other = sum(signal.about_other for signal in alarms)
        lines.append(
            f"\nOf the {len(alarms)} false alarms, {other} answer someone else's crisis (the "
            "worried-friend notice), not the writer's; without them: "
            f"{_percent(len(alarms) - other, len(calm))}"
        )
        cleared = [c for c in cases if layered[str(c["text"])].cleared is not None]
        crisis_cleared = sum(int(c["label"]) for c in cleared)
        lines.append(
            f"\nDoubtful rule signals the classifier cleared: {len(cleared)}, of them "
            f"{crisis_cleared} crisis lines (missed unless the third opinion saw them)"
        )
        fresh = [c for c in cases if str(c["text"]).casefold() not in seen]
        crisis = [layered_hits[str(c["text"])] for c in fresh if int(c["label"])]
        calm_hits = [layered_hits[str(c["text"])] for c in fresh if not int(c["label"])]
        lines.append(
            f"\nLines found word for word in the training data: {len(cases) - len(fresh)}; on "
            f"the other {len(fresh)}, rules + learned: recall {_percent(sum(crisis), len(crisis))}"
            f", false alarms {_percent(sum(calm_hits), len(calm_hits))}"
        )
        sections.append("\n".join(lines))
    return "\n\n".join(sections)


def trained_on() -> frozenset[str]:
    """Every text the shipped classifier was trained on, case-folded: the template corpus and
    every free-form source (independent writers sometimes write the same short line)."""
    from training.crisis.build_corpus import CORPUS
    from training.crisis.free import load_free

    rows = [json.loads(line) for line in CORPUS.read_text("utf-8").splitlines() if line.strip()]
    return frozenset(str(row["text"]).casefold() for row in [*rows, *load_free()])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dry-run", action="store_true", help="print, do not write the doc")
    parser.add_argument(
        "--set", choices=SETS, required=True, help="which sealed set (each is read once)"
    )
    args = parser.parse_args()
    body = asyncio.run(run(ROOT / "bench" / args.set))
    command = f".venv/bin/python -m bench.crisis_heldout --set {args.set}"
    heading = HEADINGS[args.set]
    section = (
        f"{heading}\n\nCommand: `{command}` — run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on "
        "frozen code. Share (Wilson 95 % interval) · count. Targets: recall ≥ 95 %, false "
        f"alarms ≤ 5 %.\n\n{body}\n"
    )
    if args.dry_run:
        print(section)
        return
    text = DOC.read_text("utf-8") if DOC.exists() else "# Benchmarks\n"
    if heading in text:
        before, _, after = text.partition(heading)
        rest = after.split("\n## ", 1)
        text = before + section + ("\n## " + rest[1] if len(rest) > 1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text, "utf-8")
    print(section)


if __name__ == "__main__":
    main()
