"""The API's description: OpenAPI 3 with problem+json errors, and Swagger UI that loads
nothing from outside the server."""

from __future__ import annotations

import re

from tests.integration.presentation.api.conftest import Api

PATHS = {
    "/api/v1/people/{ref}": {"put", "delete"},
    "/api/v1/people/{ref}/messages": {"post"},
    "/api/v1/people/{ref}/sessions/end": {"post"},
    "/api/v1/people/{ref}/mood": {"get", "post"},
    "/api/v1/people/{ref}/questionnaires": {"get"},
    "/api/v1/people/{ref}/export": {"get"},
    "/api/v1/stats": {"get"},
    "/api/v1/stats/retention": {"get"},
    "/api/v1/stats/funnel": {"get"},
    "/api/v1/stats/experiments": {"get"},
}


async def test_the_schema_lists_every_operation_with_problem_errors(api: Api) -> None:
    """/api/openapi.json is OpenAPI 3 with exactly the API's operations, a Bearer scheme, and
    every 4xx as application/problem+json."""
    schema = (await api.client.get("/api/openapi.json")).json()
    assert schema["openapi"].startswith("3.")
    assert {path: set(ops) for path, ops in schema["paths"].items()} == PATHS
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for operations in schema["paths"].values():
        for operation in operations.values():
            errors = {s: r for s, r in operation["responses"].items() if int(s) >= 400}
            assert {"401", "403", "429"} <= set(errors)
            assert all(set(r["content"]) == {"application/problem+json"} for r in errors.values())


async def test_swagger_ui_is_served_from_the_server_itself(api: Api) -> None:
    """/api/docs references only its own scripts and styles, and the server serves them."""
    page = await api.client.get("/api/docs")
    assert page.status_code == 200
    sources = re.findall(r"""(?:src|href)=["']([^"']+)""", page.text)
    assert sources
    assert all(source.startswith("/api/") for source in sources), sources
    assert "/api/openapi.json" in page.text
    for source in sources:
        asset = await api.client.get(source)
        assert asset.status_code == 200, source
        assert len(asset.content) > 1000
    assert (await api.client.get("/api/docs/secrets.txt")).status_code == 404
