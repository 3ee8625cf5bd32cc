"""``/api/v1/stats/retention``, ``/funnel`` and ``/experiments``: the hand-computed scenario of
``tests/scenarios/analytics.py`` as data, for the key's tenant only."""

from __future__ import annotations

import pytest

from innertalk.domain.tenants import api_realm
from tests.integration.presentation.api.conftest import Api
from tests.integration.presentation.api.harness import ALPHA, ALPHA_BOT, BETA, bearer
from tests.scenarios.analytics import records_in

A = bearer(ALPHA)
PERIOD = {"since": "2026-01-05T00:00:00Z", "until": "2026-01-26T00:00:00Z"}


async def scenario(api: Api) -> None:
    """Tenant alpha owns the scenario's bot-a and api:t; bot-x is beta's API realm."""
    realms = {"bot-a": ALPHA_BOT, "api:t": api_realm("alpha"), "bot-x": api_realm("beta")}
    await api.core.storage.write(records_in(realms))


async def test_retention_gives_each_weekly_cohort_and_its_returns(api: Api) -> None:
    """The clock stands on Wed 2026-11-25, so 47 weeks begin on Mon 2026-01-05: cohorts of 3,
    2 and 1 returning (2, 1, 1), (1, 1, 0), (1, 0, 0); later weeks are empty."""
    await scenario(api)
    answer = await api.client.get("/api/v1/stats/retention?weeks=47", headers=A)
    assert answer.status_code == 200
    cohorts = answer.json()["cohorts"]
    assert len(cohorts) == 47
    first = [(c["week_start"], c["size"], c["returned"]) for c in cohorts[:3]]
    assert first == [
        ("2026-01-05", 3, {"day1": 2, "day7": 1, "day30": 1}),
        ("2026-01-12", 2, {"day1": 1, "day7": 1, "day30": 0}),
        ("2026-01-19", 1, {"day1": 1, "day7": 0, "day30": 0}),
    ]
    assert cohorts[0]["shares"]["day1"] == 2 / 3
    assert cohorts[-1]["returned"] == {"day1": None, "day7": None, "day30": None}


async def test_funnel_counts_steps_and_drop_off_for_the_period(api: Api) -> None:
    """Jan 5-25: 6 → 5 → 5 → 4 → 3, dropping 1/6, 0, 1/5, 1/4."""
    await scenario(api)
    answer = await api.client.get("/api/v1/stats/funnel", params=PERIOD, headers=A)
    assert answer.status_code == 200
    steps = answer.json()["steps"]
    assert [(s["step"], s["people"]) for s in steps] == [
        ("started", 6),
        ("consented", 5),
        ("first_message", 5),
        ("session_ended", 4),
        ("returned_7d", 3),
    ]
    assert [s["drop_off"] for s in steps][2:] == pytest.approx([0.0, 0.2, 0.25])


async def test_experiments_compare_variants_with_intervals_and_a_verdict(api: Api) -> None:
    """January: A 1 of 2 helpful, B 2 of 2: no clear difference yet, about 8 more votes."""
    await scenario(api)
    period = {"since": "2026-01-01T00:00:00Z", "until": "2026-02-01T00:00:00Z"}
    body = (await api.client.get("/api/v1/stats/experiments", params=period, headers=A)).json()
    a, b = body["variants"]
    assert (a["variant"], a["replies"], a["mean_latency_ms"], a["helpful_share"]) == (
        "A",
        3,
        200.0,
        0.5,
    )
    assert b["helpful_interval"]["high"] == 1.0
    assert body["verdict"]["kind"] == "unclear"
    assert body["verdict"]["text"] == (
        "No clear difference yet between B and A: about 8 more votes are needed."
    )


async def test_another_tenants_key_sees_only_its_own_people(api: Api) -> None:
    """Beta's key counts beta's one person (x1), none of alpha's."""
    await scenario(api)
    answer = await api.client.get("/api/v1/stats/funnel", params=PERIOD, headers=bearer(BETA))
    assert [s["people"] for s in answer.json()["steps"]] == [1, 1, 1, 1, 0]


async def test_an_empty_period_is_a_problem(api: Api) -> None:
    """``since`` not before ``until``: 422 problem+json naming the kind."""
    period = {"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}
    answer = await api.client.get("/api/v1/stats/funnel", params=period, headers=A)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith("invalid-period")
