"""``/admin/login``: the form (its CSRF token bound to a nonce cookie, since there is no
session yet) and the sign-in, which starts a new session under a new id."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from innertalk.application.panel.ports import PanelSession
from innertalk.application.panel.sign_in import Outcome
from innertalk.presentation.panel.gate import keep, signed_in
from innertalk.presentation.panel.layout import accepted_language, render, words
from innertalk.presentation.panel.security import (
    CSRF_FIELD,
    LOGIN_COOKIE,
    PREFIX,
    SESSION_COOKIE,
    FormTooLargeError,
    clear_cookie,
    form_fields,
    new_secret_id,
    set_cookie,
)
from innertalk.presentation.panel.shell import LOGIN, Shell, html_page, redirect


def login_page(shell: Shell, request: Request, error: str | None, status: int) -> Response:
    language = accepted_language(request.headers.get("accept-language", ""))
    nonce = request.cookies.get(LOGIN_COOKIE) or new_secret_id()
    main = render(
        "shell/login.html", language, csrf_field=shell.ctx.csrf.field("login", nonce), error=error
    )
    title = words(language)("login_title")
    body = render("shell/base.html", language, main=main, nav=[], viewer=None, title=title)
    response = html_page(body, status)
    set_cookie(response, LOGIN_COOKIE, nonce, secure=shell.https(request))
    return response


def login_routes(router: APIRouter, shell: Shell) -> None:
    @router.get(LOGIN)
    async def login_form(request: Request) -> Response:
        if await signed_in(shell.ctx, request) is not None:
            return redirect(PREFIX + "/")
        return login_page(shell, request, None, 200)

    @router.post(LOGIN)
    async def login(request: Request) -> Response:
        try:
            fields = await form_fields(request)
        except FormTooLargeError:
            return html_page("form too large", 413)
        nonce = request.cookies.get(LOGIN_COOKIE)
        if not shell.ctx.csrf.valid("login", nonce, fields.get(CSRF_FIELD)):
            return html_page("CSRF token missing or invalid", 403)
        result = await shell.ctx.sign_in.sign_in(
            fields.get("name", "")[:64],
            fields.get("password", "")[:1024],
            fields.get("code", ""),
            shell.address(request),
        )
        if result.outcome is Outcome.LOCKED:
            return login_page(shell, request, "login_locked", 429)
        if result.operator is None:
            return login_page(shell, request, "login_failed", 401)
        now = shell.ctx.clock.now()
        language = accepted_language(request.headers.get("accept-language", ""))
        session = PanelSession(result.operator.name, result.operator.tenant, language, now, now)
        session_id = new_secret_id()  # a new id at every sign-in: no session fixation
        await keep(shell.ctx, session_id, session)
        response = redirect(PREFIX + "/")
        set_cookie(response, SESSION_COOKIE, session_id, secure=shell.https(request))
        clear_cookie(response, LOGIN_COOKIE, secure=shell.https(request))
        return response
