"""The crisis classifier's features, shared by training and inference so they cannot drift.

A message becomes a sparse vector of hashed counts, L2-normalized:

- character n-grams (2 to 5) of each word padded with spaces (" word "), so prefixes and
  endings count on their own: Russian morphology ("покончу", "покончила") and typos share most
  n-grams with the forms seen in training;
- word unigrams and bigrams, which carry order ("kill myself" is not "myself kill").

Hashing (CRC-32, stable across processes and Python versions, unlike ``hash``) keeps the model a
fixed size whatever the vocabulary. ``SPEC`` names every choice here: the model file records it
and the loader refuses a file trained with other features.
"""

from __future__ import annotations

import re
import zlib
from functools import lru_cache
from itertools import pairwise

DIMENSION = 1 << 18
CHAR_NGRAMS = (2, 5)
SPEC = f"crc32:dim={DIMENSION}:char_wb={CHAR_NGRAMS[0]}-{CHAR_NGRAMS[1]}:word=1-2:l2"

_NON_WORD = re.compile(r"[^\w]+")
_REPEATS = re.compile(r"(\w)\1{2,}")
_MASK = DIMENSION - 1


def normalize(text: str) -> list[str]:
    """Lowercased words: "ё" as "е", punctuation and emoji dropped, "soooo" as "soo"."""
    folded = text.lower().replace("ё", "е").replace("_", " ")
    folded = _REPEATS.sub(r"\1\1", folded)
    return _NON_WORD.sub(" ", folded).split()


def _index(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) & _MASK


@lru_cache(maxsize=1 << 16)
def _word_indices(word: str) -> tuple[int, ...]:
    """The word's own feature and its padded character n-grams (cached: words repeat)."""
    padded = f" {word} "
    low, high = CHAR_NGRAMS
    grams = [
        padded[start : start + size]
        for size in range(low, high + 1)
        for start in range(len(padded) - size + 1)
    ]
    return (_index(f"w|{word}"), *(_index(f"c|{gram}") for gram in grams))


def hashed_counts(text: str) -> dict[int, float]:
    """Feature index -> count for ``text`` (before normalization)."""
    words = normalize(text)
    counts: dict[int, float] = {}
    for word in words:
        for index in _word_indices(word):
            counts[index] = counts.get(index, 0.0) + 1.0
    for first, second in pairwise(words):
        index = _index(f"b|{first} {second}")
        counts[index] = counts.get(index, 0.0) + 1.0
    return counts


def features(text: str) -> tuple[list[int], list[float]]:
    """Sorted feature indices and their L2-normalized values (empty for an empty message)."""
    counts = hashed_counts(text)
    norm = sum(value * value for value in counts.values()) ** 0.5
    indices = sorted(counts)
    return indices, [counts[index] / norm for index in indices]
