"""Errors as RFC 9457 problem details (``application/problem+json``), for every error the API
gives: its own, FastAPI's validation errors (422) and ``HTTPException``s.

A problem never carries what the person wrote: validation errors name the field and the rule,
never the value.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from http import HTTPStatus
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://innertalk.invalid/problems/"
"""Problem types are URIs under this base (documented in docs/api.md; not fetched)."""


class FieldError(BaseModel):
    location: str = Field(description="Where: `body.text`, `path.ref`, `query.days`…")
    problem: str = Field(description="The rule it breaks (never the value itself).")


class ProblemBody(BaseModel):
    """An RFC 9457 problem: ``type`` names the kind, ``detail`` says what to do."""

    type: str = Field(description="`about:blank` or a URI naming the kind of problem.")
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None
    retry_after: int | None = Field(None, description="Seconds to wait before trying again.")
    crisis: dict[str, Any] | None = Field(
        None, description="A crisis signal in the message (hotlines), even when it failed."
    )


class Problem(Exception):
    """Raised by a handler to answer with a problem; ``kind`` is the type's last segment
    (``None``: ``about:blank`` with the status's own title)."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.title = title or HTTPStatus(status).phrase
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def body(self) -> dict[str, Any]:
        return {
            "type": TYPE_BASE + self.kind if self.kind else "about:blank",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            **self.extra,
        }

    def response(self) -> JSONResponse:
        return JSONResponse(
            self.body(), self.status, headers=self.headers, media_type=PROBLEM_JSON
        )


def too_many(detail: str, retry_after: float, *, kind: str, **extra: Any) -> Problem:
    """429 with ``Retry-After`` (whole seconds, at least one)."""
    seconds = max(1, round(retry_after))
    return Problem(
        429,
        detail,
        kind=kind,
        headers={"Retry-After": str(seconds)},
        extra={"retry_after": seconds, **extra},
    )


def invalid_request(error: RequestValidationError) -> Problem:
    """FastAPI's validation error as a problem: where and which rule, no input values."""
    errors = [
        {"location": ".".join(str(part) for part in item["loc"]), "problem": item["msg"]}
        for item in error.errors()
    ]
    detail = "the request does not match the API's schema (see `errors`)"
    return Problem(422, detail, kind="invalid-request", extra={"errors": errors})


def from_http_exception(error: HTTPException) -> Problem:
    detail = (
        error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
    )
    return Problem(error.status_code, detail, headers=error.headers)


class ProblemRoute(APIRoute):
    """A route whose errors are problems: the router's own exception handling, so the API
    needs nothing from the app it is mounted on."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def problems(request: Request) -> Response:
            try:
                return await handle(request)
            except Problem as problem:
                return problem.response()
            except RequestValidationError as error:
                return invalid_request(error).response()
            except HTTPException as error:
                return from_http_exception(error).response()

        return problems


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for ``statuses`` (their media type is set by ``openapi.api_schema``)."""
    return {
        status: {"model": ProblemBody, "description": HTTPStatus(status).phrase}
        for status in statuses
    }
