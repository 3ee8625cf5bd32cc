"""Typed time zones: IANA names in any case, cities, offsets; nonsense is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from innertalk.presentation.telegram.keyboards.timezones import (
    COMMON_ZONES,
    parse_timezone,
    utc_offset,
)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Moscow", "Europe/Moscow"),
        ("europe/moscow", "Europe/Moscow"),
        ("  Moscow ", "Europe/Moscow"),
        ("new york", "America/New_York"),
        ("New_York", "America/New_York"),
        ("UTC", "UTC"),
        ("utc+3", "Etc/GMT-3"),
        ("GMT-5", "Etc/GMT+5"),
        ("+7", "Etc/GMT-7"),
        ("UTC+0", "UTC"),
        ("UTC+05:00", "Etc/GMT-5"),
    ],
)
def test_what_people_type_is_understood(typed: str, zone: str) -> None:
    """Names, cities and whole-hour offsets resolve to the IANA zone."""
    assert parse_timezone(typed) == zone


@pytest.mark.parametrize("typed", ["", "Mars/Olympus", "UTC+15", "I feel sad", "x" * 100])
def test_nonsense_is_refused(typed: str) -> None:
    """Anything that is not a zone is ``None``."""
    assert parse_timezone(typed) is None


def test_offsets_are_shown_as_people_read_them() -> None:
    """Offsets include half hours and follow daylight saving time."""
    winter = datetime(2026, 1, 15, 12, tzinfo=UTC)
    summer = datetime(2026, 7, 15, 12, tzinfo=UTC)
    assert utc_offset("Europe/Moscow", winter) == "UTC+3"
    assert utc_offset("Asia/Kolkata", winter) == "UTC+5:30"
    assert utc_offset("America/New_York", winter) == "UTC-5"
    assert utc_offset("America/New_York", summer) == "UTC-4"
    assert utc_offset("UTC", summer) == "UTC"
    assert all(parse_timezone(zone) == zone for zone in COMMON_ZONES)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Москва", "Europe/Moscow"),
        ("москва", "Europe/Moscow"),
        ("Питер", "Europe/Moscow"),
        ("Санкт-Петербург", "Europe/Moscow"),
        ("Нижний Новгород", "Europe/Moscow"),
        ("Киев", "Europe/Kyiv"),
        ("Київ", "Europe/Kyiv"),
        ("Kiev", "Europe/Kyiv"),
        ("Алматы", "Asia/Almaty"),
        ("Астана", "Asia/Almaty"),
        ("Минск", "Europe/Minsk"),
        ("Новосибирск", "Asia/Novosibirsk"),
        ("Екатеринбург", "Asia/Yekaterinburg"),
        ("Кишинёв", "Europe/Chisinau"),
        ("Кишинев", "Europe/Chisinau"),
        ("Нью-Йорк", "America/New_York"),
        ("  лондон ", "Europe/London"),
    ],
)
def test_cities_typed_in_russian_or_english_are_understood(typed: str, zone: str) -> None:
    """Cyrillic and everyday city names (Москва, Киев, Алматы, Минск, Питер) name their zone."""
    assert parse_timezone(typed) == zone
