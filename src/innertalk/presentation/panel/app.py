"""The panel shell under ``/admin``: sign-in, sessions, CSRF on every POST, the audit log of
every change, the layout around each page, and its security headers.

``build_panel_router(ctx, pages)`` serves ``pages`` (``page.py``'s contract): navigation shows
the pages the operator may see; ``/admin/`` is the overview page (``""``) or else the first
page. Anything under ``/admin`` asked anonymously is a 303 to ``/admin/login``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from importlib import resources

from fastapi import APIRouter
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from innertalk.presentation.panel.gate import PanelContext, Signed, keep, signed_in
from innertalk.presentation.panel.layout import SUPPORTED, words
from innertalk.presentation.panel.login import login_routes
from innertalk.presentation.panel.page import PanelPage, PostOutcome
from innertalk.presentation.panel.security import (
    CSRF_FIELD,
    PREFIX,
    SESSION_COOKIE,
    FormTooLargeError,
    clear_cookie,
)
from innertalk.presentation.panel.shell import (
    LOGIN,
    Shell,
    html_page,
    local_path,
    redirect,
)

__all__ = ["PanelContext", "build_panel_router"]


def build_panel_router(ctx: PanelContext, pages: Sequence[PanelPage]) -> APIRouter:
    """The panel's routes (mount next to the other routers of the one HTTP server)."""
    shell = Shell(ctx, pages)
    router = APIRouter(include_in_schema=False)
    _static_routes(router)
    login_routes(router, shell)
    _session_routes(router, shell)
    _page_routes(router, shell)
    return router


def _static_routes(router: APIRouter) -> None:
    css = resources.files("innertalk.presentation.panel").joinpath("static", "panel.css")
    stylesheet = css.read_bytes()  # read once, at start-up: never on the event loop later

    @router.get(f"{PREFIX}/static/panel.css")
    async def panel_css() -> Response:
        response = Response(stylesheet, media_type="text/css")
        response.headers.update({"X-Content-Type-Options": "nosniff"})
        return response


def _session_routes(router: APIRouter, shell: Shell) -> None:
    @router.post(f"{PREFIX}/logout")
    async def logout(request: Request) -> Response:
        signed = await signed_in(shell.ctx, request)
        if signed is None:
            return redirect(LOGIN)
        if await shell.checked_form(request, signed) is None:
            return html_page("CSRF token missing or invalid", 403)
        await shell.ctx.sessions.drop(signed.session_id)
        await shell.audit(request, signed, "logout")
        response = redirect(LOGIN)
        clear_cookie(response, SESSION_COOKIE, secure=shell.https(request))
        return response

    @router.post(f"{PREFIX}/language")
    async def language(request: Request) -> Response:
        signed = await signed_in(shell.ctx, request)
        if signed is None:
            return redirect(LOGIN)
        fields = await shell.checked_form(request, signed)
        if fields is None:
            return html_page("CSRF token missing or invalid", 403)
        chosen = {code.value: code for code in SUPPORTED}.get(fields.get("language", ""))
        if chosen is not None:
            await keep(shell.ctx, signed.session_id, replace(signed.session, language=chosen))
        return redirect(local_path(fields.get("next") or "/"))


def _page_routes(router: APIRouter, shell: Shell) -> None:
    for page in shell.pages:
        _add_page(router, shell, page)
    if not any(page.path == "" for page in shell.pages):

        @router.get(PREFIX + "/")
        async def landing(request: Request) -> Response:
            signed = await signed_in(shell.ctx, request)
            if signed is None:
                return redirect(LOGIN)
            visible = shell.visible(signed)
            if not visible:
                return shell.message(signed, "empty_title", "empty_body", 200)
            return redirect(PREFIX + visible[0].path)

    @router.get(PREFIX)
    async def bare(_request: Request) -> Response:
        return redirect(PREFIX + "/")

    @router.api_route(PREFIX + "/{rest:path}", methods=["GET", "POST"])
    async def unknown(request: Request, rest: str) -> Response:
        signed = await signed_in(shell.ctx, request)
        if signed is None:
            return redirect(LOGIN)
        return shell.message(signed, "not_found_title", "not_found_body", 404)


def _add_page(router: APIRouter, shell: Shell, page: PanelPage) -> None:
    here = PREFIX + (page.path or "/")

    async def allowed(request: Request) -> Signed | Response:
        signed = await signed_in(shell.ctx, request)
        if signed is None:
            return redirect(LOGIN)
        if page.all_tenants_only and signed.operator.tenant is not None:
            return shell.message(signed, "forbidden_title", "forbidden_body", 403)
        return signed

    async def show(request: Request) -> Response:
        signed = await allowed(request)
        if isinstance(signed, Response):
            return signed
        main = await page.get(shell.viewer(signed), dict(request.query_params))
        title = words(signed.session.language)(page.nav)
        return shell.layout(signed, main, PREFIX + page.path, title)

    router.add_api_route(here, show, methods=["GET"])
    if page.path == "":
        router.add_api_route(PREFIX, show, methods=["GET"])
    if page.post is None:
        return
    post = page.post

    async def change(request: Request) -> Response:
        signed = await allowed(request)
        if isinstance(signed, Response):
            return signed
        try:
            fields = await shell.checked_form(request, signed)
        except FormTooLargeError:
            return html_page("form too large", 413)
        if fields is None:
            return html_page("CSRF token missing or invalid", 403)
        fields.pop(CSRF_FIELD, None)
        outcome: PostOutcome = await post(shell.viewer(signed), fields)
        if outcome.audit:
            await shell.audit(request, signed, outcome.audit)
        if outcome.redirect is not None:
            return redirect(local_path(outcome.redirect))
        main = outcome.html or Markup("")
        title = words(signed.session.language)(page.nav)
        return shell.layout(signed, main, PREFIX + page.path, title)

    router.add_api_route(here, change, methods=["POST"])
