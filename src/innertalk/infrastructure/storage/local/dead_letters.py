"""Dead letters in this process, mixed into ``LocalStorage``."""

from __future__ import annotations

from collections.abc import Sequence

from innertalk.application.ports import DeadLetter
from innertalk.domain.users import UserKey


class LocalDeadLetterStore:
    """Dead letters in arrival order; created on first use (the mixin needs no ``__init__``)."""

    @property
    def _letters(self) -> list[DeadLetter]:
        letters: list[DeadLetter] = self.__dict__.setdefault("_dead_letters", [])
        return letters

    async def dead_letter(self, letters: Sequence[DeadLetter]) -> None:
        self._letters.extend(letters)

    async def dead_letters(self, limit: int) -> list[DeadLetter]:
        return list(reversed(self._letters))[: max(limit, 0)]

    def _remove_dead_letters(self, owner: UserKey) -> int:
        kept = [letter for letter in self._letters if letter.key != owner]
        removed = len(self._letters) - len(kept)
        self._letters[:] = kept
        return removed
