"""Reading instrument files: ``parse_instrument`` for one file's text, and the built-in set.

Instruments are TOML files in ``instruments/``, the package's static data (reading them is no
I/O in the sense of the layer rule). Parsing checks a file thoroughly — bands that tile the
score range, known subscales, crisis rules on real items — so a broken file fails at load,
not in the middle of someone's questionnaire.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from innertalk.domain.questionnaires.instruments import (
    PERCENT_MAX,
    Band,
    CrisisRule,
    HigherIs,
    Instrument,
    Item,
    Localized,
    Option,
    Scoring,
    ScoringMethod,
    Subscale,
)

_ID = re.compile(r"^[a-z][a-z0-9_]{0,15}$")
"""Short enough that a step of any instrument fits Telegram's 64-byte callback data."""


class InstrumentError(ValueError):
    """An instrument file that is malformed or inconsistent."""


def parse_instrument(text: str) -> Instrument:
    """The instrument described by TOML ``text``; ``InstrumentError`` when it is inconsistent."""
    try:
        data = tomllib.loads(text)
        instrument = _build(data)
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as error:
        if isinstance(error, InstrumentError):
            raise
        raise InstrumentError(f"malformed instrument: {error!r}") from error
    _check(instrument)
    return instrument


@cache
def load_builtin_instruments() -> Mapping[str, Instrument]:
    """Every instrument shipped in ``innertalk/domain/questionnaires/instruments``, by id."""
    folder = resources.files("innertalk.domain.questionnaires").joinpath("instruments")
    found: dict[str, Instrument] = {}
    for entry in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if entry.name.endswith(".toml"):
            instrument = parse_instrument(entry.read_text(encoding="utf-8"))
            if instrument.id in found:
                raise InstrumentError(f"two instruments with id {instrument.id!r}")
            found[instrument.id] = instrument
    return MappingProxyType(found)


def _localized(data: Mapping[str, Any]) -> Localized:
    return Localized(en=_text(data["en"]), ru=_text(data["ru"]))


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InstrumentError(f"expected a non-empty text, got {value!r}")
    return value.strip()


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InstrumentError(f"expected an integer, got {value!r}")
    return value


def _band(data: Mapping[str, Any]) -> Band:
    return Band(
        key=_text(data["key"]),
        min=_int(data["min"]),
        max=_int(data["max"]),
        label=_localized(data["label"]),
        meaning=_localized(data["meaning"]),
    )


def _build(data: Mapping[str, Any]) -> Instrument:
    scoring = data["scoring"]
    return Instrument(
        id=_text(data["id"]),
        short_name=_text(data["short_name"]),
        title=_localized(data["title"]),
        instructions=_localized(data["instructions"]),
        disclaimer=_localized(data["disclaimer"]),
        items=tuple(
            Item(
                text=_localized(item),
                reverse=bool(item.get("reverse", False)),
                subscale=str(item.get("subscale", "")),
                skippable=bool(item.get("skippable", True)),
            )
            for item in data["items"]
        ),
        options=tuple(
            Option(_int(option["value"]), _localized(option["label"]))
            for option in data["options"]
        ),
        scoring=Scoring(
            method=ScoringMethod(scoring["method"]),
            multiplier=_int(scoring.get("multiplier", 1)),
            max_missing=_int(scoring.get("max_missing", 0)),
        ),
        bands=tuple(_band(band) for band in data.get("bands", ())),
        subscales=tuple(
            Subscale(
                key=_text(subscale["key"]),
                name=_localized(subscale["name"]),
                bands=tuple(_band(band) for band in subscale["bands"]),
            )
            for subscale in data.get("subscales", ())
        ),
        crisis=tuple(
            CrisisRule(item=_int(rule["item"]) - 1, min_value=_int(rule["min_value"]))
            for rule in data.get("crisis", ())
        ),
        higher_is=HigherIs(data["higher_is"]),
        meaningful_change=_int(data.get("meaningful_change", 1)),
        source=_text(data["source"]),
        license=_text(data["license"]),
        translation=_text(data["translation"]),
    )


def _check(instrument: Instrument) -> None:
    problems = [*_structure_problems(instrument), *_scoring_problems(instrument)]
    if problems:
        raise InstrumentError(f"instrument {instrument.id!r}: " + "; ".join(problems))


def _structure_problems(instrument: Instrument) -> list[str]:
    problems = []
    if not _ID.match(instrument.id):
        problems.append("id must be 1-16 characters a-z, 0-9, _ and start with a letter")
    if not instrument.items:
        problems.append("no items")
    if len(instrument.options) < 2:
        problems.append("fewer than two options")
    if len(instrument.option_values) != len(instrument.options):
        problems.append("duplicate option values")
    known = {subscale.key for subscale in instrument.subscales}
    if len(known) != len(instrument.subscales):
        problems.append("duplicate subscale keys")
    for number, item in enumerate(instrument.items, start=1):
        if item.subscale and item.subscale not in known:
            problems.append(f"item {number} names unknown subscale {item.subscale!r}")
    for subscale in instrument.subscales:
        if not any(item.subscale == subscale.key for item in instrument.items):
            problems.append(f"subscale {subscale.key!r} has no items")
    for rule in instrument.crisis:
        if not 0 <= rule.item < len(instrument.items):
            problems.append(f"crisis rule names item {rule.item + 1}, which does not exist")
    return problems


def _scoring_problems(instrument: Instrument) -> list[str]:
    problems = []
    scoring = instrument.scoring
    if scoring.multiplier < 1 or scoring.max_missing < 0:
        problems.append("multiplier must be >= 1 and max_missing >= 0")
    if instrument.meaningful_change < 1:
        problems.append("meaningful_change must be >= 1")
    if scoring.method is ScoringMethod.SUM:
        if scoring.max_missing >= len(instrument.items):
            problems.append("max_missing must leave at least one answered item")
        problems += _coverage_problems(
            "bands", instrument.bands, instrument.min_total, instrument.max_total
        )
    else:
        if not instrument.subscales:
            problems.append("subscale_mean scoring needs subscales")
        if instrument.bands:
            problems.append("subscale_mean scoring has no total, so no total bands")
        if any(not item.subscale for item in instrument.items):
            problems.append("subscale_mean scoring needs every item in a subscale")
    for subscale in instrument.subscales:
        problems += _coverage_problems(
            f"subscale {subscale.key!r} bands", subscale.bands, 0, PERCENT_MAX
        )
    return problems


def _coverage_problems(what: str, bands: tuple[Band, ...], low: int, high: int) -> list[str]:
    """Bands must tile ``low..high`` exactly: every score in one band, none left over."""
    ordered = sorted(bands, key=lambda band: band.min)
    if not ordered:
        return [f"{what}: none"]
    if len({band.key for band in ordered}) != len(ordered):
        return [f"{what}: duplicate keys"]
    if ordered[0].min != low or ordered[-1].max != high:
        return [f"{what}: must cover {low}..{high}"]
    for before, after in itertools.pairwise(ordered):
        if before.max < before.min or after.min != before.max + 1:
            return [f"{what}: gap or overlap between {before.key!r} and {after.key!r}"]
    if ordered[-1].max < ordered[-1].min:
        return [f"{what}: band {ordered[-1].key!r} is empty"]
    return []
