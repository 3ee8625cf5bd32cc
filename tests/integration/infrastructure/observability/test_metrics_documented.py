"""docs/operations.md lists every metric InnerTalk exports, and nothing it does not export."""

from __future__ import annotations

import re
from pathlib import Path

from prometheus_client import REGISTRY

import innertalk.infrastructure.observability.metrics  # noqa: F401 - registers every metric

OPERATIONS = Path(__file__).parents[4] / "docs" / "operations.md"


def _documented() -> set[str]:
    text = OPERATIONS.read_text(encoding="utf-8")
    section = text.split("\n## Metrics\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `innertalk_")]
    return {name for row in rows for name in re.findall(r"`(innertalk_\w+)`", row.split("|")[1])}


def _exported() -> set[str]:
    names = set()
    for family in REGISTRY.collect():
        if family.name.startswith("innertalk_"):
            names.add(f"{family.name}_total" if family.type == "counter" else family.name)
    return names


def test_every_exported_metric_is_documented_and_no_other() -> None:
    """Each metric defined in metrics.py has a row in the Metrics table, and each row names a
    real metric (so the table cannot drift from the code in either direction)."""
    assert _exported() - _documented() == set()
    assert _documented() - _exported() == set()
