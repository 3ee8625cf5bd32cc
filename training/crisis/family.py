"""A paraphrase family: templates of one kind, filled from a language's slot pieces."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Family:
    """``category`` is a crisis category for positives (``label`` 1) or a negative kind.

    A ``frame`` family's templates are mostly slots (a subject, a verb phrase, a time): its
    lines are grouped for cross-validation by template and first slot value, not template
    alone, since one frame covers many unrelated sentences."""

    name: str
    category: str
    label: int
    templates: list[str]
    frame: bool = False
