"""The panel's providers page over the real router and the loopback provider fakes: an
open breaker with its end, errors by class, fallbacks, offline replies and a latency chart."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from markupsafe import Markup

from innertalk.domain.users import Language
from innertalk.infrastructure.llm.status import RouterProviderStatus, percentile_ms
from innertalk.presentation.panel.page import PanelPage, PanelViewer
from innertalk.presentation.panel.providers import provider_pages
from tests.fakes.providers import Behaviour
from tests.integration.router_chain_harness import REQUEST, Chain, running_chain

VIEWER = PanelViewer("olga", "alpha", Language.EN, Markup(""))


@pytest.fixture
async def chain(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Chain]:
    async with running_chain(monkeypatch) as chain:
        yield chain


def page_of(chain: Chain) -> PanelPage:
    [page] = provider_pages(RouterProviderStatus(chain.router, chain.clock))
    return page


def row(shown: str, provider: str) -> str:
    [found] = re.findall(
        rf'<tr class="provider [^"]*" data-provider="{provider}">.*?</tr>', shown, re.S
    )
    return found


async def test_an_open_breaker_shows_with_its_end_errors_and_fallbacks(chain: Chain) -> None:
    """Three 500s open gemini's breaker (30 s): the page shows it open until then, three
    transient errors, and openai's three replies as fallbacks with measured latency."""
    page = page_of(chain)
    chain.gemini.default = Behaviour.server_error(500)
    for _ in range(3):
        assert (await chain.router.complete(REQUEST)).provider == "openai"
    shown = await page.get(VIEWER, {})
    gemini = row(shown, "gemini")
    until = (chain.clock.now() + timedelta(seconds=30)).strftime("%Y-%m-%d %H:%M:%S UTC")
    assert "breaker-open" in gemini
    assert f"open until {until}" in gemini
    assert '<td class="errors">transient: 3</td>' in gemini
    openai = row(shown, "openai")
    assert "breaker-closed" in openai
    assert '<td class="fallbacks">3</td>' in openai
    assert re.search(r"<td>[\d.]+ ms</td><td>[\d.]+ ms</td><td>3</td>", openai)
    assert '<td class="errors">0</td>' in row(shown, "anthropic")
    assert '<svg class="latency-chart"' in shown
    assert shown.count('<rect class="p50"') == 1  # only openai has measured calls
    assert page.path == "/providers"


async def test_replies_of_the_offline_responder_are_counted(chain: Chain) -> None:
    """With every provider failing the offline responder answers, and the page counts it."""
    for server in chain.servers.values():
        server.default = Behaviour.server_error(503)
    reply = await chain.router.complete(REQUEST)
    assert reply.provider == "offline"
    shown = await page_of(chain).get(VIEWER, {})
    assert '<td class="offline-replies">1</td>' in shown


def test_percentiles_are_nearest_rank_in_milliseconds() -> None:
    """p50 and p95 of 1..100 ms are 50 and 95 ms; no samples, no figure."""
    seconds = [n / 1000 for n in range(1, 101)]
    assert (percentile_ms(seconds, 0.5), percentile_ms(seconds, 0.95)) == (50.0, 95.0)
    assert percentile_ms([], 0.5) is None
