"""Server-rendered SVG charts for the analytics pages: bars, lines and intervals with axes,
labels and an accessible ``<title>`` on the chart and on every mark; a fixed viewBox; no JS.

Charts are built as ``xml.etree`` elements and serialized by it, so every label is escaped by
the serializer and the result is always well-formed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from markupsafe import Markup

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 44
PALETTE = ("#2563eb", "#d97706", "#059669", "#7c3aed")
TICKS = 4

Format = Callable[[float], str]


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: Sequence[float | None]
    """One value per x label; ``None``: no point there (the line breaks)."""


@dataclass(frozen=True, slots=True)
class Whisker:
    label: str
    value: float | None
    low: float | None
    high: float | None


def _chart(title: str) -> ET.Element:
    svg = ET.Element(
        "svg",
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {WIDTH} {HEIGHT}",
        role="img",
        width="100%",
        preserveAspectRatio="xMidYMid meet",
    )
    svg.set("class", "chart")
    svg.set("aria-label", title)
    ET.SubElement(svg, "title").text = title
    return svg


def _text(parent: ET.Element, x: float, y: float, words: str, anchor: str = "start") -> None:
    element = ET.SubElement(parent, "text", x=f"{x:.1f}", y=f"{y:.1f}")
    element.set("font-size", "11")
    element.set("text-anchor", anchor)
    element.text = words


def _y(value: float, top: float) -> float:
    """The height of ``value`` on an axis from 0 to ``top``."""
    plot = HEIGHT - TOP - BOTTOM
    return HEIGHT - BOTTOM - (value / top * plot if top else 0.0)


def _axes(svg: ET.Element, top: float, fmt: Format) -> None:
    """The y axis with its ticks and grid, and the x axis line."""
    axes = ET.SubElement(svg, "g")
    axes.set("class", "axes")
    for tick in range(TICKS + 1):
        value = top * tick / TICKS
        y = _y(value, top)
        line = ET.SubElement(axes, "line", x1=str(LEFT), x2=str(WIDTH - RIGHT))
        line.set("y1", f"{y:.1f}")
        line.set("y2", f"{y:.1f}")
        line.set("stroke", "#d1d5db" if tick else "#374151")
        _text(axes, LEFT - 6, y + 4, fmt(value), "end")
    side = ET.SubElement(axes, "line", x1=str(LEFT), x2=str(LEFT), y1=str(TOP))
    side.set("y2", str(HEIGHT - BOTTOM))
    side.set("stroke", "#374151")


def _slots(count: int) -> tuple[float, list[float]]:
    """The width of one x slot and each slot's centre."""
    width = (WIDTH - LEFT - RIGHT) / max(count, 1)
    return width, [LEFT + width * (index + 0.5) for index in range(count)]


def _x_labels(svg: ET.Element, labels: Sequence[str], centres: list[float]) -> None:
    every = max(1, len(labels) // 12)  # at most ~12 labels fit under the axis
    for index, (label, x) in enumerate(zip(labels, centres, strict=True)):
        if index % every == 0:
            _text(svg, x, HEIGHT - BOTTOM + 16, label, "middle")


def bar_chart(
    title: str, bars: Sequence[tuple[str, float]], fmt: Format, *, top: float | None = None
) -> Markup:
    """Vertical bars, one per (label, value); each bar titled with its label and value."""
    top = top or max((value for _, value in bars), default=0.0) or 1.0
    svg = _chart(title)
    _axes(svg, top, fmt)
    width, centres = _slots(len(bars))
    group = ET.SubElement(svg, "g")
    group.set("class", "bars")
    for index, ((label, value), x) in enumerate(zip(bars, centres, strict=True)):
        y = _y(value, top)
        bar = ET.SubElement(group, "rect", x=f"{x - width * 0.35:.1f}", y=f"{y:.1f}")
        bar.set("width", f"{width * 0.7:.1f}")
        bar.set("height", f"{HEIGHT - BOTTOM - y:.1f}")
        bar.set("fill", PALETTE[index % len(PALETTE) if len(bars) <= 4 else 0])
        ET.SubElement(bar, "title").text = f"{label}: {fmt(value)}"
        _text(group, x, y - 4, fmt(value), "middle")
    _x_labels(svg, [label for label, _ in bars], centres)
    return Markup(ET.tostring(svg, encoding="unicode"))  # noqa: S704 (serialized by ElementTree)


def line_chart(
    title: str, labels: Sequence[str], series: Sequence[Series], fmt: Format, *, top: float
) -> Markup:
    """One line per series over the x labels, a titled point at each value, and a legend."""
    svg = _chart(title)
    _axes(svg, top, fmt)
    _, centres = _slots(len(labels))
    for index, line in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        group = ET.SubElement(svg, "g")
        group.set("class", "series")
        points = [
            (x, _y(value, top), label, value)
            for x, label, value in zip(centres, labels, line.values, strict=True)
            if value is not None
        ]
        if len(points) > 1:
            path = ET.SubElement(group, "polyline", fill="none", stroke=colour)
            path.set("points", " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points))
            path.set("stroke-width", "2")
        for x, y, label, value in points:
            dot = ET.SubElement(group, "circle", cx=f"{x:.1f}", cy=f"{y:.1f}", r="3.5")
            dot.set("fill", colour)
            ET.SubElement(dot, "title").text = f"{line.name}, {label}: {fmt(value)}"
        _legend(svg, index, line.name, colour)
    _x_labels(svg, labels, centres)
    return Markup(ET.tostring(svg, encoding="unicode"))  # noqa: S704 (serialized by ElementTree)


def _legend(svg: ET.Element, index: int, name: str, colour: str) -> None:
    x = LEFT + 8 + index * 110
    key = ET.SubElement(svg, "rect", x=f"{x}", y=str(HEIGHT - 14), width="10", height="10")
    key.set("fill", colour)
    _text(svg, x + 14, HEIGHT - 5, name)


def interval_chart(title: str, whiskers: Sequence[Whisker], fmt: Format) -> Markup:
    """A point per item on a 0-1 axis with its interval as a whisker, each titled."""
    svg = _chart(title)
    _axes(svg, 1.0, fmt)
    _, centres = _slots(len(whiskers))
    group = ET.SubElement(svg, "g")
    group.set("class", "intervals")
    for index, (item, x) in enumerate(zip(whiskers, centres, strict=True)):
        if item.value is None:
            continue
        colour = PALETTE[index % len(PALETTE)]
        if item.low is not None and item.high is not None:
            low, high = _y(item.low, 1.0), _y(item.high, 1.0)
            whisker = ET.SubElement(group, "path", stroke=colour, fill="none")
            whisker.set("d", f"M{x - 8:.1f},{high:.1f}h16M{x:.1f},{high:.1f}V{low:.1f}"
                             f"M{x - 8:.1f},{low:.1f}h16")  # fmt: skip
            whisker.set("stroke-width", "2")
            ET.SubElement(
                whisker, "title"
            ).text = f"{item.label}: {fmt(item.low)} – {fmt(item.high)}"
        dot = ET.SubElement(group, "circle", cx=f"{x:.1f}", cy=f"{_y(item.value, 1.0):.1f}")
        dot.set("r", "5")
        dot.set("fill", colour)
        ET.SubElement(dot, "title").text = f"{item.label}: {fmt(item.value)}"
    _x_labels(svg, [w.label for w in whiskers], centres)
    return Markup(ET.tostring(svg, encoding="unicode"))  # noqa: S704 (serialized by ElementTree)
