"""The mood chart: a PNG of daily averages and their moving average, drawn with matplotlib.

Rendering is CPU-bound (tens of milliseconds) and blocking: callers on the event loop must run
it in a worker thread, ``await asyncio.to_thread(render_mood_chart, points, ...)``.

It uses ``Figure`` with the Agg canvas directly and never pyplot, so no global figure manager
or GUI backend is involved. Matplotlib still documents itself as not thread-safe (shared text
and font caches), so renders are serialized by a module lock; a chart is rare and quick, so
the lock costs little. The font is DejaVu Sans, which ships inside matplotlib and covers
Latin and Cyrillic: nothing is downloaded and no system font is needed.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Final

from innertalk.domain.mood import moving_average
from innertalk.domain.wellbeing import MOOD_MAX, MOOD_MIN

if TYPE_CHECKING:  # matplotlib (≈55 MB) is imported by the first chart, not at start-up
    from matplotlib.figure import Figure

MOVING_AVERAGE_DAYS: Final = 7
PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"

_SIZE_INCHES: Final = (8.0, 4.8)
_DPI: Final = 150  # 1200 x 720 px: sharp on a phone, under Telegram's 1280 px photo limit
_MAX_TICKS: Final = 6
_DAILY_COLOR: Final = "#8fb3d9"
_AVERAGE_COLOR: Final = "#1f5f9e"
_render_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class ChartLabels:
    """The chart's words, already in the reader's language (``diary.toml`` ``chart_*``)."""

    title: str
    axis: str
    daily: str
    moving_average: str
    empty: str


def render_mood_chart(
    points: Sequence[tuple[date, float]],
    *,
    days: int,
    end: date,
    labels: ChartLabels,
) -> bytes:
    """A PNG of ``points`` (daily averages, 1-10) over the ``days`` days ending on ``end``.

    Points outside that window are ignored; with none left, the chart says ``labels.empty``.
    Blocking and CPU-bound: run it in a thread (``asyncio.to_thread``).
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    start = end - timedelta(days=days - 1)
    shown = sorted((day, value) for day, value in points if start <= day <= end)
    with (
        _render_lock,
        matplotlib.rc_context(
            {
                "font.family": "sans-serif",
                "font.sans-serif": ["DejaVu Sans"],
                "font.size": 14,
                "axes.labelsize": 14,
                "xtick.labelsize": 13,
                "ytick.labelsize": 13,
                "legend.fontsize": 13,
                "axes.spines.top": False,
                "axes.spines.right": False,
            }
        ),
    ):
        figure = Figure(figsize=_SIZE_INCHES, dpi=_DPI, layout="constrained")
        FigureCanvasAgg(figure)
        _draw(figure, shown, start, end, labels)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    return buffer.getvalue()


def _draw(
    figure: Figure,
    points: Sequence[tuple[date, float]],
    start: date,
    end: date,
    labels: ChartLabels,
) -> None:
    from matplotlib.ticker import FixedLocator

    figure.suptitle(labels.title, x=0.02, ha="left", fontsize=17)
    axes = figure.add_subplot()
    axes.set_ylabel(labels.axis)
    axes.set_ylim(MOOD_MIN - 0.5, MOOD_MAX + 0.5)
    axes.yaxis.set_major_locator(FixedLocator(range(MOOD_MIN, MOOD_MAX + 1)))
    # x is "days since start": plain numbers need no date converter, and half a day of
    # margin keeps the first and last markers off the frame.
    span = (end - start).days
    axes.set_xlim(-0.5, span + 0.5)
    ticks = _date_ticks(span)
    axes.set_xticks(ticks, [(start + timedelta(days=tick)).strftime("%d.%m") for tick in ticks])
    axes.grid(axis="y", alpha=0.3)
    if not points:
        axes.text(
            0.5,
            0.5,
            labels.empty,
            transform=axes.transAxes,
            ha="center",
            va="center",
            color="#666666",
        )
        return
    axes.plot(
        [(day - start).days for day, _ in points],
        [value for _, value in points],
        linestyle="none",
        marker="o",
        markersize=7,
        color=_DAILY_COLOR,
        label=labels.daily,
    )
    smoothed = moving_average(points, MOVING_AVERAGE_DAYS)
    axes.plot(
        [(day - start).days for day, _ in smoothed],
        [value for _, value in smoothed],
        linewidth=3,
        color=_AVERAGE_COLOR,
        label=labels.moving_average,
    )
    axes.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0, 1.0, 0.1), ncols=2, frameon=False)


def _date_ticks(span: int) -> list[int]:
    """At most ``_MAX_TICKS`` evenly spaced day offsets, the last one on the final day."""
    step = max(1, math.ceil((span + 1) / _MAX_TICKS))
    return sorted(range(span, -1, -step))
