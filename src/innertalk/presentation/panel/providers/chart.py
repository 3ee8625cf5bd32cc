"""A small server-rendered SVG bar chart: p50 and p95 latency per provider (no script, no
CDN). Labels are escaped; the bars are proportional to the slowest p95."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

ROW = 28
LABEL = 120
WIDTH = 480
BAR = 10


@dataclass(frozen=True, slots=True)
class LatencyBar:
    label: str
    p50_ms: float | None
    p95_ms: float | None


def latency_chart(bars: Sequence[LatencyBar], title: str) -> Markup:
    """Two bars per provider (p50 dark, p95 light); a provider without samples gets none."""
    slowest = max((b.p95_ms or b.p50_ms or 0.0 for b in bars), default=0.0) or 1.0
    span = WIDTH - LABEL - 70
    height = ROW * len(bars) + 8
    rows = []
    for index, bar in enumerate(bars):
        y = 4 + index * ROW
        rows.append(f'<text x="0" y="{y + 14}" font-size="12">{escape(bar.label)}</text>')
        for offset, value, kind in ((0, bar.p50_ms, "p50"), (BAR + 1, bar.p95_ms, "p95")):
            if value is None:
                continue
            width = max(1.0, span * value / slowest)
            rows.append(
                f'<rect class="{kind}" x="{LABEL}" y="{y + offset}" width="{width:.1f}" '
                f'height="{BAR}"><title>{kind} {value:g} ms</title></rect>'
                f'<text x="{LABEL + width + 4:.1f}" y="{y + offset + 9}" font-size="10">'
                f"{value:g} ms</text>"
            )
    svg = (
        f'<svg class="latency-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}">'
        f"<title>{escape(title)}</title>"
        "<style>.p50{fill:#3b6ea8}.p95{fill:#a9c4e4}</style>"
        f"{''.join(rows)}</svg>"
    )
    return Markup(svg)  # noqa: S704 - numbers and escaped labels only
