"""The offline responder: a deterministic, rule-based reflective listener.

It needs no network, key or model weights, so it answers when no provider is configured
and is the last link of every provider chain. ``summarize_turns`` is also usable directly.
"""

from innertalk.infrastructure.llm.offline.model import OfflineModel
from innertalk.infrastructure.llm.offline.summarizer import summarize_turns

__all__ = ["OfflineModel", "summarize_turns"]
