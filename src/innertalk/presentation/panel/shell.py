"""The panel shell's shared parts: responses with security headers, the layout around a
page (navigation from the pages the operator may see), the viewer, CSRF-checked forms, and
audit entries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from innertalk.domain.operators import AuditEntry
from innertalk.presentation.panel.gate import PanelContext, Signed
from innertalk.presentation.panel.layout import render, words
from innertalk.presentation.panel.page import PanelPage, PanelViewer
from innertalk.presentation.panel.security import (
    CSRF_FIELD,
    PREFIX,
    client_address,
    form_fields,
    is_https,
    secured,
)

LOGIN = f"{PREFIX}/login"


@dataclass(frozen=True, slots=True)
class NavItem:
    href: str
    label: str
    current: bool


def html_page(body: Markup | str, status: int = 200) -> Response:
    return secured(HTMLResponse(str(body), status_code=status))


def redirect(to: str) -> Response:
    return secured(RedirectResponse(to, status_code=303))


def local_path(target: str) -> str:
    """A page's redirect, kept under ``/admin`` (never another site)."""
    if target.startswith("//") or not target.startswith("/"):
        return PREFIX + "/"
    return target if target.startswith(PREFIX) else PREFIX + target


class Shell:
    def __init__(self, ctx: PanelContext, pages: Sequence[PanelPage]) -> None:
        self.ctx = ctx
        self.pages = list(pages)

    def https(self, request: Request) -> bool:
        return is_https(request, trust_proxy=self.ctx.trust_proxy)

    def address(self, request: Request) -> str:
        return client_address(request, trust_proxy=self.ctx.trust_proxy)

    def visible(self, signed: Signed) -> list[PanelPage]:
        every = signed.operator.tenant is None
        return [page for page in self.pages if every or not page.all_tenants_only]

    def viewer(self, signed: Signed) -> PanelViewer:
        field = self.ctx.csrf.field("session", signed.session_id)
        return PanelViewer(
            signed.operator.name, signed.operator.tenant, signed.session.language, field
        )

    def layout(
        self, signed: Signed, main: Markup, here: str, title: str, status: int = 200
    ) -> Response:
        t = words(signed.session.language)
        nav = [
            NavItem(PREFIX + (page.path or "/"), t(page.nav), PREFIX + page.path == here)
            for page in self.visible(signed)
        ]
        body = render(
            "shell/base.html",
            signed.session.language,
            main=main,
            nav=nav,
            viewer=self.viewer(signed),
            here=here,
            title=title,
        )
        return html_page(body, status)

    def message(self, signed: Signed, heading: str, body: str, status: int) -> Response:
        main = render("shell/message.html", signed.session.language, heading=heading, body=body)
        return self.layout(signed, main, "", words(signed.session.language)(heading), status)

    async def audit(self, request: Request, signed: Signed, action: str) -> None:
        entry = AuditEntry(
            self.ctx.clock.now(),
            signed.operator.name,
            action,
            self.address(request),
            signed.operator.tenant,
        )
        await self.ctx.audit.record(entry)

    async def checked_form(self, request: Request, signed: Signed) -> dict[str, str] | None:
        """The form's fields when its CSRF token is the session's; ``None`` otherwise."""
        fields = await form_fields(request)
        if self.ctx.csrf.valid("session", signed.session_id, fields.get(CSRF_FIELD)):
            return fields
        return None
