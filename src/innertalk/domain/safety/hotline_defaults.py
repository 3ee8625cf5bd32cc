"""The built-in hotlines, written in the operator file's own format, and time zones → country.

OPERATORS MUST VERIFY THESE NUMBERS FOR THEIR DEPLOYMENT. They are well-known public
numbers as we understand them, chosen conservatively: where we were not sure of a line, we
list only the emergency number, and every list can fall back to the international
directories. Numbers change; override them with a hotline file (see ``hotlines``).
"""

from __future__ import annotations

from typing import Any

_ALL_DAY_FREE = {"en": "free, 24/7", "ru": "бесплатно, круглосуточно"}
_FREE = {"en": "free", "ru": "бесплатно"}
_ABUSE = ["abuse", "acute_danger"]

DEFAULT_DATA: dict[str, Any] = {
    "countries": {
        "RU": [
            {"name": {"en": "Emergency services", "ru": "Экстренные службы"},
             "contact": "112", "kind": "emergency", "note": _ALL_DAY_FREE},
            {"name": {"en": "Helpline for children, teenagers and parents",
                      "ru": "Телефон доверия для детей, подростков и их родителей"},
             "contact": "8-800-2000-122", "kind": "youth", "note": _FREE},
            {"name": {"en": "Moscow psychological help service",
                      "ru": "Московская служба психологической помощи"},
             "contact": "051", "kind": "crisis",
             "note": {"en": "Moscow; from a mobile: +7 495 051", "ru": "Москва; с мобильного:"
                      " +7 495 051"}},
            {"name": {"en": "National helpline for women facing domestic violence",
                      "ru": "Всероссийский телефон доверия для женщин, пострадавших от"
                            " домашнего насилия"},
             "contact": "8-800-7000-600", "kind": "abuse", "note": _FREE,
             "categories": _ABUSE},
        ],
        "KZ": [
            {"name": {"en": "Emergency services", "ru": "Экстренные службы"},
             "contact": "112", "kind": "emergency", "note": _ALL_DAY_FREE},
            {"name": {"en": "Helpline for children and young people",
                      "ru": "Телефон доверия для детей и молодёжи"},
             "contact": "150", "kind": "youth", "note": _FREE},
        ],
        "UA": [
            {"name": {"en": "Emergency services", "ru": "Экстренные службы"},
             "contact": "112", "kind": "emergency", "note": _ALL_DAY_FREE},
            {"name": {"en": "Lifeline Ukraine (suicide prevention)",
                      "ru": "Lifeline Ukraine (профилактика суицидов)"},
             "contact": "7333", "kind": "crisis",
             "note": {"en": "free from a mobile, 24/7", "ru": "бесплатно с мобильного,"
                      " круглосуточно"}},
            {"name": {"en": "La Strada national hotline on domestic violence",
                      "ru": "Национальная горячая линия «Ла Страда» по домашнему насилию"},
             "contact": "116 123", "kind": "abuse",
             "note": {"en": "from a mobile; landline: 0 800 500 335",
                      "ru": "с мобильного; со стационарного: 0 800 500 335"},
             "categories": _ABUSE},
        ],
        "BY": [
            {"name": {"en": "Emergency services", "ru": "Экстренные службы"},
             "contact": "112", "kind": "emergency",
             "note": {"en": "ambulance 103, police 102", "ru": "скорая 103, милиция 102"}},
            {"name": {"en": "National helpline for children and teenagers",
                      "ru": "Республиканская телефонная линия для детей и подростков"},
             "contact": "8-801-100-16-11", "kind": "youth", "note": _FREE},
        ],
        "US": [
            {"name": "Emergency services", "contact": "911", "kind": "emergency"},
            {"name": "988 Suicide & Crisis Lifeline", "contact": "988", "kind": "crisis",
             "note": "call or text, 24/7"},
            {"name": "Crisis Text Line", "contact": "text HOME to 741741", "kind": "crisis",
             "note": "24/7", "languages": ["en"]},
            {"name": "National Domestic Violence Hotline", "contact": "1-800-799-7233",
             "kind": "abuse", "note": "24/7", "categories": _ABUSE},
        ],
        "GB": [
            {"name": "Emergency services", "contact": "999", "kind": "emergency",
             "note": "or 112"},
            {"name": "Samaritans", "contact": "116 123", "kind": "crisis",
             "note": "free, 24/7", "languages": ["en"]},
            {"name": "Shout", "contact": "text SHOUT to 85258", "kind": "crisis",
             "note": "free, 24/7", "languages": ["en"]},
            {"name": "Childline (under 19s)", "contact": "0800 1111", "kind": "youth",
             "note": "free", "languages": ["en"]},
            {"name": "National Domestic Abuse Helpline", "contact": "0808 2000 247",
             "kind": "abuse", "note": "free, 24/7", "categories": _ABUSE},
        ],
    },
    "international": [
        {"name": {"en": "Your local emergency number", "ru": "Местный номер экстренных служб"},
         "contact": "112 / 911", "kind": "emergency",
         "note": {"en": "112 works in much of the world", "ru": "112 работает во многих"
                  " странах"}},
        {"name": {"en": "Find A Helpline: crisis lines by country",
                  "ru": "Find A Helpline: линии помощи по странам"},
         "contact": "findahelpline.com", "kind": "directory"},
        {"name": {"en": "Befrienders Worldwide: emotional support centres",
                  "ru": "Befrienders Worldwide: центры эмоциональной поддержки"},
         "contact": "befrienders.org", "kind": "directory"},
    ],
}  # fmt: skip

_RU_ZONES = [
    "Kaliningrad",
    "Moscow",
    "Simferopol",
    "Kirov",
    "Volgograd",
    "Astrakhan",
    "Saratov",
    "Ulyanovsk",
    "Samara",
]
_RU_ASIA = [
    "Yekaterinburg",
    "Omsk",
    "Novosibirsk",
    "Barnaul",
    "Tomsk",
    "Novokuznetsk",
    "Krasnoyarsk",
    "Irkutsk",
    "Chita",
    "Yakutsk",
    "Khandyga",
    "Vladivostok",
    "Ust-Nera",
    "Magadan",
    "Sakhalin",
    "Srednekolymsk",
    "Kamchatka",
    "Anadyr",
]
_ZONES = {
    **{f"Europe/{city}": "RU" for city in _RU_ZONES if city != "Simferopol"},
    **{f"Asia/{city}": "RU" for city in _RU_ASIA},
    **{
        f"Asia/{city}": "KZ"
        for city in ["Almaty", "Qostanay", "Aqtobe", "Aqtau", "Atyrau", "Oral", "Qyzylorda"]
    },
    **{f"Europe/{city}": "UA" for city in ["Kyiv", "Kiev", "Uzhgorod", "Zaporozhye"]},
    "Europe/Minsk": "BY",
    "Europe/London": "GB",
    "Europe/Belfast": "GB",
}
_US_PREFIXES = ("America/Indiana/", "America/Kentucky/", "America/North_Dakota/")
_US_ZONES = frozenset(
    f"America/{city}"
    for city in [
        "New_York",
        "Chicago",
        "Denver",
        "Phoenix",
        "Los_Angeles",
        "Anchorage",
        "Juneau",
        "Sitka",
        "Yakutat",
        "Nome",
        "Metlakatla",
        "Adak",
        "Boise",
        "Detroit",
        "Menominee",
    ]
) | {"Pacific/Honolulu", "US/Eastern", "US/Central", "US/Mountain", "US/Pacific"}


def country_from_timezone(timezone: str) -> str | None:
    """The country an IANA time zone belongs to, for the countries with built-in hotlines.

    Europe/Simferopol is deliberately not mapped: which country's lines to show there is not
    ours to decide, so its people get the international list (or the operator's choice).
    """
    if timezone in _ZONES:
        return _ZONES[timezone]
    if timezone in _US_ZONES or timezone.startswith(_US_PREFIXES):
        return "US"
    return None


LANGUAGE_COUNTRIES = {"ru": "RU"}
"""Where a person who never set a time zone most likely is, by the language they write in.

Russian speakers get Russia's lines (112 and the national lines) rather than the generic
international list; English has no single likely country, so it keeps the international list.
Either way the crisis notice offers "choose your country".
"""


def country_for(timezone: str | None, language: str) -> str | None:
    """The country whose hotlines to show: the time zone's when it names one of ours (an
    unset zone is UTC, which names none), else the one the person's language suggests."""
    found = country_from_timezone(timezone) if timezone else None
    return found or LANGUAGE_COUNTRIES.get(str(language))
