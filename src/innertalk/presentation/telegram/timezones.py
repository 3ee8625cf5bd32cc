"""Time zones as people name them: buttons for common ones, and forgiving parsing of typed ones."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

COMMON_ZONES = (
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Novosibirsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Vladivostok",
    "Europe/Minsk",
    "Europe/Kyiv",
    "Asia/Almaty",
    "Asia/Tbilisi",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
)
"""Offered as buttons (Russian-speaking regions first, then a few big Western ones)."""

_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])\s*(\d{1,2})(?::?00)?$", re.IGNORECASE)


@cache
def _zones_by_folded_name() -> dict[str, str]:
    """Every IANA zone by its case-folded full name and by its city (``moscow``)."""
    found: dict[str, str] = {}
    for name in sorted(available_timezones()):
        if name.startswith(("posix/", "right/")) or name in ("localtime", "Factory"):
            continue
        found.setdefault(name.casefold(), name)
        city = name.rsplit("/", 1)[-1].casefold()
        if "/" in name and not name.startswith("Etc/"):
            found.setdefault(city, name)
    return found


def parse_timezone(typed: str) -> str | None:
    """The IANA zone someone means by ``Europe/Moscow``, ``moscow``, ``New York``, ``UTC+3``.

    Whole-hour offsets map to ``Etc/GMT∓N`` (whose sign is inverted by POSIX convention).
    ``None`` when nothing matches.
    """
    cleaned = " ".join(typed.strip().split())
    if not cleaned or len(cleaned) > 64:
        return None
    if offset := _OFFSET.match(cleaned):
        sign, hours = offset.groups()
        if int(hours) == 0:
            return "UTC"
        if int(hours) > 14:
            return None
        return f"Etc/GMT{'-' if sign == '+' else '+'}{int(hours)}"
    return _zones_by_folded_name().get(cleaned.replace(" ", "_").casefold())


def utc_offset(name: str, now: datetime) -> str:
    """``UTC+3``, ``UTC-4``, ``UTC+5:30`` for the zone at ``now``."""
    delta = now.astimezone(ZoneInfo(name)).utcoffset()
    minutes = int(delta.total_seconds() // 60) if delta else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    if not minutes:
        return "UTC"
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
