"""The person endpoints over a live server: create, talk, end, mood, export, erase."""

from __future__ import annotations

from innertalk.domain.tenants import person_key
from tests.integration.presentation.api.conftest import Api
from tests.integration.presentation.api.harness import ALPHA, BETA, bearer

PROBLEM = "application/problem+json"
A = bearer(ALPHA)


async def consented(api: Api, ref: str = "p-1") -> None:
    answer = await api.client.put(f"/api/v1/people/{ref}", json={"consent": True}, headers=A)
    assert answer.status_code in (200, 201), answer.text


async def test_put_creates_then_updates(api: Api) -> None:
    """PUT answers 201 for a new person in the tenant's default language, 200 for an update,
    and remembers the ref under the person's key."""
    created = await api.client.put("/api/v1/people/p-1", json={"consent": True}, headers=A)
    assert created.status_code == 201
    assert created.json()["language"] == "ru"  # alpha's default
    assert created.json()["consent"] is True
    body = {"language": "en", "name": "Sam", "timezone": "Europe/Berlin", "style": "action"}
    updated = await api.client.put("/api/v1/people/p-1", json=body, headers=A)
    assert updated.status_code == 200
    assert updated.json() | {"created_at": None} == {
        "ref": "p-1",
        "language": "en",
        "consent": True,
        "name": "Sam",
        "timezone": "Europe/Berlin",
        "style": "action",
        "created_at": None,
    }
    assert api.refs.refs == {person_key("alpha", "p-1"): "p-1"}


async def test_a_bad_time_zone_is_a_problem_and_creates_nobody(api: Api) -> None:
    """An unknown time zone is 422 before anything is stored."""
    answer = await api.client.put("/api/v1/people/p-1", json={"timezone": "Mars/Base"}, headers=A)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == PROBLEM
    assert await api.core.profiles.get(person_key("alpha", "p-1")) is None


async def test_a_message_before_consent_is_409_with_a_clear_problem(api: Api) -> None:
    """Without consent a message gets 409 consent-required and the model is never asked."""
    await api.client.put("/api/v1/people/p-1", json={"consent": False}, headers=A)
    answer = await api.client.post(
        "/api/v1/people/p-1/messages", json={"text": "hello there"}, headers=A
    )
    assert answer.status_code == 409
    assert answer.headers["content-type"] == PROBLEM
    problem = answer.json()
    assert problem["type"].endswith("/consent-required")
    assert "consent" in problem["detail"]
    assert api.model.requests == []


async def test_a_message_gets_the_reply_and_its_session(api: Api) -> None:
    """A message answers 200 with the reply, the session id and no crisis."""
    await consented(api)
    answer = await api.client.post(
        "/api/v1/people/p-1/messages", json={"text": "I had a long day"}, headers=A
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["reply"] == "I hear you. Tell me more about it."
    assert body["crisis"] is None
    [session] = await api.core.storage.sessions(person_key("alpha", "p-1"), 5)
    assert body["session_id"] == session.id


async def test_a_crisis_message_carries_the_hotlines(api: Api) -> None:
    """A message with a crisis signal answers with its category and hotlines."""
    await consented(api)
    answer = await api.client.post(
        "/api/v1/people/p-1/messages", json={"text": "I want to die"}, headers=A
    )
    crisis = answer.json()["crisis"]
    assert crisis["category"] == "suicidal_ideation"
    assert crisis["hotlines"]
    assert all(line["contact"] for line in crisis["hotlines"])


async def test_the_crisis_comes_even_with_the_consent_problem(api: Api) -> None:
    """A person in crisis who has not consented still gets the hotlines in the problem."""
    await api.client.put("/api/v1/people/p-1", json={}, headers=A)
    answer = await api.client.post(
        "/api/v1/people/p-1/messages", json={"text": "I want to die"}, headers=A
    )
    assert answer.status_code == 409
    assert answer.json()["crisis"]["category"] == "suicidal_ideation"


async def test_messages_of_an_unknown_person_are_404(api: Api) -> None:
    """A ref never PUT is 404 problem, for messages as for everything else."""
    answer = await api.client.post(
        "/api/v1/people/nobody/messages", json={"text": "hi"}, headers=A
    )
    assert answer.status_code == 404
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["type"].endswith("/no-person")


async def test_a_validation_problem_never_echoes_the_text(api: Api) -> None:
    """A body that breaks the schema is a 422 problem naming the field, not its value."""
    await consented(api)
    body = {"text": "my very private words", "mood": "my secret mood"}
    answer = await api.client.post("/api/v1/people/p-1/messages", json=body, headers=A)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == PROBLEM
    assert "private" not in answer.text
    assert "secret" not in answer.text
    assert {"location": "body.mood", "problem": "Extra inputs are not permitted"} in answer.json()[
        "errors"
    ]


async def test_ending_the_session_returns_its_summary(api: Api) -> None:
    """sessions/end closes the open session with its summary; a second end is 409."""
    await consented(api)
    await api.client.post("/api/v1/people/p-1/messages", json={"text": "work is hard"}, headers=A)
    ended = await api.client.post("/api/v1/people/p-1/sessions/end", headers=A)
    assert ended.status_code == 200, ended.text
    assert ended.json()["summary"]
    again = await api.client.post("/api/v1/people/p-1/sessions/end", headers=A)
    assert again.status_code == 409
    assert again.json()["type"].endswith("/no-session")


async def test_mood_is_recorded_and_summed_up(api: Api) -> None:
    """POST mood stores a check-in (201); GET mood shows it in the figures."""
    await consented(api)
    body = {"score": 7, "tags": ["calm"], "note": "a walk"}
    posted = await api.client.post("/api/v1/people/p-1/mood", json=body, headers=A)
    assert posted.status_code == 201, posted.text
    assert posted.json()["score"] == 7
    figures = (await api.client.get("/api/v1/people/p-1/mood", headers=A)).json()
    assert figures["count"] == 1
    assert figures["latest"]["tags"] == ["calm"]
    assert figures["average"] == 7


async def test_questionnaires_list_the_results(api: Api) -> None:
    """GET questionnaires answers the person's results (none yet: an empty list)."""
    await consented(api)
    answer = await api.client.get("/api/v1/people/p-1/questionnaires", headers=A)
    assert answer.status_code == 200
    assert answer.json() == {"results": []}


async def test_export_then_erase_then_404(api: Api) -> None:
    """Export returns the stored conversation; DELETE erases it and the ref; then 404."""
    await consented(api)
    await api.client.post("/api/v1/people/p-1/messages", json={"text": "the sea"}, headers=A)
    export = await api.client.get("/api/v1/people/p-1/export", headers=A)
    assert export.status_code == 200
    assert "the sea" in export.text
    erased = await api.client.delete("/api/v1/people/p-1", headers=A)
    assert erased.status_code == 204
    assert api.refs.refs == {}
    after = await api.client.get("/api/v1/people/p-1/export", headers=A)
    assert after.status_code == 404
    assert await api.core.storage.sessions(person_key("alpha", "p-1"), 5) == []


async def test_stats_sum_the_tenants_realms_only(api: Api) -> None:
    """GET stats counts the tenant's own people, per realm and in total; another tenant's
    people are not among them."""
    await consented(api, "p-1")
    await consented(api, "p-2")
    await api.client.put("/api/v1/people/q-1", json={"consent": True}, headers=bearer(BETA))
    stats = (await api.client.get("/api/v1/stats", headers=A)).json()
    assert stats["tenant"] == "alpha"
    assert stats["totals"]["users"] == 2
    assert [realm["realm"] for realm in stats["realms"]] == ["7000001", "api:alpha"]
    beta = (await api.client.get("/api/v1/stats", headers=bearer(BETA))).json()
    assert beta["totals"]["users"] == 1
