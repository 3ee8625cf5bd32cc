"""The SDK providers' default models, apart from the SDK adapters so that naming them (the
registry does) imports no SDK: each SDK costs ≈20–30 MB of memory, and only the configured
ones are imported (docs/benchmarks.md, *Load*)."""

from __future__ import annotations

GEMINI_DEFAULT = "gemini-3.6-flash"
"""Gemini 3.6 Flash, the current generally available Flash (gemini-2.5-flash is deprecated)."""
GEMINI_FAST = "gemini-3.5-flash-lite"
"""Gemini 3.5 Flash-Lite, the fastest, cheapest current Gemini."""

OPENAI_DEFAULT = "gpt-6-luna"
"""OpenAI's efficient GPT-6 model and its named successor to gpt-4.1-mini and gpt-4o-mini
(both shut down on 2027-01-14; gpt-4.1-nano already has). With ``reasoning_effort="none"``
it answers without a reasoning pass and accepts ``temperature``."""
OPENAI_FAST: str | None = None
"""None: GPT-6 Luna already is OpenAI's cheapest, quickest chat model."""

ANTHROPIC_DEFAULT = "claude-sonnet-5-5"
"""Claude Sonnet 5.5, Anthropic's current Sonnet (claude-sonnet-4-5 ends 2026-11-30)."""
ANTHROPIC_FAST = "claude-haiku-5-5"
"""Claude Haiku 5.5, the fastest current Claude."""
