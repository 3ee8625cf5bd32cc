"""What a panel page is, so pages are written apart from the login, layout and CSRF around them.

The panel (``presentation/panel/app.py``) authenticates the operator, checks the CSRF token of
every POST, writes ``PostOutcome.audit`` to the audit log, and renders a page's main HTML
inside the layout (navigation, language switch, logout). A page only loads its data for the
``PanelViewer`` and renders it; it never sees a request, a cookie or a password.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from markupsafe import Markup

from innertalk.domain.users import Language


@dataclass(frozen=True, slots=True)
class PanelViewer:
    """Who is looking: an operator of one tenant, or of every tenant (``tenant`` ``None``)."""

    operator: str
    tenant: str | None
    language: Language
    csrf_field: Markup
    """The hidden ``<input>`` every ``<form method="post">`` of a page must contain."""


@dataclass(frozen=True, slots=True)
class PostOutcome:
    """What a page's POST did: redirect (303, post/redirect/get) or show HTML, and the audit
    line (what was done and to what — ids, counts, segments — never content)."""

    redirect: str | None = None
    html: Markup | None = None
    audit: str | None = None


PageGet = Callable[[PanelViewer, Mapping[str, str]], Awaitable[Markup]]
"""The page's main HTML for the viewer, from the query string's parameters."""
PagePost = Callable[[PanelViewer, Mapping[str, str]], Awaitable[PostOutcome]]
"""A form's fields (CSRF already checked) → what happened."""


@dataclass(frozen=True, slots=True)
class PanelPage:
    path: str
    """Under ``/admin``: ``""`` is the overview, ``"/retention"``…"""
    nav: str
    """The text key (locales/<lang>/panel*.toml) of its label in the navigation."""
    get: PageGet
    post: PagePost | None = None
    all_tenants_only: bool = False
    """Only for operators of every tenant (``/admin/tenants``)."""
