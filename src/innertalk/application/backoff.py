"""Capped exponential backoff: how long a retry loop waits after failures in a row.

The one rule for the loops that retry I/O outside the model router (stamina drives the
router's rounds): polling Telegram, finding Telegram at start, landing write-behind batches.
Those loops sleep on their own terms (until a stop is requested, on the injected clock), which
stamina's own sleep cannot do, so this only computes the wait.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

_LONGEST_EXPONENT = 32
"""Beyond this the cap has long applied; a bound keeps ``2.0 ** attempt`` from overflowing."""


@dataclass(frozen=True, slots=True)
class Backoff:
    """Waits ``initial`` × 2^attempt seconds, at most ``maximum``."""

    initial: float
    maximum: float
    jitter: float = 0.0
    """Share of each wait that is random (0.5: between half of it and all of it), so that
    instances failing together do not retry in step."""

    def delay(self, attempt: int) -> float:
        """The wait after ``attempt`` failures in a row (1 for the first)."""
        wait = min(self.maximum, self.initial * 2.0 ** min(attempt, _LONGEST_EXPONENT))
        if not self.jitter:
            return wait
        return wait * random.uniform(1.0 - self.jitter, 1.0)  # noqa: S311 - jitter, not secrets
