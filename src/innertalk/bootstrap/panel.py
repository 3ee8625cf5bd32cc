"""The operator panel from the app: ``panel_routers(app, pages=…)`` builds the shell (sign-in,
sessions, CSRF, audit) around the pages, served by ``innertalk bot`` and ``innertalk api``
next to the integration API.

Sessions and failed-login counts live in Redis with ``REDIS_URL`` (every instance agrees on
them), else in this process. The CSRF secret is derived from the pseudonym key (itself from
``LOG_PSEUDONYM_KEY``, ``ENCRYPTION_KEY`` or the data folder's key file), so instances that
share those agree on tokens without another secret to configure.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import timedelta

from fastapi import APIRouter

from innertalk.application.operations.api_keys import ApiKeyService
from innertalk.application.operations.mailings import MailingDesk
from innertalk.application.panel.ports import (
    AuditLog,
    LoginAttempts,
    OperatorStore,
    PanelSessions,
)
from innertalk.application.panel.sign_in import SignIn
from innertalk.bootstrap.analytics import analytics_service
from innertalk.bootstrap.app import App
from innertalk.infrastructure.llm.status import RouterProviderStatus
from innertalk.infrastructure.panel.attempts import LocalLoginAttempts, RedisLoginAttempts
from innertalk.infrastructure.panel.credentials import Argon2Passwords, PyotpTotp
from innertalk.infrastructure.panel.sessions import LocalPanelSessions, RedisPanelSessions
from innertalk.infrastructure.ratelimit import is_rate
from innertalk.presentation.panel.analytics import analytics_pages
from innertalk.presentation.panel.app import PanelContext, build_panel_router
from innertalk.presentation.panel.audit_page import audit_pages
from innertalk.presentation.panel.mailing.page import mailing_pages
from innertalk.presentation.panel.page import PanelPage
from innertalk.presentation.panel.people import PeopleAccess, people_pages
from innertalk.presentation.panel.providers.page import provider_pages
from innertalk.presentation.panel.security import CsrfTokens
from innertalk.presentation.panel.tenants import tenant_pages

_CSRF_LABEL = b"innertalk/panel-csrf/v1"


def shell_pages(app: App) -> list[PanelPage]:
    """The pages of the shell itself: people, tenants and the audit log."""
    services, tenancy = app.services, app.tenancy
    store: AuditLog = app.storage.inner  # type: ignore[assignment]  # every backend has it
    access = PeopleAccess(
        directory=tenancy.directory,
        refs=tenancy.refs,
        profile=services.profiles.get,
        sessions=app.storage.sessions,
        admin=services.admin,
        privacy=services.privacy,
    )
    keys = ApiKeyService(tenancy.directory, services.clock, is_rate)
    return [
        *people_pages(access),
        *tenant_pages(tenancy.directory, keys),
        *audit_pages(store),
    ]


def panel_context(app: App) -> PanelContext:
    """The shell's adapters over ``app`` (its storage, Redis client, clock and settings)."""
    clock, settings = app.services.clock, app.settings.panel
    store = app.storage.inner
    operators: OperatorStore = store  # type: ignore[assignment]  # every backend has them
    audit: AuditLog = store  # type: ignore[assignment]
    sessions: PanelSessions
    attempts: LoginAttempts
    if app.redis is not None:
        sessions, attempts = RedisPanelSessions(app.redis), RedisLoginAttempts(app.redis)
    else:
        sessions = LocalPanelSessions(timer=clock.monotonic)
        attempts = LocalLoginAttempts(timer=clock.monotonic)
    passwords, totp = Argon2Passwords(), PyotpTotp()
    secret = hmac.new(app.services.pseudonyms.key, _CSRF_LABEL, hashlib.sha256).digest()
    return PanelContext(
        sign_in=SignIn(operators, passwords, totp, attempts, audit, clock),
        audit=audit,
        operators=operators,
        sessions=sessions,
        clock=clock,
        csrf=CsrfTokens(secret),
        idle=timedelta(minutes=settings.panel_session_idle_minutes),
        lifetime=timedelta(hours=settings.panel_session_hours),
        trust_proxy=settings.panel_trust_proxy,
    )


def panel_routers(app: App, pages: Sequence[PanelPage] = ()) -> list[APIRouter]:
    """``/admin``: ``pages`` (the analytics, mailing and providers pages, first) and then the
    shell's own people, tenants and audit pages."""
    every = [*pages, *shell_pages(app)]
    return [build_panel_router(panel_context(app), every)]


def feature_pages(app: App, desk: MailingDesk) -> list[PanelPage]:
    """The analytics pages (the overview first), the mailing page over ``desk`` and, when the
    app has a provider router, the providers page."""
    pages = [*analytics_pages(analytics_service(app)), *mailing_pages(desk)]
    if app.router is not None:
        pages += provider_pages(RouterProviderStatus(app.router, app.services.clock))
    return pages
