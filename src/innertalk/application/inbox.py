"""The durable inbox: every accepted update is stored before Telegram is told it arrived.

An update is ``file``d (durably) before polling confirms its offset or the webhook answers
200. It is marked ``answered`` right after its reply went out, and leaves the inbox with
``done`` once its records are stored too. On start, ``pending`` entries are replayed, oldest
first; an ``answered`` one is not handled again, only finished. So processing is
at-least-once and replies are effectively-once, except for a crash in the instant between a
reply being sent and the ``answered`` mark being stored (docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class InboxUnavailableError(Exception):
    """The inbox's store could not be reached in time: the update must not be acknowledged."""


@dataclass(frozen=True, slots=True)
class InboxEntry:
    """One filed update: its JSON as received (cleaned), and whether it was answered.

    ``opened`` is ``False`` when the payload is sealed with a key that is not configured
    (``payload`` is then empty): the entry is kept, a restart with the key answers it.
    """

    update_id: int
    payload: bytes
    answered: bool = False
    opened: bool = True


class UpdateInbox(Protocol):
    """Updates accepted but not yet finished, per bot, in a store that survives a crash.

    Every method raises ``InboxUnavailableError`` when the store cannot be reached in time.
    """

    async def file(self, bot_id: str, entries: Sequence[tuple[int, bytes]]) -> set[int]:
        """Store ``(update_id, payload)`` pairs durably, in one write; the ids that were new
        (an id already filed is kept as it is: a redelivery, or a replay in progress)."""
        ...

    async def pending(self, bot_id: str, limit: int) -> list[InboxEntry]:
        """Up to ``limit`` unfinished entries, oldest (lowest ``update_id``) first."""
        ...

    async def answered(self, bot_id: str, update_id: int) -> None:
        """Note durably that the update's reply was sent (a replay must not send it again)."""
        ...

    async def done(self, bot_id: str, update_id: int) -> None:
        """Remove the update: its reply is sent and its records are stored."""
        ...

    async def reseal(self, bot_id: str | None = None) -> int:
        """Seal every entry (of ``bot_id``, else of every bot) again with the current key, so
        older keys can be dropped; how many were rewritten (0 on a second run, or without a
        key). An entry no configured key opens is left as it is."""
        ...

    async def close(self) -> None:
        """Release the store's connection."""
        ...
