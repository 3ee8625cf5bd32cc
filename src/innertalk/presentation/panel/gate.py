"""Who is asking: the signed-in operator of a request's session, with idle and absolute
timeouts, or nobody. The operator is read again on each request, so a removed operator's
sessions end at once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from starlette.requests import Request

from innertalk.application.panel.ports import AuditLog, OperatorStore, PanelSession, PanelSessions
from innertalk.application.panel.sign_in import SignIn
from innertalk.application.ports import Clock
from innertalk.domain.operators import Operator
from innertalk.presentation.panel.security import SESSION_COOKIE, CsrfTokens


@dataclass(frozen=True, slots=True)
class PanelContext:
    """What the panel shell needs (built by ``bootstrap/panel.py``)."""

    sign_in: SignIn
    audit: AuditLog
    operators: OperatorStore
    sessions: PanelSessions
    clock: Clock
    csrf: CsrfTokens
    idle: timedelta
    lifetime: timedelta
    trust_proxy: bool


@dataclass(frozen=True, slots=True)
class Signed:
    session_id: str
    session: PanelSession
    operator: Operator


async def signed_in(ctx: PanelContext, request: Request) -> Signed | None:
    """The request's live session (its idle clock restarted), or ``None``."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None
    session = await ctx.sessions.load(session_id)
    if session is None:
        return None
    now = ctx.clock.now()
    if now - session.seen_at > ctx.idle or now - session.created_at > ctx.lifetime:
        await ctx.sessions.drop(session_id)
        return None
    operator = await ctx.operators.operator(session.operator)
    if operator is None:
        await ctx.sessions.drop(session_id)
        return None
    session = replace(session, seen_at=now, tenant=operator.tenant)
    await keep(ctx, session_id, session)
    return Signed(session_id, session, operator)


async def keep(ctx: PanelContext, session_id: str, session: PanelSession) -> None:
    """Store ``session`` until its absolute lifetime ends."""
    left = ctx.lifetime - (ctx.clock.now() - session.created_at)
    await ctx.sessions.save(session_id, session, max(left.total_seconds(), 1.0))
