"""Sentence embeddings of the training lines, cached on disk between runs.

Embedding ~25,000 lines takes minutes of one core; the lines rarely change between runs, so
each run embeds only the lines it has not seen and stores them in ``.cache/`` (git-ignored),
one file per encoder spec (other weights give other vectors: their cache is never reused).
``CachedEncoder`` serves the dev evaluation from the same vectors, so scoring a held-out line
costs a lookup instead of an encoder pass.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import numpy.typing as npt

from innertalk.infrastructure.safety_model.encoder import (
    MAX_CHARS,
    USE_DIMENSION,
    SentenceEncoder,
)

CACHE = Path(__file__).with_name(".cache")


def _key(text: str) -> str:
    return hashlib.sha256(text[:MAX_CHARS].encode()).hexdigest()[:24]


def _file(spec: str, folder: Path) -> Path:
    return folder / f"embeddings-{hashlib.sha256(spec.encode()).hexdigest()[:12]}.npz"


def embed_cached(
    encoder: SentenceEncoder, texts: list[str], folder: Path = CACHE
) -> npt.NDArray[np.float32]:
    """The embeddings of ``texts`` in order; only lines missing from the cache are encoded."""
    path = _file(encoder.spec, folder)
    known: dict[str, npt.NDArray[np.float32]] = {}
    if path.exists():
        with np.load(path, allow_pickle=False) as data:
            known = dict(zip((str(k) for k in data["keys"]), data["vectors"], strict=True))
    keys = [_key(text) for text in texts]
    unique = dict(zip(keys, texts, strict=True))
    missing = [(key, text) for key, text in sorted(unique.items()) if key not in known]
    if missing:
        vectors = encoder.embed_many([text for _, text in missing])
        known.update(zip((key for key, _ in missing), vectors, strict=True))
        folder.mkdir(exist_ok=True)
        np.savez(path, keys=np.array(list(known)), vectors=np.vstack(list(known.values())))
    print(f"embeddings: {len(unique)} distinct lines, {len(missing)} of them newly encoded")
    return np.vstack([known[key] for key in keys]).astype(np.float32)


class CachedEncoder:
    """Stands in for ``SentenceEncoder`` in the dev evaluation: the cached vectors of lines it
    was built with, the real encoder for anything else."""

    def __init__(self, encoder: SentenceEncoder, texts: list[str], vectors: np.ndarray) -> None:
        self.spec = encoder.spec
        self._encoder = encoder
        self._vectors = {_key(t): v for t, v in zip(texts, vectors, strict=True)}

    def embed(self, text: str) -> npt.NDArray[np.float64]:
        vector = self._vectors.get(_key(text))
        if vector is None:
            return self._encoder.embed(text)
        return np.asarray(vector, dtype=np.float64)

    def embed_use(self, text: str) -> npt.NDArray[np.float64]:
        return self.embed(text)[:USE_DIMENSION]

    def embed_e5(self, text: str) -> npt.NDArray[np.float64]:
        return self.embed(text)[USE_DIMENSION:]
