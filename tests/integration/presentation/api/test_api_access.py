"""Who may call: a missing or wrong key is 401, a key without the scope 403, a key over its
rate 429 with Retry-After; each as a problem."""

from __future__ import annotations

import pytest

from tests.integration.presentation.api.conftest import Api
from tests.integration.presentation.api.harness import ALPHA, bearer

PROBLEM = "application/problem+json"

ROUTES = [
    ("PUT", "/api/v1/people/p-1", {}, "conversation"),
    ("POST", "/api/v1/people/p-1/messages", {"text": "hi"}, "conversation"),
    ("POST", "/api/v1/people/p-1/sessions/end", None, "conversation"),
    ("GET", "/api/v1/people/p-1/mood", None, "wellbeing"),
    ("POST", "/api/v1/people/p-1/mood", {"score": 5}, "wellbeing"),
    ("GET", "/api/v1/people/p-1/questionnaires", None, "wellbeing"),
    ("GET", "/api/v1/people/p-1/export", None, "privacy"),
    ("DELETE", "/api/v1/people/p-1", None, "privacy"),
    ("GET", "/api/v1/stats", None, "stats"),
    ("GET", "/api/v1/stats/retention", None, "stats"),
    ("GET", "/api/v1/stats/funnel", None, "stats"),
    ("GET", "/api/v1/stats/experiments", None, "stats"),
]


@pytest.mark.parametrize(
    "headers",
    [{}, bearer("no-such-key"), bearer("alpha-revoked"), {"Authorization": "Basic YTpi"}],
    ids=["missing", "wrong", "revoked", "not-bearer"],
)
async def test_without_a_live_key_every_route_is_401(api: Api, headers: dict[str, str]) -> None:
    """No key, an unknown, revoked or non-Bearer one: 401 with WWW-Authenticate: Bearer, on
    every route."""
    for method, path, body, _ in ROUTES:
        answer = await api.client.request(method, path, json=body, headers=headers)
        assert answer.status_code == 401, (method, path)
        assert answer.headers["www-authenticate"] == "Bearer"
        assert answer.headers["content-type"] == PROBLEM
        assert answer.json()["status"] == 401


@pytest.mark.parametrize(("method", "path", "body", "scope"), ROUTES)
async def test_a_key_without_the_scope_is_403(
    api: Api, method: str, path: str, body: object, scope: str
) -> None:
    """A key lacking the route's scope gets 403 naming it; one with it is let through."""
    await api.client.put("/api/v1/people/p-1", json={"consent": True}, headers=bearer(ALPHA))
    lacking = "alpha-wellbeing-only" if scope != "wellbeing" else "alpha-talk-only"
    answer = await api.client.request(method, path, json=body, headers=bearer(lacking))
    assert answer.status_code == 403
    assert answer.headers["content-type"] == PROBLEM
    assert f"`{scope}`" in answer.json()["detail"]
    having = "alpha-wellbeing-only" if scope == "wellbeing" else "alpha-talk-only"
    if scope in ("conversation", "wellbeing"):
        allowed = await api.client.request(method, path, json=body, headers=bearer(having))
        assert allowed.status_code not in (401, 403), allowed.text


async def test_a_key_over_its_rate_gets_429_until_the_window_passes(api: Api) -> None:
    """A 2/minute key: the third request is 429 with Retry-After 60; a minute later it
    is served again."""
    slow = bearer("alpha-slow")
    for _ in range(2):
        assert (await api.client.get("/api/v1/stats", headers=slow)).status_code == 200
    refused = await api.client.get("/api/v1/stats", headers=slow)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["retry_after"] == 60
    assert (await api.client.get("/api/v1/stats", headers=bearer(ALPHA))).status_code == 200
    api.clock.advance(61)
    assert (await api.client.get("/api/v1/stats", headers=slow)).status_code == 200


async def test_a_malformed_ref_is_a_422_problem(api: Api) -> None:
    """A ref with a space (or beyond printable ASCII) is a 422 problem naming `path.ref`."""
    answer = await api.client.get("/api/v1/people/two%20words/mood", headers=bearer(ALPHA))
    assert answer.status_code == 422
    assert answer.headers["content-type"] == PROBLEM
    assert [error["location"] for error in answer.json()["errors"]] == ["path.ref"]
