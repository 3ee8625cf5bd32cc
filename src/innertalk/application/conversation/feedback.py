"""FeedbackService: a person marks one of the companion's replies helpful or not."""

from __future__ import annotations

from innertalk.application.ids import new_id
from innertalk.application.ports import Clock, RecordStore
from innertalk.domain.users import UserKey
from innertalk.domain.wellbeing import Feedback


class FeedbackService:
    """Stores verdicts on replies; the latest verdict on a reply replaces the earlier one."""

    def __init__(self, *, store: RecordStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def record(self, key: UserKey, turn_id: str, *, helpful: bool) -> Feedback:
        """Record the verdict; its id is derived from the reply so voting again replaces it."""
        verdict = Feedback(
            id=f"{turn_id}:{key.user_id}" if turn_id else new_id(),
            key=key,
            turn_id=turn_id,
            helpful=helpful,
            created_at=self._clock.now(),
        )
        await self._store.write([verdict])
        return verdict
