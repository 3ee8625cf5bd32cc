"""What a fold spends is charged like a reply: session and daily budgets, tokens and cost."""

from __future__ import annotations

from dataclasses import replace

import pytest

from innertalk.application.conversation.talk import TalkPolicy
from innertalk.domain.prompting import ModelReply, ModelRequest, Purpose, TokenUsage
from innertalk.domain.users import Language, UserKey
from innertalk.infrastructure.llm.prices import PriceTable
from tests.fakes.clock import FakeClock
from tests.fakes.core import build_core
from tests.fakes.llm import FakeProvider, metric, ok, router_over
from tests.fakes.models import ScriptedModel
from tests.unit.application.conversation.test_token_budget import FakeTokenBudget

ALICE = UserKey("bot-a", 1)
WINDOW = 8
"""Loaded turns: the first two exchanges are pinned, a fold comes four exchanges later."""
FOLD_USAGE = TokenUsage(1_000, 60, cached_input_tokens=900, charged_tokens=250)
REPLY_USAGE = TokenUsage(400, 40)


class PricedModel(ScriptedModel):
    """Replies and folds that report fixed usage, a fold's mostly cached and priced."""

    async def complete(self, request: ModelRequest) -> ModelReply:
        reply = await super().complete(request)
        folding = request.purpose is Purpose.SUMMARY
        return replace(reply, usage=FOLD_USAGE if folding else REPLY_USAGE)


async def test_a_fold_is_charged_to_the_session_and_daily_budgets(clock: FakeClock) -> None:
    """The fold's charged tokens count in USER_DAILY_TOKENS and in the session's budget."""
    model = PricedModel(lambda request: "They talked about work.")
    budget = FakeTokenBudget(1_000_000)
    policy = TalkPolicy(session_token_budget=0)
    core = build_core(model, clock, policy=policy, context_turns=WINDOW, budget=budget)
    await core.profiles.ensure(ALICE, language=Language.EN, consent=True)
    for n in range(8):
        await core.talk.reply(ALICE, f"message {n}: work was long again")
    folds = sum(request.purpose is Purpose.SUMMARY for request in model.requests)
    replies = len(model.requests) - folds
    assert folds >= 1
    expected = replies * REPLY_USAGE.total + folds * 250
    assert budget.spent == {ALICE: expected}
    session = (await core.contexts.load(ALICE)).session
    assert session is not None
    assert session.fold_summary
    assert session.tokens_used == expected


async def test_an_offline_fold_charges_nothing(clock: FakeClock) -> None:
    """When the model's fold fails, the offline summary costs nothing and nothing is charged."""

    class FoldFails(PricedModel):
        async def complete(self, request: ModelRequest) -> ModelReply:
            if request.purpose is Purpose.SUMMARY:
                self.requests.append(request)
                raise TimeoutError("slow")
            return await super().complete(request)

    model = FoldFails(lambda request: "I hear you.")
    budget = FakeTokenBudget(1_000_000)
    core = build_core(model, clock, context_turns=WINDOW, budget=budget)
    await core.profiles.ensure(ALICE, language=Language.EN, consent=True)
    for n in range(8):
        await core.talk.reply(ALICE, f"message {n}: I slept badly again")
    replies = sum(request.purpose is Purpose.REPLY for request in model.requests)
    assert replies < len(model.requests)  # a fold was attempted
    assert budget.spent == {ALICE: replies * REPLY_USAGE.total}


async def test_a_fold_counts_in_the_token_and_cost_metrics(clock: FakeClock) -> None:
    """Through the router, the fold call adds to innertalk_llm_tokens_total and the cost."""
    provider = FakeProvider("openai", ok("They talked about work."), default_model="gpt-6-luna")
    router = router_over(provider, clock=clock)
    core = build_core(router, clock, context_turns=WINDOW)
    tokens = metric("innertalk_llm_tokens_total", provider="openai", type="input")
    cost = metric("innertalk_llm_cost_usd_total", provider="openai", model="gpt-6-luna")
    await core.profiles.ensure(ALICE, language=Language.EN, consent=True)
    for n in range(8):
        await core.talk.reply(ALICE, f"message {n}: work was long again")
    calls = [call.request.purpose for call in provider.calls]
    assert Purpose.SUMMARY in calls
    added = metric("innertalk_llm_tokens_total", provider="openai", type="input") - tokens
    assert added == 10 * len(calls)  # the fake reports 10 input tokens per call
    price = PriceTable().price("openai", "gpt-6-luna")
    assert price is not None
    spent = metric("innertalk_llm_cost_usd_total", provider="openai", model="gpt-6-luna") - cost
    per_call = price.cost(TokenUsage(10, 4))  # "They talked about work." is four words
    assert spent == pytest.approx(per_call * len(calls))
