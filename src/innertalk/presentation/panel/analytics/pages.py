"""The analytics pages' bodies: figures from ``AnalyticsService`` for the viewer's tenant,
rendered by jinja2 with autoescaping, charts by ``svg``. Counts and shares only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template
from markupsafe import Markup

from innertalk.application.operations.analytics import MOOD_WEEKS, AnalyticsService
from innertalk.domain.analytics import RETURN_DAYS, ArmCounts, Interval
from innertalk.domain.users import Language
from innertalk.presentation.panel.analytics import svg
from innertalk.presentation.panel.page import PanelViewer
from innertalk.presentation.texts import Catalog, text
from innertalk.presentation.verdicts import verdict_text

PERIOD_DAYS = 30

_ENVIRONMENT = Environment(
    loader=PackageLoader("innertalk.presentation.panel", "templates/analytics"),
    autoescape=True,
    undefined=StrictUndefined,
)


def templates() -> dict[str, Template]:
    """Every template, loaded once when the pages are built (never on the event loop)."""
    names = ("overview", "retention", "funnel", "experiments")
    return {name: _ENVIRONMENT.get_template(f"{name}.html") for name in names}


def percent(share: float) -> str:
    return f"{share * 100:.0f} %"


def _words(language: Language) -> Any:
    def words(key: str, **fields: object) -> str:
        return text(Catalog.PANEL_ANALYTICS, language, key, **fields)

    return words


def _day(value: date, language: Language) -> str:
    return value.strftime("%d.%m" if language is Language.RU else "%b %d")


def period(query: Mapping[str, str], now: datetime) -> tuple[date, date]:
    """The query's ``since``/``until`` days (inclusive); the last 30 days when missing or bad."""
    until = _parsed(query.get("until")) or now.date()
    since = _parsed(query.get("since")) or until - timedelta(days=PERIOD_DAYS - 1)
    return (since, until) if since <= until else (until, until)


def _parsed(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _moments(since: date, until: date) -> tuple[datetime, datetime]:
    return datetime.combine(since, time(), UTC), datetime.combine(until, time(), UTC) + timedelta(
        days=1
    )


@dataclass(frozen=True, slots=True)
class AnalyticsBodies:
    analytics: AnalyticsService
    templates: Mapping[str, Template]

    async def overview(self, viewer: PanelViewer, _query: Mapping[str, str]) -> Markup:
        t, language = _words(viewer.language), viewer.language
        found = await self.analytics.overview(viewer.tenant)
        figures = [
            ("people", found.people), ("new_24h", found.new_24h), ("new_7d", found.new_7d),
            ("dau", found.dau), ("wau", found.wau), ("mau", found.mau),
            ("messages", found.messages), ("sessions", found.sessions),
        ]  # fmt: skip
        cost = found.cost_per_active_person
        mood = svg.line_chart(
            t("mood_chart", weeks=MOOD_WEEKS),
            [_day(week.starts, language) for week in found.mood],
            [svg.Series(t("mood_title"), [week.average for week in found.mood])],
            lambda value: f"{value:.0f}",
            top=10.0,
        )
        return self._render(
            "overview",
            t,
            figures=figures,
            cost=t("unknown") if cost is None else t("cost_value", value=f"{cost:.4f}"),
            mood_chart=mood if any(week.entries for week in found.mood) else None,
            crisis=found.crisis,
        )

    async def retention(self, viewer: PanelViewer, _query: Mapping[str, str]) -> Markup:
        t, language = _words(viewer.language), viewer.language
        cohorts = await self.analytics.retention(viewer.tenant)
        labels = [_day(c.starts, language) for c in cohorts]
        series = [
            svg.Series(t("day_n", days=days), [c.share(index) for c in cohorts])
            for index, days in enumerate(RETURN_DAYS)
        ]
        rows = [
            {
                "week": _day(c.starts, language),
                "size": c.size,
                "cells": [_cell(c.share(i), c.returned[i]) for i in range(len(RETURN_DAYS))],
            }
            for c in cohorts
        ]
        chart = svg.line_chart(t("retention_chart"), labels, series, percent, top=1.0)
        return self._render("retention", t, chart=chart, rows=rows, return_days=RETURN_DAYS)

    async def funnel(self, viewer: PanelViewer, query: Mapping[str, str]) -> Markup:
        t = _words(viewer.language)
        since, until = period(query, self.analytics.clock.now())
        stages = await self.analytics.funnel(viewer.tenant, *_moments(since, until))
        names = [t(f"step_{stage.step.value}") for stage in stages]
        chart = svg.bar_chart(
            t("funnel_chart"),
            [(name, float(stage.people)) for name, stage in zip(names, stages, strict=True)],
            lambda value: f"{value:.0f}",
        )
        rows = [
            {
                "name": name,
                "people": stage.people,
                "of_start": "—" if stage.share_of_start is None else percent(stage.share_of_start),
                "drop_off": "—" if stage.drop_off is None else percent(stage.drop_off),
            }
            for name, stage in zip(names, stages, strict=True)
        ]
        return self._render(
            "funnel", t, chart=chart, rows=rows, since=since.isoformat(), until=until.isoformat()
        )

    async def experiments(self, viewer: PanelViewer, query: Mapping[str, str]) -> Markup:
        t = _words(viewer.language)
        since, until = period(query, self.analytics.clock.now())
        found = await self.analytics.experiments(viewer.tenant, *_moments(since, until))
        chart = svg.interval_chart(
            t("experiments_chart"),
            [_whisker(arm) for arm in found.arms],
            percent,
        )
        return self._render(
            "experiments",
            t,
            chart=chart,
            rows=[_variant_row(arm) for arm in found.arms],
            verdict=verdict_text(found.verdict, viewer.language),
            since=since.isoformat(),
            until=until.isoformat(),
        )

    def _render(self, name: str, words: Any, **context: Any) -> Markup:
        return Markup(self.templates[name].render(t=words, **context))  # noqa: S704 (autoescaped)


def _cell(share: float | None, count: int | None) -> dict[str, Any]:
    if count is None or share is None:
        return {"text": "—", "shade": None}
    return {"text": f"{percent(share)} ({count})", "shade": f"{0.1 + 0.6 * share:.2f}"}


def _whisker(arm: ArmCounts) -> svg.Whisker:
    interval = arm.helpful_interval
    return svg.Whisker(
        arm.variant,
        arm.helpful_share,
        None if interval is None else interval.low,
        None if interval is None else interval.high,
    )


def _between(interval: Interval | None, fmt: str) -> str:
    return "" if interval is None else f" ({interval.low:{fmt}} – {interval.high:{fmt}})"


def _variant_row(arm: ArmCounts) -> dict[str, Any]:
    share, latency = arm.helpful_share, arm.mean_latency
    helpful = arm.helpful_interval
    return {
        "variant": arm.variant,
        "replies": arm.replies,
        "latency": "—"
        if latency is None
        else f"{latency:.0f}{_between(arm.latency_interval, '.0f')}",
        "tokens": f"{arm.input_tokens} / {arm.output_tokens}",
        "votes": f"{arm.helpful} / {arm.votes}",
        "helpful": "—"
        if share is None
        else percent(share)
        + ("" if helpful is None else f" ({percent(helpful.low)} – {percent(helpful.high)})"),
    }
