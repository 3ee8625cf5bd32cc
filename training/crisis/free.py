"""The free-form messages: loaded with their author (source) and language.

Fourteen authors wrote for training (``free/``, see its README: Mira and Lev in both languages,
Tessa, Omar, Dan, Kai, Sam and Lucy in English, Lena, Gleb, Vera, Nina, Yana and Oleg in
Russian); eleven more sources are the **spent** sealed sets ``bench/heldout`` to
``bench/heldout11``: each was measured on frozen code (``heldout11`` retired unmeasured) and
then released as dev/training data (a newer blind set is the held-out measurement now). Their
lines are read as they are, checksums untouched. Crisis lines carry one of the issue's
warning-sign categories; ``CATEGORY`` maps each onto the model's five (``CrisisCategory``), so
the category head learns from them too.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.crisis_heldout import SETS

FREE = Path(__file__).with_name("free")
SPENT = Path(__file__).parents[2] / "bench"
"""The spent sealed sets, each a source of its own: ``<name>/crisis_<language>.jsonl``."""
WRITERS = (
    "mira",
    "lev",
    "tessa",
    "omar",
    "lena",
    "gleb",
    "dan",
    "vera",
    "kai",
    "nina",
    "sam",
    "yana",
    "lucy",
    "oleg",
)
SPENT_SETS = SETS[: SETS.index("heldout11") + 1]
"""The sealed sets measured and then released as training data, oldest first (the bench's
list: the newer ones are still held out, or were never trained on)."""
AUTHORS = (*WRITERS, *SPENT_SETS)
"""The free-form sources the dev evaluation holds out in turn."""
ALWAYS = ("taxonomy", "eve", "ned", "ira", "tim", "ada", "zoya", "rosa", "dina")
"""Sources only ever trained on: ``free/taxonomy_*`` (lines written from the warning-sign
taxonomy for the weakest categories, and short everyday fragments as hard negatives) and the
everyday messages of Eve, Ned, Ada and Rosa (en), Ira, Tim, Zoya and Dina (ru), all calm —
ordinary days, dates and deadlines, ordinary sadness, words that only sound final, short
fragments. Never held out: an all-calm
source in the out-of-author pool would lower the thresholds for easy lines, not hard ones."""
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


def _path(author: str, language: str, root: Path, spent: Path) -> Path:
    if author in SPENT_SETS:
        return spent / author / f"crisis_{language}.jsonl"
    return root / f"{author}_{language}.jsonl"


def load_free(root: Path = FREE, spent: Path = SPENT) -> list[dict[str, object]]:
    """Every line of every source and language, as the corpus's rows plus ``author`` (the
    source) and ``kind`` (the file's own category); each line is its own ``group``."""
    rows: list[dict[str, object]] = []
    for author in (*AUTHORS, *ALWAYS):
        for language in LANGUAGES:
            path = _path(author, language, root, spent)
            if not path.exists():  # an author who wrote in one language only
                continue
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
