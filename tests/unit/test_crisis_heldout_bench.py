"""The held-out measurement: honest intervals, and a sealed set that cannot change unseen."""

from __future__ import annotations

import pytest

from bench.crisis_heldout import ROOT, SETS, _sealed_files, wilson


def test_wilson_interval_matches_known_values() -> None:
    """95 % Wilson intervals for textbook cases (0/10, 5/10, 150/150)."""
    assert wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    low, high = wilson(150, 150)
    assert high == 1.0
    assert low == pytest.approx(0.9750, abs=1e-4)


@pytest.mark.parametrize("name", SETS)
def test_the_sealed_files_still_match_their_recorded_checksums(name: str) -> None:
    """Nobody edited a sealed set after it was written: both SHA-256 match its README."""
    assert set(_sealed_files(ROOT / "bench" / name)) == {"ru", "en"}


def test_lines_the_classifier_trained_on_are_known_to_the_measurement() -> None:
    """A template line, a writer's line and a spent set's line count as trained on, so the
    measurement can report the figures without them; an unseen sentence does not."""
    import json

    from bench.crisis_heldout import trained_on
    from training.crisis.build_corpus import CORPUS

    seen = trained_on()
    template = json.loads(CORPUS.read_text("utf-8").splitlines()[0])["text"]
    free = ROOT / "training" / "crisis" / "free" / "sam_en.jsonl"
    spent = ROOT / "bench" / "heldout9" / "crisis_ru.jsonl"
    for path in (free, spent):
        line = json.loads(path.read_text("utf-8").splitlines()[0])["text"]
        assert line.casefold() in seen
    assert template.casefold() in seen
    assert "a sentence no writer of this project ever wrote, 7f3a" not in seen
