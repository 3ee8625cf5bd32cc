"""The free-form messages (``free/``, see its README): loaded with their author and language.

Crisis lines carry one of the issue's warning-sign categories; ``CATEGORY`` maps each onto the
model's five (``CrisisCategory``), so the category head learns from them too.
"""

from __future__ import annotations

import json
from pathlib import Path

FREE = Path(__file__).with_name("free")
AUTHORS = ("mira", "lev")
LANGUAGES = ("ru", "en")
CATEGORY = {
    "direct_intent": "suicidal_ideation",
    "wish_dead": "suicidal_ideation",
    "plan_means_place": "suicidal_ideation",
    "timeline_finality": "suicidal_ideation",
    "preparations_goodbyes": "suicidal_ideation",
    "hopelessness_ending": "suicidal_ideation",
    "burden": "suicidal_ideation",
    "euphemism_slang": "suicidal_ideation",
    "self_harm_now": "self_harm",
    "harm_others": "harm_to_others",
    "abuse_disclosure": "abuse",
    "acute_danger_other": "acute_danger",
}


def load_free(root: Path = FREE) -> list[dict[str, object]]:
    """Every line of every author and language, as the corpus's rows plus ``author`` and
    ``kind`` (the file's own category); each line is its own ``group``."""
    rows: list[dict[str, object]] = []
    for author in AUTHORS:
        for language in LANGUAGES:
            path = root / f"{author}_{language}.jsonl"
            for number, line in enumerate(path.read_text("utf-8").splitlines()):
                if not line.strip():
                    continue
                row = json.loads(line)
                kind = str(row["category"])
                rows.append(
                    {
                        "text": str(row["text"]),
                        "language": language,
                        "label": int(row["label"]),
                        "category": CATEGORY.get(kind, kind) if row["label"] else kind,
                        "group": f"free.{author}.{language}#{number}",
                        "author": author,
                        "kind": kind,
                    }
                )
    return rows
