"""The warning-sign taxonomy rules: every sign, both languages, positives and hard negatives.

``tests/data/crisis_taxonomy_dev.jsonl`` is a development set written from the clinical
warning-sign taxonomy (field ``sign``): paraphrase families per sign and language, and hard
negatives sharing their words (idioms, trips, chores, games, news, negations, the past).
It was written before the sign rules and measured once: the detector then found 25.4 % of
its positives with 2.0 % false alarms. The rules were then designed from the signs'
structure, so the figures this test prints are in-sample; the sealed held-out set measures
generalisation.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from innertalk.domain.safety import CrisisCategory, CrisisDetector, detect_crisis
from innertalk.domain.safety.detector import RULES
from innertalk.domain.safety.text import variants

DEV = Path(__file__).parents[3] / "data" / "crisis_taxonomy_dev.jsonl"
SIGNS = (
    "means_place",
    "preparation",
    "finality",
    "self_harm_urge",
    "child_abuse",
    "hopeless_ending",
    "burden",
    "harm_others",
    "wish_dead",
    "euphemism",
)
MIN_SIGN_RECALL = 0.90
MAX_FALSE_ALARM_RATE = 0.02
MAX_SIGN_FALSE_ALARMS = 1


def _rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in DEV.read_text("utf-8").splitlines() if line.strip()]


ROWS = _rows()


def _caught(row: dict[str, object]) -> bool:
    signal = detect_crisis(str(row["text"]))
    if row["category"] is None:
        return signal is not None
    return signal is not None and CrisisCategory(str(row["category"])) in signal.categories


def test_dev_set_has_a_family_and_hard_negatives_per_sign_and_language() -> None:
    """At least 25 positives and 25 hard negatives for each sign in each language."""
    counts = Counter((row["sign"], row["language"], row["category"] is None) for row in ROWS)
    assert len({row["text"] for row in ROWS}) == len(ROWS)
    for sign in SIGNS:
        for language in ("en", "ru"):
            assert counts[(sign, language, False)] >= 25, (sign, language)
            assert counts[(sign, language, True)] >= 25, (sign, language)


def test_every_sign_is_caught_in_both_languages_and_its_hard_negatives_stay_quiet(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Recall ≥ 90 % per sign and language; at most one false alarm per sign and language,
    ≤ 2 % overall."""
    found: Counter[tuple[str, str]] = Counter()
    total: Counter[tuple[str, str]] = Counter()
    alarms: Counter[tuple[str, str]] = Counter()
    negatives: Counter[tuple[str, str]] = Counter()
    wrong = []
    for row in ROWS:
        key = (str(row["sign"]), str(row["language"]))
        caught = _caught(row)
        if row["category"] is None:
            negatives[key] += 1
            alarms[key] += caught
        else:
            total[key] += 1
            found[key] += caught
        if caught == (row["category"] is None):
            wrong.append(f"  ! {key[0]}/{key[1]}: {row['text']!r}")
    lines = [
        f"  {s}/{lang:<3} recall {found[s, lang]}/{total[s, lang]}, false alarms "
        f"{alarms[s, lang]}/{negatives[s, lang]}"
        for s, lang in sorted(total)
    ]
    with capsys.disabled():
        print("\n".join(["", f"crisis signs on {DEV.name} (in-sample):", *lines, *wrong]))
    for key, count in total.items():
        assert found[key] / count >= MIN_SIGN_RECALL, key
        assert alarms[key] <= MAX_SIGN_FALSE_ALARMS, key
    assert sum(alarms.values()) / sum(negatives.values()) <= MAX_FALSE_ALARM_RATE


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I keep thinking about the pills in the drawer", "suicidal_ideation"),
        ("думаю о таблетках", "suicidal_ideation"),
        ("стою на крыше", "suicidal_ideation"),
        ("хочу шагнуть с моста", "suicidal_ideation"),
        ("I'm writing letters to my family", "suicidal_ideation"),
        ("прощайте все", "suicidal_ideation"),
        ("раздала вещи", "suicidal_ideation"),
        ("I won't be here by Friday", "suicidal_ideation"),
        ("this is my last week", "suicidal_ideation"),
        ("скоро меня не будет", "suicidal_ideation"),
        ("я всё решила", "suicidal_ideation"),
        ("I want to cut again", "self_harm"),
        ("опять хочется порезаться", "self_harm"),
        ("my stepdad touches me at night", "abuse"),
        ("дядя трогает меня там", "abuse"),
        ("he makes me do things and says not to tell", "abuse"),
        ("no reason to keep going, I'm done", "suicidal_ideation"),
        ("нет смысла дальше, я всё", "suicidal_ideation"),
        ("everyone would be better off without me", "suicidal_ideation"),
        ("всем будет легче без меня", "suicidal_ideation"),
        ("хочу уснуть и не проснуться", "suicidal_ideation"),
        ("I hope I don't wake up tomorrow", "suicidal_ideation"),
        ("I want them all dead", "harm_to_others"),
        ("хочу, чтобы они все сдохли", "harm_to_others"),
        ("thinking about sewerslide again", "suicidal_ideation"),
        ("хочется уйти в окно", "suicidal_ideation"),
        ("хочу вскрыться", "suicidal_ideation"),
        ("пора кончать с этим", "suicidal_ideation"),
    ],
)
def test_the_briefs_warning_signs_fire(text: str, category: str) -> None:
    """Each example the taxonomy brief names is caught in its category."""
    signal = detect_crisis(text)
    assert signal is not None, text
    assert CrisisCategory(category) in signal.categories


@pytest.mark.parametrize(
    "text",
    [
        "finally done with exams",
        "cut my hair",
        "wrote a goodbye card to a colleague",
        "на мосту красивый закат",
        "I'd never hurt myself",
        "this meeting is killing me",
        "умру со смеху",
        "убил бы за кофе",
        "I won't be here on Friday, I'm on vacation",
        "меня не будет в пятницу, уезжаю",
        "goodbye everyone, see you on Monday",
        "раздала вещи перед переездом",
        "this is my last week at this job",
        "I'm done, going to bed",
        "стою на крыше, фотографирую город",
        "how many pills of ibuprofen can I take a day",
    ],
)
def test_the_briefs_hard_negatives_stay_quiet(text: str) -> None:
    """Idioms, trips, farewells at work, keyword sharing and negations raise nothing."""
    assert detect_crisis(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "my friend gave away all her things and wrote letters to her family",
        "подруга написала, что скоро её не станет и что она выбрала дату",
        "my little sister said our uncle touches her at night",
        "мама говорит, что надеется не проснуться",
    ],
)
def test_someone_elses_warning_sign_is_about_other(text: str) -> None:
    """A warning sign in someone else's words still raises a signal, marked about_other."""
    signal = detect_crisis(text)
    assert signal is not None
    assert signal.about_other


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("I'm writing letters to my family", "en.farewell_letters"),
        ("скоро меня не будет", "ru.ne_budet"),
        ("стою на мосту и смотрю вниз", "ru.on_the_height"),
        ("I won't be here by Friday", "en.not_here_by"),
    ],
)
def test_preparation_finality_and_place_are_high(text: str, rule: str) -> None:
    """Preparations, a timeline and standing at a height are a plan: HIGH."""
    signal = detect_crisis(text)
    assert signal is not None
    assert rule in signal.rules
    assert signal.is_high


def test_anchors_hold_for_every_dev_match() -> None:
    """Every match in the dev set contains an anchor of its rule, and skipping rules by
    anchor finds exactly what running every rule finds."""
    everything = CrisisDetector(use_anchors=False)
    fast = CrisisDetector()
    for row in ROWS:
        text = str(row["text"])
        for canon in variants(text):
            for rule in RULES:
                for match in rule.pattern.finditer(f" {canon}"):
                    assert any(anchor in match.group() for anchor in rule.anchors), rule.id
        assert sorted(map(repr, fast.scan(text))) == sorted(map(repr, everything.scan(text)))
