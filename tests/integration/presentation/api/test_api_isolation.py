"""Tenant isolation: a key of tenant B never sees, changes or erases tenant A's people, even
with the same ref (each ref names a person in the key's own realm)."""

from __future__ import annotations

import pytest

from innertalk.domain.tenants import person_key
from tests.integration.presentation.api.conftest import Api
from tests.integration.presentation.api.harness import ALPHA, BETA, bearer

REF = "shared-ref-42"
B = bearer(BETA)

EVERY_PERSON_ROUTE = [
    ("POST", f"/api/v1/people/{REF}/messages", {"text": "what did they say?"}),
    ("POST", f"/api/v1/people/{REF}/sessions/end", None),
    ("GET", f"/api/v1/people/{REF}/mood", None),
    ("POST", f"/api/v1/people/{REF}/mood", {"score": 1}),
    ("GET", f"/api/v1/people/{REF}/questionnaires", None),
    ("GET", f"/api/v1/people/{REF}/export", None),
    ("DELETE", f"/api/v1/people/{REF}", None),
]


async def alpha_person(api: Api) -> None:
    headers = bearer(ALPHA)
    await api.client.put(
        f"/api/v1/people/{REF}", json={"consent": True, "name": "Ann"}, headers=headers
    )
    await api.client.post(
        f"/api/v1/people/{REF}/messages",
        json={"text": "only alpha may read this"},
        headers=headers,
    )
    await api.client.post(f"/api/v1/people/{REF}/mood", json={"score": 8}, headers=headers)


@pytest.mark.parametrize(("method", "path", "body"), EVERY_PERSON_ROUTE)
async def test_another_tenants_key_gets_404_and_changes_nothing(
    api: Api, method: str, path: str, body: dict[str, object] | None
) -> None:
    """Each person route answers tenant B 404 for tenant A's ref, and A's records stay as
    they were (same export before and after)."""
    await alpha_person(api)
    before = (await api.client.get(f"/api/v1/people/{REF}/export", headers=bearer(ALPHA))).text
    answer = await api.client.request(method, path, json=body, headers=B)
    assert answer.status_code == 404, answer.text
    assert "only alpha" not in answer.text
    after = await api.client.get(f"/api/v1/people/{REF}/export", headers=bearer(ALPHA))
    assert after.status_code == 200
    assert after.text == before
    assert api.model.requests[-1].message == "only alpha may read this"


async def test_the_same_ref_in_another_tenant_is_another_person(api: Api) -> None:
    """PUT of tenant A's ref by tenant B creates B's own person; A's keeps its name."""
    await alpha_person(api)
    created = await api.client.put(f"/api/v1/people/{REF}", json={"name": "Bob"}, headers=B)
    assert created.status_code == 201
    alpha = await api.core.profiles.get(person_key("alpha", REF))
    beta = await api.core.profiles.get(person_key("beta", REF))
    assert alpha is not None
    assert alpha.display_name == "Ann"
    assert beta is not None
    assert beta.display_name == "Bob"
    assert alpha.key.bot_id == "api:alpha"
    assert beta.key.bot_id == "api:beta"


async def test_erasing_in_one_tenant_leaves_the_other(api: Api) -> None:
    """DELETE by tenant B of its own person with A's ref leaves A's person whole."""
    await alpha_person(api)
    await api.client.put(f"/api/v1/people/{REF}", json={}, headers=B)
    assert (await api.client.delete(f"/api/v1/people/{REF}", headers=B)).status_code == 204
    export = await api.client.get(f"/api/v1/people/{REF}/export", headers=bearer(ALPHA))
    assert export.status_code == 200
    assert "only alpha may read this" in export.text
    assert api.refs.refs == {person_key("alpha", REF): REF}
