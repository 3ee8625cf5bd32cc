"""The crisis training inputs: every source is read, none leaks into another, and the
embedding cache encodes each line once per encoder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import numpy.typing as npt

from training.crisis.embeddings import embed_cached
from training.crisis.free import ALWAYS, AUTHORS, SPENT_SETS, load_free


class CountingEncoder:
    """Stands in for the sentence encoder: a vector per text from its length, and a count of
    the lines it was asked to encode."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self.encoded: list[str] = []

    def embed_many(self, texts: list[str]) -> npt.NDArray[np.float32]:
        self.encoded.extend(texts)
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)


def test_every_source_is_loaded_with_its_author_and_own_group() -> None:
    """Both writers, both spent sealed sets and the taxonomy lines are read, each line its
    own group, crisis lines mapped onto the model's categories."""
    rows = load_free()
    assert {str(row["author"]) for row in rows} == {*AUTHORS, *ALWAYS}
    assert set(SPENT_SETS) <= set(AUTHORS)  # held out in turn by the dev evaluation
    assert len({str(row["group"]) for row in rows}) == len(rows)
    models = {"suicidal_ideation", "self_harm", "harm_to_others", "abuse", "acute_danger"}
    assert {str(row["category"]) for row in rows if row["label"] == 1} <= models


def test_taxonomy_lines_copy_no_evaluation_line() -> None:
    """The lines written for training share no text with the spent sets or other sources."""
    rows = load_free()
    taxonomy = {str(r["text"]).casefold() for r in rows if r["author"] in ALWAYS}
    others = {str(r["text"]).casefold() for r in rows if r["author"] not in ALWAYS}
    assert taxonomy
    assert not taxonomy & others


def test_the_embedding_cache_encodes_each_line_once_per_encoder(tmp_path: Path) -> None:
    """A second run encodes only new lines; another encoder spec never reuses the vectors."""
    first = CountingEncoder("enc==1")
    vectors = embed_cached(first, ["a", "bb", "a"], tmp_path)  # type: ignore[arg-type]
    assert sorted(first.encoded) == ["a", "bb"]
    np.testing.assert_array_equal(vectors[:, 0], [1, 2, 1])
    again = CountingEncoder("enc==1")
    vectors = embed_cached(again, ["bb", "ccc", "a"], tmp_path)  # type: ignore[arg-type]
    assert again.encoded == ["ccc"]
    np.testing.assert_array_equal(vectors[:, 0], [2, 3, 1])
    other = CountingEncoder("enc==2")
    embed_cached(other, ["a"], tmp_path)  # type: ignore[arg-type]
    assert other.encoded == ["a"]


def test_spent_sets_are_read_in_place_unedited() -> None:
    """The spent sets are loaded line for line from bench/ (their checksums stay valid)."""
    rows = [r for r in load_free() if r["author"] == "heldout2" and r["language"] == "en"]
    path = Path(__file__).parents[2] / "bench" / "heldout2" / "crisis_en.jsonl"
    lines = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    assert [r["text"] for r in rows] == [line["text"] for line in lines]


def test_everyday_dev_lines_are_calm_and_never_trained_on() -> None:
    """The everyday dev messages that floor the thresholds are all calm, in both languages,
    and none of them (longer than a fragment) is a training line."""
    from training.crisis.build_corpus import CORPUS
    from training.crisis.train import EVERYDAY, load

    everyday = [row for path in sorted(EVERYDAY.glob("*.jsonl")) for row in load(path)]
    assert len(everyday) >= 1000
    assert {int(str(row["label"])) for row in everyday} == {0}
    assert {path.stem.rsplit("_", 1)[1] for path in EVERYDAY.glob("*.jsonl")} == {"ru", "en"}
    trained = {str(row["text"]).casefold() for row in [*load_free(), *load(CORPUS)]}
    sentences = {
        str(row["text"]).casefold() for row in everyday if len(str(row["text"]).split()) > 3
    }
    assert not sentences & trained


def test_out_of_author_scores_are_written_per_line_without_text(tmp_path: Path) -> None:
    """The score dump names each line's source, label and rule verdict and its scores, and
    never the line itself."""
    from types import SimpleNamespace

    from training.crisis.dev_eval import OutOfAuthor, write_scores

    rows = [
        {"text": "i want to kill myself tonight", "author": "a", "language": "en", "kind": "x"},
        {"text": "bought bread and milk", "author": "b", "language": "en", "kind": "everyday"},
    ]
    data = SimpleNamespace(rows=rows, y=np.array([1, 0]))
    scores = OutOfAuthor(both={0: 0.9, 1: 0.1}, first={0: 0.8, 1: 0.2}, ngram={0: 0.7, 1: 0.3})
    path = tmp_path / "scores.jsonl"
    write_scores(data, scores, path)  # type: ignore[arg-type]
    written = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert [(r["source"], r["label"], r["rules"]) for r in written] == [
        ("a", 1, "sure"),
        ("b", 0, "none"),
    ]
    assert written[0]["both"] == 0.9
    assert "kill" not in path.read_text("utf-8")
