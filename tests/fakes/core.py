"""The application core wired with fakes, as the composition root wires it with adapters."""

from __future__ import annotations

from dataclasses import dataclass

from innertalk.application.contexts import ContextLoader
from innertalk.application.folding import HistoryFolding
from innertalk.application.ports import LanguageModel, TokenBudget
from innertalk.application.profiles import ProfileService
from innertalk.application.safety import SafetyService
from innertalk.application.safety_opinion import SecondOpinion
from innertalk.application.sessions import SessionLifecycle, SessionService
from innertalk.application.talk import TalkPolicy, TalkService
from innertalk.domain.sessions import SessionPolicy
from innertalk.domain.users import Pseudonyms
from innertalk.infrastructure.cache import LocalContextCache
from innertalk.infrastructure.llm.offline import OfflineModel
from innertalk.infrastructure.locks import LocalUserLocks
from innertalk.infrastructure.storage.local import LocalStorage
from innertalk.presentation.reply_words import withheld_reply, withheld_summary
from tests.fakes.clock import FakeClock

PSEUDONYMS = Pseudonyms(b"the test suite's pseudonym key")
"""The pseudonyms ``build_core`` wires in (a fixed key, so tests can name a person's)."""


@dataclass
class Core:
    storage: LocalStorage
    cache: LocalContextCache
    contexts: ContextLoader
    locks: LocalUserLocks
    talk: TalkService
    sessions: SessionService
    profiles: ProfileService


def build_core(
    model: LanguageModel,
    clock: FakeClock,
    *,
    storage: LocalStorage | None = None,
    policy: TalkPolicy | None = None,
    context_turns: int = 20,
    sessions: SessionPolicy | None = None,
    safety: SafetyService | None = None,
    budget: TokenBudget | None = None,
    opinion: SecondOpinion | None = None,
    folding: bool = True,
) -> Core:
    storage = storage or LocalStorage()
    cache = LocalContextCache(maxsize=1000, ttl=600, timer=clock.monotonic)
    contexts = ContextLoader(storage, cache, context_turns)
    locks = LocalUserLocks()
    lifecycle = SessionLifecycle(
        store=storage,
        contexts=contexts,
        model=model,
        fallback=OfflineModel(),
        clock=clock,
        withheld_summary=withheld_summary,
        policy=sessions or SessionPolicy(sessions_per_day=0),
    )
    return Core(
        storage=storage,
        cache=cache,
        contexts=contexts,
        locks=locks,
        talk=TalkService(
            store=storage,
            contexts=contexts,
            locks=locks,
            sessions=lifecycle,
            model=model,
            clock=clock,
            policy=policy or TalkPolicy(),
            pseudonyms=PSEUDONYMS,
            withheld_text=withheld_reply,
            safety=safety,
            budget=budget,
            opinion=opinion,
            folding=HistoryFolding(model=model, fallback=OfflineModel(), turn_limit=context_turns)
            if folding
            else None,
        ),
        sessions=SessionService(lifecycle=lifecycle, contexts=contexts, locks=locks),
        profiles=ProfileService(store=storage, contexts=contexts, locks=locks, clock=clock),
    )
