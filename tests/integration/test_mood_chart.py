"""The mood chart renders real PNGs with matplotlib: empty, sparse, full, in both languages."""

from __future__ import annotations

import asyncio
import struct
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import matplotlib
import pytest
from matplotlib import font_manager, ft2font

from innertalk.domain.users import Language
from innertalk.infrastructure.charts import PNG_SIGNATURE, ChartLabels, render_mood_chart
from innertalk.presentation.texts import text

END = date(2026, 11, 20)


def labels(language: Language, days: int = 90) -> ChartLabels:
    return ChartLabels(
        title=text("diary", language, "chart_title", days=days),
        axis=text("diary", language, "chart_axis"),
        daily=text("diary", language, "chart_daily"),
        moving_average=text("diary", language, "chart_moving_average", window=7),
        empty=text("diary", language, "chart_empty"),
    )


def points(count: int) -> list[tuple[date, float]]:
    return [(END - timedelta(days=i), 1 + (i * 7 % 10) * 0.9) for i in range(count)]


def png_size(image: bytes) -> tuple[int, int]:
    assert image.startswith(PNG_SIGNATURE)
    assert image[12:16] == b"IHDR"
    width, height = struct.unpack(">II", image[16:24])
    return width, height


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("count", [0, 1, 90])
def test_chart_is_a_phone_sized_png(language: Language, count: int) -> None:
    """0, 1 and 90 points each give a 1200x720 PNG in either language."""
    image = render_mood_chart(points(count), days=90, end=END, labels=labels(language))
    assert png_size(image) == (1200, 720)
    assert 5_000 < len(image) < 500_000


@pytest.mark.parametrize("language", list(Language))
def test_the_bundled_font_has_every_glyph_of_the_labels(language: Language) -> None:
    """DejaVu Sans, shipped inside matplotlib, covers every character of the chart texts."""
    path = font_manager.findfont(
        font_manager.FontProperties(family="DejaVu Sans"), fallback_to_default=False
    )
    assert Path(path).is_relative_to(Path(matplotlib.__file__).parent)
    charmap = ft2font.FT2Font(path).get_charmap()
    chart = labels(language)
    texts = [chart.title, chart.axis, chart.daily, chart.moving_average, chart.empty]
    missing = {char for line in texts for char in line if ord(char) not in charmap}
    assert missing == set()


def test_points_outside_the_window_are_left_out() -> None:
    """Old points do not stretch a 30-day chart; it is the same as without them."""
    recent = points(30)
    with_old = [*recent, (END - timedelta(days=200), 9.0)]
    chart = labels(Language.EN, 30)
    assert render_mood_chart(with_old, days=30, end=END, labels=chart) == render_mood_chart(
        recent, days=30, end=END, labels=chart
    )


def test_concurrent_renders_from_threads_are_identical() -> None:
    """Charts rendered from several threads at once come out byte-identical and valid."""
    chart = labels(Language.RU)
    expected = render_mood_chart(points(90), days=90, end=END, labels=chart)
    with ThreadPoolExecutor(max_workers=4) as pool:
        images = list(
            pool.map(
                lambda _: render_mood_chart(points(90), days=90, end=END, labels=chart), range(8)
            )
        )
    assert all(image == expected for image in images)


async def test_chart_renders_off_the_event_loop() -> None:
    """The documented way to call it from async code: asyncio.to_thread."""
    image = await asyncio.to_thread(
        render_mood_chart, points(10), days=30, end=END, labels=labels(Language.EN, 30)
    )
    assert image.startswith(PNG_SIGNATURE)


def test_a_window_of_no_days_is_refused() -> None:
    """days must be at least one."""
    with pytest.raises(ValueError, match="at least 1"):
        render_mood_chart([], days=0, end=END, labels=labels(Language.EN))
