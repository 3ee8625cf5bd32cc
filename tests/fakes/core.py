"""The application core wired with fakes, as the composition root wires it with adapters."""

from __future__ import annotations

from dataclasses import dataclass

from innertalk.application.contexts import ContextLoader
from innertalk.application.ports import LanguageModel
from innertalk.application.profiles import ProfileService
from innertalk.application.sessions import SessionService
from innertalk.application.talk import TalkPolicy, TalkService
from innertalk.infrastructure.cache import MemoryContextCache
from innertalk.infrastructure.llm.offline import OfflineModel
from innertalk.infrastructure.locks import LocalUserLocks
from innertalk.infrastructure.storage.memory import MemoryStorage
from tests.fakes.clock import FakeClock


@dataclass
class Core:
    storage: MemoryStorage
    cache: MemoryContextCache
    talk: TalkService
    sessions: SessionService
    profiles: ProfileService


def build_core(
    model: LanguageModel,
    clock: FakeClock,
    *,
    storage: MemoryStorage | None = None,
    policy: TalkPolicy | None = None,
    context_turns: int = 20,
) -> Core:
    storage = storage or MemoryStorage()
    cache = MemoryContextCache(maxsize=1000, ttl=600, timer=clock.monotonic)
    contexts = ContextLoader(storage, cache, context_turns)
    locks = LocalUserLocks()
    return Core(
        storage=storage,
        cache=cache,
        talk=TalkService(
            store=storage,
            contexts=contexts,
            locks=locks,
            model=model,
            clock=clock,
            policy=policy or TalkPolicy(),
        ),
        sessions=SessionService(
            store=storage,
            contexts=contexts,
            locks=locks,
            model=model,
            fallback=OfflineModel(),
            clock=clock,
        ),
        profiles=ProfileService(store=storage, contexts=contexts, locks=locks, clock=clock),
    )
