"""The daily token budget in TalkService: refused before the model, counted after a reply."""

from __future__ import annotations

import pytest

from innertalk.application.conversation.talk import DailyTokenBudgetExhaustedError
from innertalk.domain.users import Language, UserKey
from tests.fakes.clock import FakeClock
from tests.fakes.core import build_core
from tests.fakes.models import ScriptedModel

ALICE = UserKey("bot", 1)


class FakeTokenBudget:
    """A ``TokenBudget`` with a fixed allowance per person and a list of what was spent."""

    def __init__(self, allowance: int, renews_in: float = 3600.0) -> None:
        self.allowance = allowance
        self.renews_in = renews_in
        self.spent: dict[UserKey, int] = {}

    async def exhausted_for(self, key: UserKey) -> float:
        return self.renews_in if self.spent.get(key, 0) >= self.allowance else 0.0

    async def spend(self, key: UserKey, tokens: int) -> None:
        self.spent[key] = self.spent.get(key, 0) + tokens


async def test_each_reply_spends_its_tokens(model: ScriptedModel, clock: FakeClock) -> None:
    """The reply's input and output tokens are counted against the person's day."""
    budget = FakeTokenBudget(10_000)
    core = build_core(model, clock, budget=budget)
    await core.profiles.ensure(ALICE, language=Language.EN, consent=True)
    reply = await core.talk.reply(ALICE, "hello there")
    assert budget.spent == {ALICE: reply.model.usage.total}
    assert reply.model.usage.total > 0


async def test_a_spent_budget_refuses_before_the_model_and_stores_nothing(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """Past the budget the model is not asked, nothing is written, no session is opened, and
    the error says when the budget renews."""
    budget = FakeTokenBudget(1, renews_in=5400)
    core = build_core(model, clock, budget=budget)
    await core.profiles.ensure(ALICE, language=Language.EN, consent=True)
    await core.talk.reply(ALICE, "first")
    asked, writes = len(model.requests), core.storage.writes
    sessions = await core.storage.sessions(ALICE, 10)
    with pytest.raises(DailyTokenBudgetExhaustedError) as refused:
        await core.talk.reply(ALICE, "second")
    assert refused.value.retry_after == 5400
    assert len(model.requests) == asked
    assert core.storage.writes == writes
    assert await core.storage.sessions(ALICE, 10) == sessions


async def test_without_a_budget_nothing_is_counted(model: ScriptedModel, clock: FakeClock) -> None:
    """USER_DAILY_TOKENS=0: no budget is wired and replies flow as before."""
    core = build_core(model, clock)
    await core.profiles.ensure(ALICE, language=Language.EN, consent=True)
    for text in ("one", "two", "three"):
        await core.talk.reply(ALICE, text)
    assert len(model.requests) == 3
