"""How the bot behaves: a few plain options the composition root gives it.

Handlers receive them through ``dp.workflow_data`` (``options``, next to ``services``, the use
cases) and never read settings themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class BotOptions:
    """How the bot behaves; every value has a sensible default."""

    admin_ids: frozenset[int] = field(default_factory=frozenset)
    """Telegram user ids that may use /health and receive admin alerts."""
    rate_window: float = 60.0
    """The rate limit's window: someone over the limit is told so at most once per window."""
    draft_interval: float = 0.3
    """Shortest pause between two drafts of a streaming reply."""
    group_invite_interval: float = 6 * 3600.0
    """A group is invited to a private chat at most once per this many seconds."""
    edit_note_interval: float = 600.0
    """Someone editing messages is reminded that edits aren't re-read at most this often."""
    delete_confirmation_ttl: float = 600.0
    """How long a "Yes, delete everything" button stays valid."""
    lane_concurrency: int = 256
    """Updates handled at once across all people (stop presses have slots of their own)."""
    max_pending_per_person: int = 100
    """Updates of one person waiting their turn; more are dropped (a flood, not a conversation)."""
    drain_timeout: float = 25.0
    """On shutdown, how long in-flight and queued updates may take to finish."""
    polling_timeout: int = 30
    """Long-polling wait of one getUpdates."""
    run_reminders: bool = True
    """Run the reminder dispatcher while the bot runs (tests on a fake clock drive it)."""
