"""The analytics use case from the app, for the API's ``/stats/…`` routes and the panel's
pages: counts come straight from the store (not through the write-behind queue, which only
holds writes), per-realm totals and spend from the app's storage."""

from __future__ import annotations

from typing import cast

from innertalk.application.operations.analytics import AnalyticsService, AnalyticsStore
from innertalk.bootstrap.app import App
from innertalk.bootstrap.models import price_table


def analytics_service(app: App) -> AnalyticsService:
    """``AnalyticsService`` over ``app``'s store (every backend implements ``AnalyticsStore``)."""
    return AnalyticsService(
        store=cast(AnalyticsStore, app.storage.inner),
        stats=app.storage,
        directory=app.tenancy.directory,
        clock=app.services.clock,
        cost_of=price_table(app.settings.llm).spend_cost,
    )
