"""Crisis patterns compile on first use: start-up does not pay for all of them."""

from __future__ import annotations

import subprocess
import sys

from innertalk.domain.safety.detector import RULES, CrisisDetector

_PROBE = """
from innertalk.domain.safety import detect_crisis
from innertalk.domain.safety.rules import _compiled
detect_crisis("warm up the detector")
print(_compiled.cache_info().currsize)
detect_crisis("i want to kill myself")
print(_compiled.cache_info().currsize)
"""


def test_building_the_detector_compiles_no_pattern() -> None:
    """Importing and building the detector compiles nothing; a message compiles only its rules."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    before, after = map(int, result.stdout.split())
    assert before == 0
    assert 0 < after < len(RULES) // 4


def test_every_rule_compiles_and_is_reused() -> None:
    """Each rule's regexes are valid and the compiled pattern is the same object every time."""
    for rule in RULES:
        assert rule.pattern is rule.pattern, rule.id
        assert rule.pattern.pattern == rule.source
        for source, compiled in (
            (rule.before_source, rule.before),
            (rule.after_source, rule.after),
        ):
            assert (compiled is None) == (source is None), rule.id
            assert compiled is None or compiled.pattern == source


def test_a_fresh_detector_gives_the_same_signal_twice() -> None:
    """Lazily read pattern groups (whose crisis, intent) judge the first match like later ones."""
    detector = CrisisDetector()
    first, second = (detector.detect("i'm going to kill myself tonight") for _ in range(2))
    assert first == second
    assert first is not None
    assert first.severity.value == "high"
