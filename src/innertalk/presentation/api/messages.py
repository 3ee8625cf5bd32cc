"""``POST /api/v1/people/{ref}/messages``: the companion's reply, as JSON or streamed as
server-sent events (``Accept: text/event-stream``).

The same use case answers Telegram: the message is screened for a crisis first (the hotlines
come with the answer whatever happens to the reply, an error included), and whatever the
person is shown — each streamed delta and the final text — has passed the output screen.
The final event's ``reply`` is authoritative: when the screen withheld a reply midway it is
the gentle replacement, not the deltas' concatenation.
"""

# No ``from __future__ import annotations``: FastAPI reads the route's annotations at run time,
# and they name a dependency local to ``register``.

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse

from innertalk.application.conversation.talk import (
    ConsentRequiredError,
    DailyTokenBudgetExhaustedError,
    ReplyStoppedError,
    SessionBudgetExhaustedError,
    TalkReply,
)
from innertalk.application.ports import ModelRefusedError
from innertalk.application.safety import SafetyNotice, Screening
from innertalk.domain.language import detect_language
from innertalk.domain.messages import EmptyMessageError
from innertalk.domain.sessions import DailySessionLimitError
from innertalk.domain.tenants import Scope
from innertalk.presentation.api.access import ApiContext, Person, existing, person
from innertalk.presentation.api.models import CrisisOut, MessageIn, ReplyOut
from innertalk.presentation.api.problems import Problem, problem_responses, too_many

log = structlog.get_logger(__name__)

EVENT_STREAM = "text/event-stream"
_unfinished: set[asyncio.Future[TalkReply]] = set()
"""Replies whose stream was abandoned (the client left): stopped, and kept until stored."""


def declined(error: BaseException, ctx: ApiContext, notice: SafetyNotice | None) -> Problem | None:
    """The problem for a reply ``TalkService`` refused (``None``: not a refusal); a crisis
    notice rides along, so an error never hides the hotlines."""
    crisis = CrisisOut.of(notice)
    extra = {"crisis": crisis.model_dump(mode="json")} if crisis else {}
    match error:
        case ConsentRequiredError():
            detail = 'the person has not consented: PUT them with "consent": true first'
            return Problem(409, detail, kind="consent-required", extra=extra)
        case SessionBudgetExhaustedError():
            detail = "the session spent its token budget: end it (POST …/sessions/end)"
            return Problem(409, detail, kind="session-budget", extra=extra)
        case DailySessionLimitError():
            wait = (error.resets_at - ctx.services.clock.now()).total_seconds()
            return too_many("today's sessions are used up", wait, kind="sessions", **extra)
        case DailyTokenBudgetExhaustedError():
            detail = "the person spent today's tokens"
            return too_many(detail, error.retry_after, kind="tokens", **extra)
        case EmptyMessageError():
            return Problem(422, "the message has nothing to answer", kind="empty", extra=extra)
        case ModelRefusedError():
            return Problem(422, "the model declined this message", kind="refused", extra=extra)
        case ReplyStoppedError():
            return Problem(409, "the reply was stopped", kind="stopped", extra=extra)
    return None


class Messages:
    def __init__(self, ctx: ApiContext) -> None:
        self._ctx = ctx
        self._services = ctx.services

    async def post(self, who: Person, body: MessageIn, request: Request) -> Response:
        services = self._services
        profile = await existing(services, who)
        if profile.blocked:
            raise Problem(403, "an operator blocked this person", kind="blocked")
        if not await services.rate_limiter.allow(who.key):
            raise too_many(
                "the person writes faster than RATE_LIMIT",
                self._ctx.message_window,
                kind="person-rate",
            )
        language = detect_language(body.text) or profile.language
        screening = await services.talk.examine(body.text, language, profile)
        if EVENT_STREAM in request.headers.get("accept", ""):
            events = self._events(who, body.text, screening)
            return StreamingResponse(events, media_type=EVENT_STREAM, headers=_NO_BUFFERING)
        try:
            reply = await services.talk.reply(who.key, body.text, screened=screening)
        except Exception as error:
            problem = declined(error, self._ctx, screening.notice)
            if problem is None:
                raise
            raise problem from None
        return _json(ReplyOut.of(reply, screening.notice).model_dump(mode="json"))

    async def _events(self, who: Person, text: str, screening: Screening) -> AsyncIterator[str]:
        notice = screening.notice
        crisis = CrisisOut.of(notice)
        if crisis is not None:  # before the reply starts, as Telegram shows the notice first
            yield _event("crisis", crisis.model_dump(mode="json"))
        shown: asyncio.Queue[str | None] = asyncio.Queue()

        async def show(so_far: str) -> None:
            shown.put_nowait(so_far)

        stop = asyncio.Event()
        replying = asyncio.ensure_future(
            self._services.talk.reply(who.key, text, show, stop=stop, screened=screening)
        )
        replying.add_done_callback(lambda _: shown.put_nowait(None))
        try:
            sent = ""
            while (so_far := await shown.get()) is not None:
                if so_far.startswith(sent) and len(so_far) > len(sent):
                    yield _event("delta", {"text": so_far[len(sent) :]})
                    sent = so_far
            yield self._outcome(replying, notice)
        finally:
            if not replying.done():  # the client left: stop the model, keep what it wrote
                stop.set()
                _unfinished.add(replying)
                replying.add_done_callback(_settled)

    def _outcome(self, replying: asyncio.Future[TalkReply], notice: SafetyNotice | None) -> str:
        error = replying.exception()
        if error is None:
            return _event("reply", ReplyOut.of(replying.result(), notice).model_dump(mode="json"))
        problem = declined(error, self._ctx, notice)
        if problem is None:
            log.error("api.reply_failed", error=type(error).__name__)
            problem = Problem(500, "the reply failed; try again", kind="reply-failed")
        return _event("error", problem.body())


def _settled(replying: asyncio.Future[TalkReply]) -> None:
    _unfinished.discard(replying)
    if not replying.cancelled() and replying.exception() is not None:
        log.warning("api.abandoned_reply_failed", error=type(replying.exception()).__name__)


_NO_BUFFERING = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def _event(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _json(data: dict[str, Any]) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), media_type="application/json")


REPLY = {
    "description": "The reply; with `Accept: text/event-stream`, events: `crisis` (if any), "
    '`delta`s (`{"text"}`), then `reply` (these fields) or `error` (a problem).',
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/ReplyOut"}},
        EVENT_STREAM: {"schema": {"type": "string"}},
    },
}


def register(router: APIRouter, ctx: ApiContext) -> None:
    messages = Messages(ctx)
    conversation = person(ctx, Scope.CONVERSATION)

    @router.post(
        "/people/{ref}/messages",
        response_model=ReplyOut,
        responses={200: REPLY, **problem_responses(401, 403, 404, 409, 422, 429)},
        summary="Send a message, get the companion's reply",
    )
    async def post_message(
        who: Annotated[Person, Depends(conversation)], body: MessageIn, request: Request
    ) -> Response:
        return await messages.post(who, body, request)
