"""The panel's analytics pages (issue 16): the overview (``/admin``), ``/retention``,
``/funnel`` and ``/experiments``, with server-rendered SVG charts, in English and Russian.

Every figure is a count or a share computed by the database (``AnalyticsService``); nothing a
person wrote is ever read here.
"""

from __future__ import annotations

from innertalk.application.operations.analytics import AnalyticsService
from innertalk.presentation.panel.analytics.pages import AnalyticsBodies, templates
from innertalk.presentation.panel.page import PanelPage

__all__ = ["analytics_pages"]


def analytics_pages(analytics: AnalyticsService) -> list[PanelPage]:
    """The four pages over ``analytics``, for the panel's shell to serve under ``/admin``."""
    bodies = AnalyticsBodies(analytics, templates())
    return [
        PanelPage("", "nav_overview", bodies.overview),
        PanelPage("/retention", "nav_retention", bodies.retention),
        PanelPage("/funnel", "nav_funnel", bodies.funnel),
        PanelPage("/experiments", "nav_experiments", bodies.experiments),
    ]
