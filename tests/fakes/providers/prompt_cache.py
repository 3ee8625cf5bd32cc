"""A server-side prompt prefix cache, as the real providers bill it.

A request is a sequence of *units* (the system prompt, then each message or content block,
serialized as the wire sends them); tokens are estimated at four characters each. The cache
remembers prefixes ending at unit boundaries, so a request that repeats an earlier one's
first units reads those tokens from it:

- ``automatic`` (OpenAI, Gemini implicit caching): every prompt of ``min_tokens`` or more is
  cached whole; a hit counts the longest remembered prefix, OpenAI in 128-token steps above
  its 1024-token minimum (``step``).
- ``at_breakpoints`` (Anthropic): only prefixes ending at a ``cache_control`` breakpoint are
  written (and billed as cache creation); a hit is the longest earlier-written prefix that
  the request repeats, up to its last breakpoint.

Entries are separate per ``key`` (OpenAI's ``prompt_cache_key``, the model elsewhere).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Unit:
    """One block of a prompt as sent; ``breakpoint``: it carries ``cache_control``."""

    text: str
    breakpoint: bool = False

    @classmethod
    def of(cls, value: Any, *, breakpoint: bool = False) -> Unit:
        return cls(json.dumps(value, sort_keys=True, ensure_ascii=False), breakpoint)


@dataclass(frozen=True, slots=True)
class CacheUsage:
    """A prompt's tokens, those read from the cache and those written to it."""

    input_tokens: int
    cached_tokens: int = 0
    written_tokens: int = 0


def unit_tokens(unit: Unit) -> int:
    """Tokens of ``unit``: about four characters each, as the providers' tokenizers average."""
    return max(1, (len(unit.text) + 3) // 4)


class PromptCache:
    """The prefixes one fake server has cached (it never expires: runs are short)."""

    def __init__(self, *, min_tokens: int = 1024, step: int = 1) -> None:
        self.min_tokens = min_tokens
        self.step = step
        self._seen: set[str] = set()

    def automatic(self, key: str, units: list[Unit]) -> CacheUsage:
        """Cache the whole prompt; read the longest prefix an earlier prompt had."""
        prefixes = _prefixes(key, units)
        total = prefixes[-1][1] if prefixes else 0
        hit = max((tokens for digest, tokens in prefixes if digest in self._seen), default=0)
        if total >= self.min_tokens:
            self._seen.update(digest for digest, _ in prefixes)
        return CacheUsage(total, self._rounded(hit))

    def at_breakpoints(self, key: str, units: list[Unit]) -> CacheUsage:
        """Read the longest written prefix up to the last breakpoint; write the breakpoints."""
        prefixes = _prefixes(key, units)
        total = prefixes[-1][1] if prefixes else 0
        marks = [index for index, unit in enumerate(units) if unit.breakpoint]
        if not marks:
            return CacheUsage(total)
        last = marks[-1]
        hit = max(
            (tokens for digest, tokens in prefixes[: last + 1] if digest in self._seen),
            default=0,
        )
        if hit < self.min_tokens:
            hit = 0
        cacheable = prefixes[last][1]
        if cacheable < self.min_tokens:
            return CacheUsage(total, hit)
        self._seen.update(prefixes[index][0] for index in marks)
        return CacheUsage(total, hit, cacheable - hit)

    def _rounded(self, tokens: int) -> int:
        if tokens < self.min_tokens:
            return 0
        return self.min_tokens + (tokens - self.min_tokens) // self.step * self.step


def _prefixes(key: str, units: list[Unit]) -> list[tuple[str, int]]:
    """The digest and token count of each prefix ending at a unit boundary."""
    digest = hashlib.sha256(key.encode())
    tokens = 0
    prefixes = []
    for unit in units:
        digest.update(hashlib.sha256(unit.text.encode()).digest())
        tokens += unit_tokens(unit)
        prefixes.append((digest.copy().hexdigest(), tokens))
    return prefixes
