"""Cost per active person per day in the admin statistics."""

from __future__ import annotations

import pytest

from innertalk.application.operations.admin import AdminService
from innertalk.domain.users import Language, UserKey
from innertalk.infrastructure.llm.prices import PriceTable
from innertalk.presentation.telegram.texts.admin import stats_text
from tests.fakes.clock import FakeClock
from tests.fakes.core import build_core
from tests.fakes.models import ScriptedModel

BOT = "bot"
PRICES = PriceTable({("scripted", "scripted"): (1_000_000.0, 0.0, 1_000_000.0)})
"""A dollar per token, so the expected cost is the token count."""


async def test_cost_per_active_person_is_the_last_days_reply_cost_over_dau(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """Two people's replies today, priced per model, divided by the two active people."""
    core = build_core(model, clock)
    for user_id in (1, 2):
        await core.profiles.ensure(UserKey(BOT, user_id), language=Language.EN, consent=True)
        await core.talk.reply(UserKey(BOT, user_id), "hello there")
    admin = AdminService(core.storage, core.profiles, clock, cost_of=PRICES.spend_cost)

    stats = await admin.stats(BOT)

    spent = sum(s.input_tokens + s.output_tokens for s in stats.spend_24h)
    assert spent > 0
    assert stats.dau == 2
    assert stats.cost_per_active_person == pytest.approx(spent / 2)
    assert f"${spent / 2:.4f}" in stats_text(stats, Language.EN)


async def test_no_cost_is_shown_without_prices(model: ScriptedModel, clock: FakeClock) -> None:
    """Models the table does not price leave the cost unknown, and the text says nothing."""
    core = build_core(model, clock)
    await core.profiles.ensure(UserKey(BOT, 1), language=Language.EN, consent=True)
    await core.talk.reply(UserKey(BOT, 1), "hello there")
    admin = AdminService(core.storage, core.profiles, clock, cost_of=PriceTable().spend_cost)

    stats = await admin.stats(BOT)

    assert [(s.provider, s.model) for s in stats.spend_24h] == [("scripted", "scripted-1")]
    assert stats.cost_per_active_person is None
    assert "$" not in stats_text(stats, Language.EN)
