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

_CITIES = {
    "Europe/Moscow": "москва мск moscow msk санкт-петербург петербург питер спб "
    "saint-petersburg st-petersburg petersburg казань kazan нижний-новгород nizhny-novgorod "
    "воронеж ростов-на-дону ростов краснодар сочи ярославль тверь тула рязань смоленск "
    "мурманск архангельск петрозаводск великий-новгород псков белгород курск липецк "
    "ставрополь махачкала грозный симферополь севастополь",
    "Europe/Kaliningrad": "калининград kaliningrad",
    "Europe/Samara": "самара samara ижевск izhevsk ульяновск",
    "Europe/Volgograd": "волгоград volgograd",
    "Europe/Saratov": "саратов saratov",
    "Asia/Yekaterinburg": "екатеринбург екб yekaterinburg ekaterinburg челябинск chelyabinsk "
    "пермь perm уфа ufa тюмень tyumen оренбург курган",
    "Asia/Omsk": "омск omsk",
    "Asia/Novosibirsk": "новосибирск нск novosibirsk",
    "Asia/Barnaul": "барнаул barnaul",
    "Asia/Tomsk": "томск tomsk",
    "Asia/Novokuznetsk": "кемерово новокузнецк kemerovo",
    "Asia/Krasnoyarsk": "красноярск krasnoyarsk",
    "Asia/Irkutsk": "иркутск irkutsk улан-удэ",
    "Asia/Chita": "чита chita",
    "Asia/Yakutsk": "якутск yakutsk",
    "Asia/Vladivostok": "владивосток vladivostok хабаровск khabarovsk",
    "Asia/Magadan": "магадан magadan",
    "Asia/Sakhalin": "южно-сахалинск сахалин",
    "Asia/Kamchatka": "петропавловск-камчатский камчатка",
    "Europe/Kyiv": "киев київ kyiv kiev kiew харьков харків kharkiv одесса одеса odesa odessa "
    "днепр дніпро dnipro львов львів lviv запорожье запоріжжя",
    "Europe/Minsk": "минск мінск minsk гомель брест гродно витебск могилёв могилев",
    "Asia/Almaty": "алматы алма-ата almaty astana астана нур-султан караганда шымкент",
    "Asia/Tashkent": "ташкент tashkent самарканд",
    "Asia/Bishkek": "бишкек bishkek",
    "Asia/Dushanbe": "душанбе dushanbe",
    "Asia/Tbilisi": "тбилиси tbilisi",
    "Asia/Yerevan": "ереван yerevan",
    "Asia/Baku": "баку baku",
    "Europe/Chisinau": "кишинёв кишинев chisinau",
    "Europe/Riga": "рига riga",
    "Europe/Vilnius": "вильнюс vilnius",
    "Europe/Tallinn": "таллин таллинн tallinn",
    "Europe/London": "лондон london",
    "Europe/Berlin": "берлин berlin",
    "Europe/Paris": "париж paris",
    "Europe/Warsaw": "варшава warsaw",
    "Europe/Prague": "прага prague",
    "Europe/Istanbul": "стамбул istanbul анталья",
    "Asia/Jerusalem": "иерусалим тель-авив tel-aviv хайфа",
    "Asia/Dubai": "дубай dubai",
    "America/New_York": "нью-йорк new-york nyc",
    "America/Los_Angeles": "лос-анджелес los-angeles сан-франциско san-francisco",
    "America/Chicago": "чикаго",
}
"""Cities as people type them, in Russian and English, to their zones (spaces as hyphens)."""

_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])\s*(\d{1,2})(?::?00)?$", re.IGNORECASE)


@cache
def _zones_by_folded_name() -> dict[str, str]:
    """Every IANA zone by its case-folded full name and by its city (``moscow``), and the
    cities of ``_CITIES`` (``москва``, ``питер``, ``алматы``)."""
    found: dict[str, str] = {
        city: zone for zone, cities in _CITIES.items() for city in cities.split()
    }
    for name in sorted(available_timezones()):
        if name.startswith(("posix/", "right/")) or name in ("localtime", "Factory"):
            continue
        found.setdefault(name.casefold(), name)
        city = name.rsplit("/", 1)[-1].casefold()
        if "/" in name and not name.startswith("Etc/"):
            found.setdefault(city, name)
    return found


def parse_timezone(typed: str) -> str | None:
    """The IANA zone someone means by ``Europe/Moscow``, ``moscow``, ``Москва``, ``New York``,
    ``UTC+3``.

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
    zones = _zones_by_folded_name()
    folded = cleaned.casefold().replace("ё", "е")
    return zones.get(folded.replace(" ", "_")) or zones.get(folded.replace(" ", "-"))


def utc_offset(name: str, now: datetime) -> str:
    """``UTC+3``, ``UTC-4``, ``UTC+5:30`` for the zone at ``now``."""
    delta = now.astimezone(ZoneInfo(name)).utcoffset()
    minutes = int(delta.total_seconds() // 60) if delta else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    if not minutes:
        return "UTC"
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
