"""The API's description: OpenAPI 3 at ``/api/openapi.json`` and Swagger UI at ``/api/docs``.

The schema covers the API's own routes only (not ``/healthz`` or the Telegram webhook), and
Swagger UI's script and stylesheet are served from the ``fastapi-offline`` package's copy:
FastAPI's default page loads them from a CDN that operators' networks may not reach.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

from fastapi import APIRouter, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.routing import BaseRoute

from innertalk import __version__
from innertalk.presentation.api.problems import PROBLEM_JSON

SCHEMA_PATH = "/api/openapi.json"
DOCS_PATH = "/api/docs"
_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon.png": "image/png",
}
DESCRIPTION = (
    "Talk with the companion from your own app. Every request carries "
    "`Authorization: Bearer <API key>`; errors are `application/problem+json` (RFC 9457). "
    "See docs/api.md for examples."
)


def api_schema(routes: Sequence[BaseRoute]) -> dict[str, Any]:
    """OpenAPI 3 of ``routes``, with every error response as ``application/problem+json``."""
    schema = get_openapi(
        title="InnerTalk integration API",
        version=__version__,
        description=DESCRIPTION,
        routes=list(routes),
    )
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if int(status) >= 400 and "application/json" in content:
                    content[PROBLEM_JSON] = content.pop("application/json")
    # FastAPI's own 422 models stay in components though no operation uses them any more
    for unused in ("HTTPValidationError", "ValidationError"):
        schema.get("components", {}).get("schemas", {}).pop(unused, None)
    return schema


@cache
def _asset(name: str) -> bytes:
    return resources.files("fastapi_offline").joinpath("static", name).read_bytes()


def docs_router(routes: Sequence[BaseRoute]) -> APIRouter:
    """``/api/openapi.json``, ``/api/docs`` and Swagger UI's files, for ``routes``."""
    router = APIRouter(include_in_schema=False)
    schema = api_schema(routes)

    @router.get(SCHEMA_PATH)
    async def openapi() -> JSONResponse:
        return JSONResponse(schema)

    @router.get(DOCS_PATH)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=SCHEMA_PATH,
            title="InnerTalk API",
            swagger_js_url=f"{DOCS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_PATH}/favicon.png",
        )

    @router.get(DOCS_PATH + "/{name}")
    async def asset(name: str) -> Response:
        if name not in _ASSETS:
            return Response(status_code=404)
        headers = {"Cache-Control": "public, max-age=86400"}
        body = await asyncio.to_thread(_asset, name)  # 1.5 MB read once, off the event loop
        return Response(body, media_type=_ASSETS[name], headers=headers)

    return router
