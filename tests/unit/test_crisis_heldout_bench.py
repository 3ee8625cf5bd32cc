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
