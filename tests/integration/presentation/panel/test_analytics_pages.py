"""The analytics pages rendered for an operator from the hand-computed scenario: the figures
appear, every chart is well-formed SVG with the expected marks, and no one's words appear."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import pytest
from markupsafe import Markup

from innertalk.application.operations.analytics import AnalyticsService
from innertalk.domain.tenants import ApiKey, Tenant
from innertalk.domain.users import Language
from innertalk.infrastructure.storage.local.storage import LocalStorage
from innertalk.presentation.panel.analytics import analytics_pages
from innertalk.presentation.panel.page import PanelPage, PanelViewer
from tests.fakes.clock import FakeClock
from tests.scenarios.analytics import CRISIS, records

SVG = "{http://www.w3.org/2000/svg}"
PRIVATE = ("private words", "a private reply", "a private note")


class Directory:
    """Tenant ``t`` owns the scenario's ``bot-a`` and ``api:t``."""

    async def tenant(self, name: str) -> Tenant | None:
        return None

    async def tenant_of(self, realm: str) -> Tenant | None:
        return None

    async def realms(self, name: str) -> list[str]:
        return ["bot-a", "api:t"] if name == "t" else []

    async def authenticate(self, secret: str) -> ApiKey | None:
        return None


@pytest.fixture
async def pages() -> dict[str, PanelPage]:
    storage = LocalStorage()
    await storage.write(records())
    for mark in CRISIS:
        await storage.note_crisis(mark)
    clock = FakeClock(datetime(2026, 2, 12, 12, tzinfo=UTC))
    analytics = AnalyticsService(storage, storage, Directory(), clock, cost_of=lambda _: 0.5)
    return {page.path: page for page in analytics_pages(analytics)}


def viewer(language: Language = Language.EN, tenant: str | None = "t") -> PanelViewer:
    return PanelViewer("olga", tenant, language, Markup('<input type="hidden" name="csrf">'))


def charts(html: str) -> list[ET.Element]:
    """Every ``<svg>`` of the page, parsed (a malformed one raises)."""
    found = []
    rest = html
    while "<svg" in rest:
        start = rest.index("<svg")
        end = rest.index("</svg>", start) + len("</svg>")
        found.append(ET.fromstring(rest[start:end]))
        rest = rest[end:]
    return found


def private_words_absent(html: str) -> None:
    for words in PRIVATE:
        assert words not in html


async def test_overview_shows_the_tenants_figures_mood_trend_and_crisis_counts(
    pages: dict[str, PanelPage],
) -> None:
    """Tenant t: 7 people (a1-a7), 2 + 4 + 1 + 2 + 2 + 1 = 12 messages; two mood weeks; since
    Jan 13, one high suicide and one medium abuse signal."""
    html = str(await pages[""].get(viewer(), {}))
    assert "<dt>People</dt><dd>7</dd>" in html
    assert "<dt>Messages</dt><dd>12</dd>" in html
    (mood,) = charts(html)
    assert mood.find(f"{SVG}title") is not None
    assert len(mood.findall(f".//{SVG}circle")) == 2
    assert "<td>suicide</td><td>high</td><td>1</td>" in html
    assert "<td>abuse</td><td>medium</td><td>1</td>" in html
    assert "<dd>unknown</dd>" in html  # no reply in the last 24 hours was priced
    private_words_absent(html)


async def test_overview_for_every_tenant_counts_every_realm(pages: dict[str, PanelPage]) -> None:
    """An operator of all tenants (tenant ``None``) also counts bot-x's person."""
    html = str(await pages[""].get(viewer(tenant=None), {}))
    assert "<dd>8</dd>" in html


async def test_retention_table_shades_cells_and_charts_three_lines(
    pages: dict[str, PanelPage],
) -> None:
    """The Jan 5 cohort: 3 people, day 1 67 % (2), day 7 and 30 33 % (1); the chart has a line
    per return day with a point for each cohort old enough and not empty."""
    html = str(await pages["/retention"].get(viewer(), {}))
    assert "<td>Jan 05</td><td>3</td>" in html
    assert "67 % (2)" in html
    assert "33 % (1)" in html
    assert "background-color: rgba(37, 99, 235, 0.50)" in html  # 0.1 + 0.6 × 2/3
    (chart,) = charts(html)
    assert len(chart.findall(f".//{SVG}g[@class='series']")) == 3
    assert chart.find(f".//{SVG}circle/{SVG}title") is not None
    private_words_absent(html)


async def test_funnel_page_draws_a_bar_per_step_with_drop_off(pages: dict[str, PanelPage]) -> None:
    """Jan 5-25 (inclusive): 6, 5, 5, 4, 3 people; drop-off 17 %, 0 %, 20 %, 25 %."""
    query = {"since": "2026-01-05", "until": "2026-01-25"}
    html = str(await pages["/funnel"].get(viewer(), query))
    (chart,) = charts(html)
    bars = chart.findall(f".//{SVG}g[@class='bars']/{SVG}rect")
    assert [bar.findtext(f"{SVG}title") for bar in bars] == [
        "Started: 6",
        "Consented: 5",
        "First message: 5",
        "First session ended: 4",
        "Returned within 7 days: 3",
    ]
    assert "<td>Returned within 7 days</td><td>3</td><td>50 %</td><td>25 %</td>" in html
    private_words_absent(html)


async def test_experiments_page_has_intervals_whiskers_and_the_verdict_in_russian(
    pages: dict[str, PanelPage],
) -> None:
    """January in Russian: A 1 of 2 helpful, B 2 of 2; two points with whiskers, and the
    verdict that about 8 more votes are needed."""
    query = {"since": "2026-01-01", "until": "2026-01-31"}
    html = str(await pages["/experiments"].get(viewer(Language.RU), query))
    (chart,) = charts(html)
    assert len(chart.findall(f".//{SVG}g[@class='intervals']/{SVG}circle")) == 2
    assert len(chart.findall(f".//{SVG}g[@class='intervals']/{SVG}path")) == 2
    assert "Явной разницы между B и A пока нет: нужно ещё около 8 оценок." in html
    assert "<td>A</td><td>3</td><td>200 (" in html
    private_words_absent(html)


async def test_a_bad_period_falls_back_to_the_last_30_days(pages: dict[str, PanelPage]) -> None:
    """An unreadable ``since`` shows Jan 14 - Feb 12 instead of failing."""
    html = str(await pages["/funnel"].get(viewer(), {"since": "<script>"}))
    assert 'value="2026-01-14"' in html
    assert "<script>" not in html
