"""Who is calling: the API key (401), its scope (403), its rate (429), and the person a
``{ref}`` names within the key's tenant (422 for a malformed ref).

A person's ``UserKey`` is ``person_key(key.tenant, ref)``: it lies in the tenant's own realm,
so another tenant's people cannot even be named, let alone read.
"""

# No ``from __future__ import annotations``: FastAPI reads the dependencies' annotations at
# run time, and they name dependencies local to ``person``.
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Path
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from innertalk.application.operations.analytics import AnalyticsService
from innertalk.application.ports import RateLimiter
from innertalk.application.services import Services
from innertalk.application.tenancy import PersonRefs, TenantDirectory
from innertalk.domain.tenants import ApiKey, PersonRefError, Scope, person_key
from innertalk.domain.users import Language, Profile, UserKey
from innertalk.presentation.api.problems import Problem, too_many

KEY_REALM_PREFIX = "apikey:"
"""Rate limits count per API key under ``UserKey("apikey:<id>", 0)``: no person's realm."""

bearer = HTTPBearer(auto_error=False, description="An API key from `innertalk apikey create`.")


@dataclass(frozen=True, slots=True)
class KeyRate:
    """A limiter counting requests at one rate (``600/minute``), and its window in seconds
    (the ``Retry-After`` of a refused request)."""

    limiter: RateLimiter
    window: float


@dataclass(frozen=True, slots=True)
class ApiContext:
    """What the API's handlers are given (the composition root builds it)."""

    services: Services
    directory: TenantDirectory
    refs: PersonRefs
    key_rates: Callable[[str], KeyRate]
    """The limiter for a key's ``rate``; called once per distinct rate."""
    message_window: float = 60.0
    """The window of ``RATE_LIMIT`` (each person's messages), for ``Retry-After``."""
    default_language: Language = Language.EN
    """The language of new people when neither the request nor the tenant names one."""
    analytics: AnalyticsService | None = None
    """Retention, funnel and experiments (``/stats/…``); ``None``: those routes are absent."""
    _rates: dict[str, KeyRate] = field(default_factory=dict)

    def rate(self, rate: str) -> KeyRate:
        if rate not in self._rates:
            self._rates[rate] = self.key_rates(rate)
        return self._rates[rate]


@dataclass(frozen=True, slots=True)
class Person:
    """The person a request is about: the partner's ``ref`` and its key in the tenant's realm."""

    tenant: str
    ref: str
    key: UserKey


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
Ref = Annotated[
    str,
    Path(
        min_length=1,
        max_length=128,
        # printable ASCII as ``person_key`` wants it, less ``/``: it cannot be in one segment
        pattern=r"^[!-.0-~]{1,128}$",
        description="The partner's own id of the person (unique within the tenant): 1-128 "
        "printable ASCII characters, no space or `/`.",
        examples=["person-1"],
    ),
]


def unauthorized(detail: str) -> Problem:
    return Problem(401, detail, headers={"WWW-Authenticate": "Bearer"})


def caller(ctx: ApiContext, scope: Scope) -> Callable[[Credentials], Awaitable[ApiKey]]:
    """A dependency: the request's live API key, allowed ``scope`` and within its rate."""

    async def authorized(credentials: Credentials) -> ApiKey:
        if credentials is None:
            raise unauthorized("send the API key as `Authorization: Bearer <key>`")
        key = await ctx.directory.authenticate(credentials.credentials)
        if key is None:
            raise unauthorized("the API key is unknown or revoked")
        if not key.allows(scope):
            raise Problem(403, f"this API key lacks the `{scope.value}` scope", kind="scope")
        rate = ctx.rate(key.rate)
        if not await rate.limiter.allow(UserKey(KEY_REALM_PREFIX + key.id, 0)):
            raise too_many(f"this API key may make {key.rate} requests", rate.window, kind="rate")
        return key

    return authorized


def person(ctx: ApiContext, scope: Scope) -> Callable[[ApiKey, str], Awaitable[Person]]:
    """A dependency: the authorized caller's person ``{ref}`` (not looked up yet)."""

    async def resolved(key: Annotated[ApiKey, Depends(caller(ctx, scope))], ref: Ref) -> Person:
        try:
            return Person(key.tenant, ref, person_key(key.tenant, ref))
        except PersonRefError:
            detail = "a ref is 1-128 printable ASCII characters without spaces"
            raise Problem(422, detail, kind="invalid-ref") from None

    return resolved


async def existing(services: Services, who: Person) -> Profile:
    """The person's profile; 404 when the tenant has no such person."""
    profile = await services.profiles.get(who.key)
    if profile is None:
        raise Problem(404, "no person with this ref (create them with PUT)", kind="no-person")
    return profile
