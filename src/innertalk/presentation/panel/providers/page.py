"""``/providers``: a table and a latency chart from ``ProviderStatus`` (numbers only). The
chain is the deployment's, so every operator sees the same page."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from innertalk.application.operations.provider_status import ProviderStatus
from innertalk.presentation.panel.page import PanelPage, PanelViewer
from innertalk.presentation.panel.providers.chart import LatencyBar, latency_chart
from innertalk.presentation.texts import Catalog, template

CATALOG = Catalog.PANEL_PROVIDERS


def provider_pages(status: ProviderStatus) -> list[PanelPage]:
    """The page over ``status`` (``infrastructure.llm.status.RouterProviderStatus`` over
    ``App.router`` and the services' clock)."""

    async def get(viewer: PanelViewer, _query: Mapping[str, str]) -> Markup:
        report = await status.report()

        def t(key: str, **fields: object) -> str:
            written = template(CATALOG, viewer.language, key)
            return written.format(**fields) if fields else written

        bars = [LatencyBar(p.name, p.p50_ms, p.p95_ms) for p in report.providers]
        html = (
            _environment()
            .get_template("providers.html")
            .render(
                t=t,
                report=report,
                chart=latency_chart(bars, t("chart_title")),
                moment=_moment,
                ms=_ms,
            )
        )
        return Markup(html)  # noqa: S704 - autoescaped template output

    return [PanelPage("/providers", "nav_providers", get)]


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("innertalk.presentation.panel", "templates/providers"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _moment(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:g} ms"
