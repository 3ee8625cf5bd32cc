"""The crisis classifier's shared feature extraction: normalization, hashing, weighting."""

from __future__ import annotations

import math

from innertalk.infrastructure.safety_model import features


def test_normalization_folds_case_yo_punctuation_emoji_and_stretched_letters() -> None:
    """Surface noise that carries no meaning yields the same words."""
    assert features.normalize("Всё, ХВАТИТ!!! 😭 soooo   tired...") == [
        "все",
        "хватит",
        "soo",
        "tired",
    ]
    assert features.normalize("i'm_done") == ["i", "m", "done"]


def test_hashing_is_stable_across_processes() -> None:
    """CRC-32 indices, not ``hash``: a feature's index is fixed, so shipped weights line up."""
    indices, _ = features.features("kill")
    assert 137313 in indices  # crc32("w|kill") & (2**18 - 1), computed once by hand
    assert all(0 <= index < features.DIMENSION for index in indices)


def test_vectors_are_l2_normalized_and_sorted() -> None:
    """Long and short messages weigh alike; indices come sorted and unique."""
    for text in ("hi", "я больше не хочу жить, правда " * 20):
        indices, values = features.features(text)
        assert indices == sorted(set(indices))
        assert math.isclose(math.fsum(v * v for v in values), 1.0)


def test_word_order_and_word_boundaries_matter() -> None:
    """Bigrams tell "kill myself" from "myself kill"; padded n-grams mark word starts."""
    forward, _ = features.features("kill myself")
    backward, _ = features.features("myself kill")
    assert set(forward) != set(backward)
    assert len(set(forward) & set(backward)) == len(forward) - 1


def test_russian_forms_share_most_character_ngrams() -> None:
    """ "покончу" and "покончила" share their stem's n-grams: morphology generalizes."""
    one = set(features.features("покончу")[0])
    other = set(features.features("покончила")[0])
    assert len(one & other) >= len(one) / 2


def test_an_empty_or_punctuation_only_message_has_no_features() -> None:
    """Nothing to score: the model falls back to its bias."""
    assert features.features("") == ([], [])
    assert features.features("?!… 🙂") == ([], [])


def test_the_spec_names_the_feature_choices() -> None:
    """The model file records this string; a change here must retrain the model."""
    assert str(features.DIMENSION) in features.SPEC
    assert "char_wb=2-5" in features.SPEC
