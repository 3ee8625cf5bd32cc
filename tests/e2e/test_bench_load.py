"""The load benchmark's quick mode runs end to end (``python -m bench.load --quick``).

It checks the benchmark, not the bot's speed: every phase reports its figures, and every
message sent got exactly one reply from a bot process that stopped cleanly.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[2]
PHASES = {"ceiling", "rate", "crowd", "replay", "stored"}


@pytest.mark.timeout(300)  # past the run's own ceiling below, so that one ends it cleanly
def test_quick_load_run_reports_every_phase_and_one_reply_per_message(tmp_path: Path) -> None:
    """``bench.load --quick`` reports every phase, and every message got exactly one reply."""
    figures = tmp_path / "load.json"
    result = subprocess.run(
        [sys.executable, "-m", "bench.load", "--quick", "--json", str(figures)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,  # a ceiling: ~30 s idle, 75 s seen at a load average of 7
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "### Targets" in result.stdout
    raw = json.loads(figures.read_text())
    assert set(raw["phases"]) == PHASES
    for phase, windows in raw["phases"].items():
        for window in windows:
            assert window["messages"] > 0, (phase, window)
            assert window["answered"] == window["messages"], (phase, window)
            for name in ("per_second", "overhead_p50", "overhead_p99", "e2e_p99", "rss_mb"):
                assert math.isfinite(window[name]), (phase, name, window)
            assert window["overhead_p99"] >= window["overhead_p50"] >= 0
            assert 0 <= window["fsm_reads"] <= 1, (phase, window)  # at most once per person
    delivery = raw["delivery"]
    assert delivery["sent"] > 0
    assert delivery["answered_once"] == delivery["sent"]
    assert delivery["unanswered"] == delivery["duplicated"] == delivery["refused"] == 0
    assert delivery["other_messages"] == 0
    assert delivery["exit_codes"]
    assert set(delivery["exit_codes"]) == {0}
    assert delivery["error_lines"] == []
    assert delivery["moderation_calls"] > 0  # the third opinion is part of the measured cost
    assert delivery["opinion_failures"] == 0  # …and the fake answers it as OpenAI does
    replay = raw["phases"]["replay"]
    assert replay[0]["context_reads"] == pytest.approx(1.0)  # a miss: one context read
    assert replay[1]["context_reads"] == 0  # hits: none
    assert replay[1]["fsm_reads"] == 0  # screen state of people already seen: from the copy
