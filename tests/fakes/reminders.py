"""A ``ReminderSender`` that records every send and answers with scripted outcomes, and the
reminder services wired over any storage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from innertalk.application.conversation.contexts import ContextLoader
from innertalk.application.ports import Clock, Storage
from innertalk.application.profiles import ProfileService
from innertalk.application.wellbeing.reminder_dispatch import DispatchPolicy, SendOutcome
from innertalk.application.wellbeing.reminders import ReminderService
from innertalk.domain.users import Language, UserKey
from innertalk.infrastructure.cache import LocalContextCache
from innertalk.infrastructure.locks import LocalUserLocks


@dataclass(frozen=True, slots=True)
class Sent:
    """One call of ``send``: who, in which language, and when on the monotonic clock."""

    key: UserKey
    language: Language
    at: float


@dataclass
class RecordingSender:
    """Answers ``outcome`` (or ``script(key)``, or the next of ``queue``) and records calls."""

    clock: Clock
    outcome: SendOutcome = SendOutcome.SENT
    queue: list[SendOutcome] = field(default_factory=list)
    script: Callable[[UserKey], SendOutcome] | None = None
    raises: BaseException | None = None
    calls: list[Sent] = field(default_factory=list)

    async def send(self, key: UserKey, language: Language) -> SendOutcome:
        self.calls.append(Sent(key, language, self.clock.monotonic()))
        if self.raises is not None:
            raise self.raises
        if self.queue:
            return self.queue.pop(0)
        return self.script(key) if self.script else self.outcome

    @property
    def keys(self) -> list[UserKey]:
        return [call.key for call in self.calls]


@dataclass
class ReminderStack:
    """Profiles and reminders over one storage, wired as the composition root wires them."""

    storage: Storage
    contexts: ContextLoader
    locks: LocalUserLocks
    profiles: ProfileService
    reminders: ReminderService


def reminder_stack(
    storage: Storage, clock: Clock, policy: DispatchPolicy | None = None
) -> ReminderStack:
    locks = LocalUserLocks()
    cache = LocalContextCache(maxsize=1000, ttl=600, timer=clock.monotonic)
    contexts = ContextLoader(storage, cache, 20)
    profiles = ProfileService(store=storage, contexts=contexts, locks=locks, clock=clock)
    reminders = ReminderService(
        store=storage, locks=locks, clock=clock, reachability=profiles, policy=policy
    )
    profiles.on_timezone_change(reminders.timezone_changed)
    return ReminderStack(storage, contexts, locks, profiles, reminders)
