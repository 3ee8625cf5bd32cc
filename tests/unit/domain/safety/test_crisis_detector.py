"""The crisis detector: the labelled set's recall and false alarms, and each design rule.

About the figures: ``tests/data/crisis_labelled.jsonl`` was written in batches (``batch``).
Batch 1 was written before the detector existed; batches 2 and 3 were written later and
measured once before any change was made for them. Held out that way, the detector found
56 of 84 batch-2 positives (66.7 %) with 4 false alarms in 51 negatives (7.8 %), and 16 of
30 batch-3 positives (53.3 %, mostly euphemisms) with 2 false alarms in 21 (9.5 %). Every
miss was then fixed by a general rule, never by deleting the case, so the figures this test
prints are in-sample. Keep that honest: add new phrasings (from reviews of real, consented
misses) as a new batch, record the held-out figures here, and only then improve the rules.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from innertalk.domain.safety import (
    CrisisCategory,
    CrisisDetector,
    CrisisSignal,
    Severity,
    detect_crisis,
)
from innertalk.domain.safety.detector import RULES
from innertalk.domain.safety.text import variants

LABELLED = Path(__file__).parents[3] / "data" / "crisis_labelled.jsonl"
MIN_RECALL = 0.95
MIN_CATEGORY_RECALL = 0.90
MAX_FALSE_ALARM_RATE = 0.03
MIN_SEVERITY_AGREEMENT = 0.90


@dataclass(frozen=True)
class Case:
    text: str
    language: str
    category: str | None
    severity: str | None
    about_other: bool
    kind: str
    batch: int


def _cases() -> list[Case]:
    lines = LABELLED.read_text(encoding="utf-8").splitlines()
    return [Case(**json.loads(line)) for line in lines if line.strip()]


CASES = _cases()
POSITIVES = [case for case in CASES if case.category is not None]
NEGATIVES = [case for case in CASES if case.category is None]


def _found(case: Case, signal: CrisisSignal | None) -> bool:
    return signal is not None and CrisisCategory(str(case.category)) in signal.categories


def _rate(hits: int, total: int) -> float:
    return hits / total if total else 1.0


def _evaluate() -> tuple[dict[str, float], list[str]]:
    """Every figure the report prints, and the cases the detector got wrong."""
    figures: dict[str, float] = {}
    wrong: list[str] = []
    found: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    severity_agrees = other_agrees = 0
    for case in POSITIVES:
        signal = detect_crisis(case.text)
        for group in (case.category or "", f"{case.category}/{case.language}", "all"):
            totals[group] += 1
            found[group] += _found(case, signal)
        if not _found(case, signal):
            wrong.append(f"missed {case.category}: {case.text!r}")
            continue
        assert signal is not None
        severity_agrees += signal.severity.value == case.severity
        other_agrees += signal.about_other == case.about_other
    false_alarms = [case for case in NEGATIVES if detect_crisis(case.text) is not None]
    wrong += [f"false alarm ({case.kind}): {case.text!r}" for case in false_alarms]
    for group in sorted(totals):
        figures[f"recall {group}"] = _rate(found[group], totals[group])
    caught = found["all"]
    figures["severity agreement"] = _rate(severity_agrees, caught)
    figures["about-other agreement"] = _rate(other_agrees, caught)
    figures["false-alarm rate"] = _rate(len(false_alarms), len(NEGATIVES))
    return figures, wrong


def test_labelled_set_recall_and_false_alarm_rate(
    capsys: pytest.CaptureFixture[str], record_property: Callable[[str, object], None]
) -> None:
    """Recall ≥ 95 % (≥ 90 % per category) and false alarms ≤ 3 % on the labelled set."""
    figures, wrong = _evaluate()
    report = [
        f"crisis detector on {LABELLED.name}: {len(POSITIVES)} positives, "
        f"{len(NEGATIVES)} hard negatives",
        *(f"  {name:<36} {value:6.1%}" for name, value in figures.items()),
        *(f"  ! {line}" for line in wrong),
    ]
    for name, value in figures.items():
        record_property(name, round(value, 4))
    with capsys.disabled():  # shown with or without -s
        print("\n" + "\n".join(report))
    assert figures["recall all"] >= MIN_RECALL
    for category in CrisisCategory:
        assert figures[f"recall {category.value}"] >= MIN_CATEGORY_RECALL, category
    assert figures["false-alarm rate"] <= MAX_FALSE_ALARM_RATE
    assert figures["severity agreement"] >= MIN_SEVERITY_AGREEMENT


def test_labelled_set_is_big_balanced_and_well_formed() -> None:
    """The set keeps ≥ 250 unique lines, both languages per category, many hard negatives."""
    assert len(CASES) >= 250
    assert len({case.text for case in CASES}) == len(CASES)
    assert len(NEGATIVES) >= 100
    for case in CASES:
        assert case.language in ("ru", "en")
        assert (case.category is None) == (case.severity is None)
        if case.category is not None:
            CrisisCategory(case.category)
            Severity(str(case.severity))
    for category in CrisisCategory:
        for language in ("ru", "en"):
            assert any(
                case.category == category.value and case.language == language for case in POSITIVES
            ), (category, language)
    assert {case.kind for case in NEGATIVES} >= {"idiom", "negation", "fiction", "prevention"}


def test_anchors_never_change_the_result() -> None:
    """Skipping rules whose anchors are absent finds exactly what running every rule finds."""
    everything = CrisisDetector(use_anchors=False)
    fast = CrisisDetector()
    long_text = " . ".join(case.text for case in CASES)
    for text in [*(case.text for case in CASES), long_text]:
        assert sorted(map(repr, fast.scan(text))) == sorted(map(repr, everything.scan(text)))


def test_every_match_contains_one_of_its_rule_anchors() -> None:
    """A rule's anchors really are in its matches, so the shortcut cannot hide a match."""
    for case in CASES:
        for canon in variants(case.text):
            for rule in RULES:
                for match in rule.pattern.finditer(f" {canon}"):
                    assert any(anchor in match.group() for anchor in rule.anchors), rule.id


def _fires(text: str, category: CrisisCategory) -> CrisisSignal:
    signal = detect_crisis(text)
    assert signal is not None, text
    assert category in signal.categories, (text, signal)
    return signal


@pytest.mark.parametrize(
    "text",
    [
        "я покончу с собой",
        "она покончила с собой",
        "хочу покончить с жизнью",
        "мы покончим с собой",
        "пакончить с собой",
        "я убью себя",
        "хотела убить себя",
        "себя убить хочется",
        "наложу на себя руки",
        "думала наложить на себя руки",
        "вскрою вены",
        "вскрыла себе вены",
        "хочу повеситься",
        "повешусь",
        "спрыгну с крыши",
        "хочется спрыгнуть с моста",
        "не хочу жить",
        "не хочется жить",
        "жить не хочется",
        "не хотела жить",
        "лучше бы я умерла",
        "лучше бы я умер",
        "хочу умереть",
        "хочется сдохнуть",
        "суицид",
        "думаю о самоубийстве",
        "выпилиться бы",
        "роскомнадзорнуться",
    ],
)
def test_russian_inflections_of_suicidal_phrases_fire(text: str) -> None:
    """Persons, tenses, genders and word orders of Russian suicidal phrases are all read."""
    _fires(text, CrisisCategory.SUICIDAL_IDEATION)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("порезать себя", CrisisCategory.SELF_HARM),
        ("режу себя", CrisisCategory.SELF_HARM),
        ("резала руки", CrisisCategory.SELF_HARM),
        ("I cut myself", CrisisCategory.SELF_HARM),
        ("I want to hurt myself", CrisisCategory.SELF_HARM),
        ("self-harm again", CrisisCategory.SELF_HARM),
        ("I'm going to kill him", CrisisCategory.HARM_TO_OTHERS),
        ("he hits me", CrisisCategory.ABUSE),
        ("I'm not safe at home", CrisisCategory.ABUSE),
        ("I took an overdose", CrisisCategory.ACUTE_DANGER),
        ("kill myself", CrisisCategory.SUICIDAL_IDEATION),
        ("end my life", CrisisCategory.SUICIDAL_IDEATION),
        ("suicidal", CrisisCategory.SUICIDAL_IDEATION),
        ("want to die", CrisisCategory.SUICIDAL_IDEATION),
        ("I don't want to be alive", CrisisCategory.SUICIDAL_IDEATION),
        ("better off dead", CrisisCategory.SUICIDAL_IDEATION),
    ],
)
def test_the_briefs_english_and_russian_variants_fire(text: str, category: CrisisCategory) -> None:
    """Every phrase named in the specification is detected in its category."""
    _fires(text, category)


@pytest.mark.parametrize(
    "text",
    [
        "i'm going to finish my life this week",
        "honestly the best thing i can do is stop being here",
        "наверное сведу счёты с жизнью на этой неделе",
        "вот бы меня просто не стало",
        "хочу, чтоб меня вообще не было",
        "я уже на мосту, не звони",
    ],
)
def test_plain_wishes_and_intents_found_missing_in_round_7_fire(text: str) -> None:
    """Ordinary forms of intent and of wishing to be gone ("finish my life", "сведу счёты с
    жизнью", "вот бы меня не стало") fire as the writer's own, sure signal."""
    signal = detect_crisis(text)
    assert signal is not None
    assert not signal.about_other
    assert not signal.doubtful


@pytest.mark.parametrize(
    "text",
    [
        "i want to stop being here for a while, going camping",
        "утопиться в работе — мой план на неделю",
        "я в порядке. никаких мыслей о суициде, просто сессия",
    ],
)
def test_the_new_forms_leave_their_everyday_look_alikes_alone(text: str) -> None:
    """A break from being here, drowning in work and "no thoughts of suicide" are no signal."""
    assert detect_crisis(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "НЕ ХОЧУ ЖИТЬ",
        "не   хочу    жить",
        "нехочу жить",
        "не хочу жить!!!...",
        "не хочу жыть",
        "хачу умереть",
        "хочууу умеретььь",
        "покончю с собой",
        "суецид",
        "нe хочу жить",  # a Latin "e"
        "I  WANT   TO   DIE",
        "i want to diiiie",
        "kil myself",
        "im sucidal",
        "want 2 die",
        "I wanna kill my self",
        "kіll myself",  # a Ukrainian "і"
        "i want to\u200b die",
        "Самоубийство… ",
        "всё, ёлки, не хочу жить",
    ],
)
def test_typos_case_spacing_punctuation_and_lookalikes_do_not_hide_a_signal(text: str) -> None:
    """Case, ё/е, extra spaces, punctuation, stretched letters, typos and look-alikes."""
    _fires(text, CrisisCategory.SUICIDAL_IDEATION)


@pytest.mark.parametrize(
    "text",
    [
        "I'm not suicidal",
        "I never want to hurt myself",
        "I don't want to die",
        "I'm not going to kill myself",
        "I would never kill myself",
        "I have no intention of killing myself",
        "I haven't self-harmed in a year",
        "я не хочу умирать",
        "я никогда не причиню себе вред",
        "я не собираюсь кончать с собой",
        "я уже год не режу себя",
        "у меня нет мыслей о суициде",
        "никогда не думала покончить с собой",
        "I accidentally cut myself",
    ],
)
def test_negated_and_accidental_statements_are_not_signals(text: str) -> None:
    """A negation governing the phrase (or an accident) cancels it."""
    assert detect_crisis(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "I don't want to live anymore",
        "я больше не хочу жить",
        "I can't stop thinking about killing myself",
        "I can't kill myself, I'm too scared",
        "я чуть не покончила с собой",
        "I no longer want to live",
    ],
)
def test_negations_that_mean_the_opposite_still_fire(text: str) -> None:
    """Not wanting to live, "can't stop", "can't" and "чуть не" (almost) are signals."""
    _fires(text, CrisisCategory.SUICIDAL_IDEATION)


@pytest.mark.parametrize(
    "text",
    [
        "three years ago i wanted to die, now i'm doing so much better",
        "at 15 i used to cut myself. therapy helped, it's long behind me",
        "six years self-harm free this week 🎉",
        "когда-то я хотела умереть, сейчас у меня семья и всё хорошо",
        "в 16 резалась, теперь я сама работаю психологом",
        "два года без селфхарма, горжусь собой",
        "мыслей о суициде у меня нет, просто устала",
        "самоубийство для меня не вариант, просто тяжёлая неделя",
        "резать себя я не собираюсь, просто злюсь на всех",
        "suicide is not an option for me, i'm just sad about the dog",
        "врач спросил про мысли о суициде, я ответила что нет",
        "my gp asked about thoughts of ending my life and i said no",
        "не переживай, что я хочу умереть, я просто ною",
        "мыслей навредить себе нет. просто скучно",
        "нет никаких планов покончить с собой, просто устала",
        "a year ago i wanted to die. today i ran my first 10k, glad i'm still here",
        "at 17 i cut myself a lot. i'm 29 now and it got better",
        "my old journal is full of 'i want to die'. it gets better, because it did",
        "back when my ex abused me i felt trapped. divorced and happy now",
        "в 9 классе резала руки, сейчас мне 27 и давно ничего такого",
        "год назад хотела умереть, а теперь всё наладилось",
        "в детстве отчим меня бил, я прошла терапию, он отсидел",
        "i'm a suicide attempt survivor and i volunteer at a crisis line now",
        "last spring i kept wanting to die. things are so much better now",
        "in my twenties i self harmed. those days are over, i'm proud of me",
        "когда то копила таблетки, сейчас норм, рассказала маме",
        "в прошлом году муж меня бил, я ушла, мы с детьми в безопасности",
        "self harm has never been something i'd try, i'm just very sad",
        "год без селфхарма сегодня, отмечаю",
        "не переживай, суицидальных мыслей у меня нет, просто устала",
        "i have zero intention of ending my life, i just want to talk",
        "a year without self harm today!",
    ],
)
def test_a_crisis_long_over_or_denied_right_after_is_not_a_signal(text: str) -> None:
    """Long ago plus resolved, a milestone, or a denial after the words: no signal."""
    assert detect_crisis(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "three years ago i wanted to die, now i want to die again",
        "at 15 i used to cut myself, i'm 20 now and still do it",
        "six years self-harm free but i relapsed last night",
        "когда-то хотела умереть, сейчас мне 40 и опять хочу умереть",
        "в 16 резалась, а сейчас хочу умереть",
        "не могу и дня без селфхарма",
        "я пыталась покончить с собой вчера, сейчас я в больнице",
        "after my son died i wanted to die and i still do",
        "не вижу смысла дальше жить и не буду",
        "хочу умереть, жить не собираюсь",
        "i want to die. i was happy in school, now i'm 30 and alone",
        "хочу умереть. в школе было легче, сейчас мне 30 и я одна",
        "раньше держалась, но сейчас хочу умереть, не справилась",
        "хочу умереть, нет, я серьёзно",
        "хочу умереть и не планирую ничего менять",
        "в детстве меня били, хочу умереть, всё хорошее позади",
        "years ago i was fine. i want to die, therapy never helped",
        "in school i was loved. i want to die, the good days are behind me",
        "хочу навредить себе, нет сил терпеть",
        "у меня нет никаких планов на жизнь, хочу покончить с собой",
        "a year ago i wanted to die and i'm still here but i want to die again",
        "i'm still alive and i hate it, i want to die",
        "год назад хотела умереть, сейчас мне 20 и хочу умереть снова",
        "i'm okay with dying, i want to kill myself",
        "last year i wanted to die and honestly i'm not enjoying anything, i want to die",
        "когда то резалась, сейчас снова режу руки",
        "в пятницу всё закончится, я решила",
        "раньше хотела умереть, сейчас спокойно сижу и думаю как это сделать",
    ],
)
def test_a_past_crisis_that_came_back_or_a_present_one_still_fires(text: str) -> None:
    """Relapse words, a recent act or no resolution keep the past-tense guard away, and the
    hit is sure (not doubtful: no model may clear it)."""
    signal = detect_crisis(text)
    assert signal is not None
    assert not signal.doubtful


@pytest.mark.parametrize(
    "text",
    [
        "what percentage of teens self harm? it is for my presentation",
        "почему люди режут себя? пишу курсовую по психологии",
        "какой процент подростков думает о суициде? для доклада",
        "is there research on suicide among nurses? for my thesis",
        "jumped off a bridge in gta, the physics were hilarious",
        "в гта спрыгнул с крыши на машину",
        "our school had an assembly about self-harm today",
        "what's the difference between self harm and a suicide attempt, clinically",
        "how should journalists report on suicide without copycats",
        "на классном часе говорили про селфхарм",
        "в чём разница между суицидом и эвтаназией",
        "почему среди подростков так много суицидов",
        "in medieval times suicide was punished by the church",
        "маяковский покончил с собой, по истории проходили",
        "the professor said self-harm is often hidden",
    ],
)
def test_academic_questions_and_games_are_not_signals(text: str) -> None:
    """Coursework, statistics and a game named in the clause silence a general mention."""
    assert detect_crisis(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "what is the point of living anymore",
        "i need help with my thesis because i want to kill myself",
        "почему я хочу умереть каждый день",
        "я психолог и я хочу покончить с собой",
        "i'm going to jump off the bridge tonight",
        "want to die cause i failed the exam",
        "хочется умереть из-за диплома",
        "уровень стресса зашкаливает, хочется умереть",
        "court date tomorrow, want to die",
        "режу себя на уроке под партой",
    ],
)
def test_topic_words_do_not_silence_the_writers_own_crisis(text: str) -> None:
    """A crisis the writer claims, or one with no topic word, fires beside study words."""
    assert detect_crisis(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "thinking about taking a toaster bath tonight",
        "might take a dirt nap soon, not even kidding",
        "time to uninstall myself from this planet",
        "unalive thoughts again all evening",
        "ready to log off permanently, bye discord",
        "goodnight forever, you were all kind to me",
        "всё, ливаю из этой жизни, ребят",
        "хочу выйти из чата под названием жизнь",
        "i keep thinking about su1c1de",
        "gonna k1ll mys3lf tonight",
        "сегодня хочу уб1ть себя",
        "i keep begging god to take me home, i'm so tired",
        "господи, прибери меня к себе, нет сил",
        "why can't i just die, it never ends",
        "what's the point of staying alive anymore",
        "they'd all be fine, just take me out of the equation",
        "почему я не могу просто исчезнуть навсегда",
        "дети заслуживают жить без меня",
        "написала прощальные смс всем, отправлю сегодня",
        "cutting myself rn, please talk to me",
        "порезалась специально, стало легче",
        "подкараулю его после школы с битой",
        "боюсь что сыну наврежу, я не спала трое суток",
        "i'll wait for him outside the gym with a bat tonight",
    ],
)
def test_internet_slang_for_suicide_and_digits_for_letters_fire(text: str) -> None:
    """Meme slang ("toaster bath", "dirt nap", "uninstall myself", "ливнуть из жизни"), a
    prayer to be taken ("господи, прибери меня"), "why can't I just die", a burden taken "out of
    the equation", farewell messages and videos, self-harm now or on purpose, a threat with a
    weapon or a fear of hurting one's child, and digits written for letters ("su1c1de",
    "k1ll mys3lf") are read as what they stand for."""
    assert detect_crisis(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "in my 20s i had a rough time, meeting at 10pm now",
        "my toaster broke, bath time for the kids instead",
        "logging off for good from twitter, too much noise",
        "covid19 test came back negative, mp3 player still works",
        "lord take me now, this traffic is endless",
        "господи, забери меня с этой планерки",
        "what's the point of going on holiday if it rains all week",
        "прощальное видео для коллег готово, ухожу на пенсию",
        "cutting onions right now, dinner at eight",
        "we'll make sure he can't walk into the office without a badge",
    ],
)
def test_the_slang_rules_and_digit_reading_leave_numbers_and_chores_alone(text: str) -> None:
    """Numbers with suffixes are never read as letters, and the slang needs its whole phrase."""
    assert detect_crisis(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "my commute through the city centre is literally suicide, never again",
        "о самоубийстве я не думаю, просто устала от всего",
        "мыслей покончить с собой не было ни разу, просто тоскливо",
        "i overdosed on coffee this morning, my hands are shaking",
        "передоз сладкого после праздника, живот болит",
        "wrote a goodbye letter to my colleagues, retiring on friday",
        "написала прощальное письмо одногруппникам, перевожусь в другой вуз",
        "после развода полгода не хотел жить. сейчас я снова смеюсь и работаю",
        "in 2015 i thought everyone would be better off without me. glad i stuck around",
    ],
)
def test_round_8_everyday_shapes_of_crisis_words_are_not_signals(text: str) -> None:
    """A hyperbole's "is literally suicide", a denial after the words, a food "overdose", a
    farewell letter to colleagues and a past told with "снова смеюсь" are no signal."""
    assert detect_crisis(text) is None


@pytest.mark.parametrize(
    ("text", "doubtful"),
    [
        ("my neighbour's son took his own life last month. how do i talk to her", True),
        ("someone jumped in front of a train at my station, trains stopped for hours", True),
        ("rage quit again and now i want to die, this lobby is cursed", True),
        ("хочу умереть, какой кринж я выдала на созвоне", True),
        ("kms 🙄 my sister used my charger again", True),
        ("i overdosed on caffeine pills, i can't stop shaking", False),
        ("после развода хотела умереть, и сейчас снова хочу", False),
        ("my brother tried to take his own life and i want to help him", False),
        ("wrote goodbye letters to my kids tonight", False),
        ("о самоубийстве я думаю каждый день", False),
    ],
)
def test_round_8_shapes_are_doubtful_and_their_neighbours_stay_sure(
    text: str, doubtful: bool
) -> None:
    """Someone else's death told as done (even "my neighbour's"), embarrassment and an
    eye-roll make a hit doubtful; caffeine pills, a relapse, an attempt, a farewell to one's
    children and a thought named every day stay sure."""
    signal = detect_crisis(text)
    assert signal is not None
    assert signal.doubtful is doubtful


@pytest.mark.parametrize(
    ("text", "doubtful"),
    [
        ("if i have to redo this spreadsheet again i'll shoot myself lol", True),
        ("ещё одно совещание в пятницу и я повешусь, шучу", True),
        ("traffic was so bad i wanted to die 😂", True),
        ("i want to kill myself", False),
        ("i'm going to kill myself tonight lol", False),
        ("i just swallowed 40 pills lol", False),
        ("я хочу умереть", False),
        ("я хочу убить себя, лол, я не шучу", False),
        ("i will shoot myself if i have to go there lol. and i'm going tomorrow", False),
        # a past act set against the writer's present
        ("when i was 17 i tried to end my life. now i'm 35 and i teach yoga", True),
        ("в 15 лет я резала руки, сейчас мне 28 и я тренер по плаванию", True),
        ("в 15 лет я резала руки, сейчас снова начала", False),
        ("years ago i wanted to die and now i want to die again", False),
        ("раньше хотела умереть, сейчас решила что сделаю это", False),
        # a general question that names no one
        ("why do teenagers self harm?", True),
        ("почему мужчины совершают суицид чаще?", True),
        ("why do i want to die", False),
        ("suicide. i'm going to do it", False),
        ("gonna stab him when he comes out of the pub", False),
        # hyperbole with a cause, a reported question answered "no", a work quoted
        ("this traffic makes me want to die", True),
        ("от этой бюрократии хочется повеситься", True),
        ("the doctor asked if i want to hurt myself. no, i don't", True),
        ("мысли о самоубийстве? нет.", True),
        ('"i want to die" is the chorus of that song', True),
        ("хочу умереть. не прикол, не мем", False),
        ("this traffic makes me want to die and i'm going to do it tonight", False),
        # laughter in punctuation; a bracket that closes something is no smile
        ("если свекровь приедет на всё лето я застрелюсь)))", True),
        ("i want to die xD", True),
        ("i want to die (seriously)", False),
        ("i'm about to sewerslide lol but not lol", False),
        ("хочу выпилиться 😂 я серьёзно", False),
        # a death by suicide told as done names someone else; an attempt may be the writer's
        ("есенин повесился в гостинице, нам рассказали на уроке", True),
        ("his uncle took his own life when he was young", True),
        ("я чуть не повесилась вчера", False),
        # a pet or a harmless substance beside a dose
        ("what's the lethal dose of ibuprofen for a dog? she chewed the bottle", True),
        # the past told at the sentence's level, and "happy again" is no relapse
        ("my suicide attempt was 4 years ago. it's part of my story, not the end", True),
        ("i was suicidal after the divorce, with time i'm really happy again", True),
        # an emergency's words told as an act long past, the marker in its sentence
        ("i overdosed when i was 16. i'm 30 now and a nurse", True),
        ("мне было 15, когда я наглоталась таблеток. сейчас мне 27, я врач", True),
        ("я наглоталась таблеток, мне 14", False),
        ("i took all my pills an hour ago", False),
        # a game's death, sleep called dying, a clinician's question after a comma
        ("в пубге спрыгнул с моста на мотоцикле, эпичная смерть", True),
        ("после смены хочу лечь и умереть часов на десять", True),
        ("психиатр спросил, не хочу ли я себе навредить", True),
        # words that alone are as often everyday or talk about the subject
        ("раздаю вещи соседям, освобождаю квартиру", True),
        ("как говорить с подростком про суицид", True),
        ("хочу прыгнуть с моста", False),
        ("опять селфхарм", False),
        ("раздала все вещи, завтра всё закончится", False),
        ("i'm giving away my books and clothes, won't need them after friday", False),
        ("боюсь что-то с собой сделать", False),
        # a denied reason or intent, a comparison, an emergency's noun asked about
        ("пишу не потому, что хочу умереть, а потому что некому рассказать", True),
        ("хоть и плохо, но резать себя не буду", True),
        ("i have no intent to harm myself, i just want to talk", True),
        ("легче застрелиться, чем найти парковку", True),
        ("хочу умереть, чем так жить", False),
        ("передозировка витамина С бывает?", True),
        ("кажется передознулась", False),
        ("передоз, помогите", False),
        # someone else's crisis asked about in general, or in a work, never a worry
        ("why do people self harm if it hurts?", True),
        ("почему подростки режут себя? нужна статистика", True),
        ("why does my son cut himself?", False),
        ("подруга хочет покончить с собой, что делать", False),
        # an ended state is no relapse, a long-ago marker holds no relapse word
        ("my uncle hit me when i was little. he's in prison. i'm not that boy anymore", True),
        ("when i came back from the army i wanted to die every day. now i am ok", True),
        ("years ago i cut myself. the urges came back", False),
        ("years ago i cut myself. now i can't do this anymore", False),
    ],
)
def test_joke_shaped_hits_fire_but_are_marked_doubtful(text: str, doubtful: bool) -> None:
    """A laugh or an exasperated condition, a past act set against the present, a general
    question naming no one, hyperbole with a cause, a question answered "no", a work or a game
    quoted, or words that alone are often no crisis mark a hit doubtful; a time, intent or
    final word, a relapse, "не шучу" or an emergency now never does, and a plain statement
    is never doubtful."""
    signal = detect_crisis(text)
    assert signal is not None
    assert signal.doubtful is doubtful


@pytest.mark.parametrize(
    "text",
    [
        "убил время",
        "убить время",
        "умираю от смеха",
        "чуть не умер со смеху",
        "я бы убил за кофе",
        "эта работа меня убивает",
        "смертельно устал",
        "хочется умереть от стыда",
        "меня бьёт дрожь",
        "резались в доту",
        "dying to see it",
        "this exam is killing me",
        "I could kill for a pizza",
        "killing time",
        "I'd die for this cake",
        "drop-dead gorgeous",
        "he killed it on stage",
        "my feet are killing me",
        "I wanted to die of embarrassment",
        "I'd rather die than wear that",
        "I'm killing myself with work",
        "it hits me that I'm older now",
        "he beats me at chess",
        "I cut myself shaving",
        "career suicide",
        "I want to die my hair blue",
    ],
)
def test_idioms_are_not_signals(text: str) -> None:
    """Everyday idioms built from crisis words stay silent."""
    assert detect_crisis(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "my character dies in the game",
        "we watched the Suicide Squad movie",
        "I'm reading about suicide prevention",
        "In the movie the hero shoots himself",
        "The news said a man killed himself",
        "в игре мой персонаж прыгает с крыши",
        "статья о профилактике суицида",
        "В новостях сказали, что актёр покончил с собой",
    ],
)
def test_fiction_news_games_and_prevention_talk_are_not_signals(text: str) -> None:
    """Fiction frames in the clause and topic words in the sentence silence a match."""
    assert detect_crisis(text) is None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("My friend says she wants to kill herself", CrisisCategory.SUICIDAL_IDEATION),
        ("My sister has been cutting herself", CrisisCategory.SELF_HARM),
        ("Подруга говорит, что хочет покончить с собой", CrisisCategory.SUICIDAL_IDEATION),
        ("Подруга пишет, что выпила все таблетки", CrisisCategory.ACUTE_DANGER),
        ("Отчим бьёт маму", CrisisCategory.ABUSE),
    ],
)
def test_someone_elses_crisis_is_reported_as_about_other_and_lower(
    text: str, category: CrisisCategory
) -> None:
    """Third-person reports keep their category, set ``about_other``, and are ``CONCERN``."""
    signal = _fires(text, category)
    assert signal.about_other
    assert signal.severity is Severity.CONCERN


def test_the_writers_own_crisis_leads_over_someone_elses() -> None:
    """With both in one message, the signal is about the writer."""
    signal = detect_crisis("My friend wants to die, and honestly so do I. I want to die too.")
    assert signal is not None
    assert not signal.about_other


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        ("я сегодня наглотаюсь таблеток", Severity.HIGH),
        ("I have the pills ready", Severity.HIGH),
        ("I'm going to kill myself tonight", Severity.HIGH),
        ("я решила, покончу с собой", Severity.HIGH),
        ("how many pills would it take to die", Severity.HIGH),
        ("не хочу жить", Severity.CONCERN),
        ("I wish I could disappear", Severity.CONCERN),
        ("I want to kill myself", Severity.CONCERN),
        ("хочу умереть, а таблетки лежат рядом", Severity.HIGH),
    ],
)
def test_plan_intent_means_and_timeframe_make_a_signal_high(text: str, severity: Severity) -> None:
    """HIGH for a plan, intent, means or time; CONCERN for ideation alone."""
    signal = detect_crisis(text)
    assert signal is not None
    assert signal.severity is severity


def test_acute_danger_leads_a_message_with_several_categories() -> None:
    """An overdose already taken outranks the ideation around it."""
    signal = detect_crisis("I don't want to live. I took a whole bottle of pills.")
    assert signal is not None
    assert signal.category is CrisisCategory.ACUTE_DANGER
    assert CrisisCategory.SUICIDAL_IDEATION in signal.categories


def test_a_signal_carries_rule_ids_and_never_the_persons_words() -> None:
    """What is logged or sent to administrators cannot leak the message."""
    signal = detect_crisis("Мне так плохо, я сегодня наглотаюсь таблеток снотворного")
    assert signal is not None
    assert all(rule.startswith(("ru.", "en.")) for rule in signal.rules)
    assert "таблет" not in repr(signal)


@given(st.text(max_size=600))
@settings(max_examples=300, deadline=None)
def test_arbitrary_text_never_raises(text: str) -> None:
    """Any text at all, including control characters and odd scripts, gets an answer."""
    signal = detect_crisis(text)
    assert signal is None or isinstance(signal, CrisisSignal)


# The detector runs on every message, so catastrophic slowness (regex backtracking) is a bug.
# These bounds are ~10x the typical figures (0.6-1.3 ms for 4,000 characters of prose, 4-8 ms
# for the dense worst case) so that a loaded CI machine never fails them; the precise figures
# are measured by `python -m bench.crisis_detector`.


def _fastest(text: str, runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        detect_crisis(text)
        best = min(best, time.perf_counter() - started)
    return best


DIARY = [
    "Today I woke up late and felt heavy, like the week had piled up on my shoulders.",
    "At work my manager asked for the report again, and I snapped at a colleague.",
    "In the evening I called my sister; we talked about mum and the summer plans.",
    "I keep worrying that I am not good enough, even when people say I did well.",
    "Walking home in the rain helped a little, and I bought bread and apples.",
    "Сегодня я проснулась поздно и весь день чувствовала тяжесть и усталость.",
    "На работе начальник опять просил отчёт, и я сорвалась на коллегу.",
    "Вечером позвонила сестре, мы говорили о маме и о планах на лето.",
    "Меня не отпускает тревога, что я недостаточно хороша, даже когда меня хвалят.",
    "Прогулка под дождём немного помогла, по дороге купила хлеб и яблоки.",
]

SOUP = [
    *"абвгдеёжзийклмнопрстуфхцчшщъыьэюяabcdefghijklmnopqrstuvwxyzАБВЁЖЗЯABCXYZ0123456789",
    *[" "] * 12,
    *".,!?;:-—()«»\"'\n…",
    *["🙂", "😢", "❤", "\u200b"],
]
EVERYDAY_WORDS = [
    *sorted({word for line in DIARY for word in line.split()}),
    *[",", ".", "!", "?", "...", "—", "🙂", "😢", "\n", "ok", "ну", "lol", "блин", "haha"],
]
CHAT_WORDS = st.sampled_from(EVERYDAY_WORDS)


@given(st.lists(CHAT_WORDS, min_size=900, max_size=900) | st.text(min_size=4_000, max_size=4_000))
@settings(max_examples=25, deadline=None)
def test_no_4000_character_message_blows_up(text: str | list[str]) -> None:
    """Everyday words in any order, or any Unicode at all, never take more than 200 ms: no
    pattern backtracks catastrophically (the fine-grained budgets are checked below)."""
    message = " ".join(text)[:4_000] if isinstance(text, list) else text
    detect_crisis(message)  # the first call builds the detector
    assert _fastest(message, runs=3) < 0.200


@pytest.mark.parametrize("seed", range(8))
def test_4000_characters_of_everyday_words_in_any_order_take_under_25_ms(seed: int) -> None:
    """Everyday words of both languages in random order, with punctuation and emoji."""
    rng = random.Random(seed)
    text = " ".join(rng.choice(EVERYDAY_WORDS) for _ in range(900))[:4_000]
    detect_crisis(text)
    assert _fastest(text, runs=7) < 0.025


@pytest.mark.parametrize("seed", range(4))
def test_4000_characters_of_letter_soup_take_under_25_ms(seed: int) -> None:
    """Random letters of both alphabets (every "word" unique and mixed) stay under 25 ms."""
    rng = random.Random(seed)
    text = "".join(rng.choice(SOUP) for _ in range(4_000))
    detect_crisis(text)
    assert _fastest(text, runs=7) < 0.025


@pytest.mark.parametrize("language", ["en", "ru", "both"])
def test_4000_characters_of_ordinary_prose_take_under_25_ms(language: str) -> None:
    """A long diary-like message (feelings, no crisis) is screened in under 25 ms."""
    rng = random.Random(5)
    pool = [line for line in DIARY if language == "both" or line.isascii() == (language == "en")]
    prose = " ".join(rng.choice(pool) for _ in range(100))[:4_000]
    assert detect_crisis(prose) is None
    assert _fastest(prose, runs=7) < 0.025


def test_4000_characters_of_nothing_but_crisis_phrases_stay_bounded() -> None:
    """The worst case (every sentence a crisis phrase or an idiom) stays under 200 ms."""
    rng = random.Random(7)
    dense = " ".join(f"{rng.choice(CASES).text}." for _ in range(400))[:4_000]
    detect_crisis(dense)
    assert _fastest(dense, runs=3) < 0.200


@pytest.mark.parametrize(
    "text",
    [
        "я просто хочу быть мёртвым, и всё",
        "злит, что я всё ещё живой, каждое утро одно и то же",
        "хочу унолайвнуться, без шуток",
        "кажется, скоро отлечу насовсем",
        "ночью искала высоту моста на окраине",
        "god, please just take me. i'm done",
        "i'm ready to go see my dad in heaven soon",
        "saying goodbye to my sisters without them realising what it is",
        "мне правда хочется unalive себя",
        "найду того, кто меня бил в восьмом классе, и покалечу его. адрес знаю",
    ],
)
def test_round_9_words_for_a_crisis_fire(text: str) -> None:
    """A wish to be dead in new words, being angry to be still alive, "unalive" in Russian
    letters, "отлететь насовсем", a height looked up, a short prayer to be taken, joining
    someone in heaven soon, secret goodbyes, and a threat that finds its target years later
    (a school year named is no past crisis when "найду" says what comes next)."""
    signal = detect_crisis(text)
    assert signal is not None
    assert not signal.doubtful


@pytest.mark.parametrize(
    "text",
    [
        "in the nineties i nearly ended it all. glad i didn't, my grandkids are my world",
        "my first winter here i wanted to die. now i have a job i love",
        "three years ago i tried to end my life. last week i graduated, still can't believe it",
        "used to think they'd be better off without me. life's good now",
        "left my abusive husband last year and i finally feel safe",
        "в девятом классе писала прощальные письма. теперь я рада, что осталась",
        "нет, убить себя я не хочу, просто устала",
        "i said i want to die earlier but i didn't mean it literally, just exhausted",
        "goodbye forever, cubicle! first day of retirement",
        "gonna murder my cousin at uno tonight",
        "fixing gutters, been up on the roof all day",
        "после развода думал о самоубийстве. три года прошло, терапия помогла, снова начал ездить"
        " на рыбалку",
        "the lord will take me home one day, and i'm at peace with that",
    ],
)
def test_round_9_crises_long_over_retracted_or_everyday_are_not_signals(text: str) -> None:
    """A crisis told as over (a decade, a first year abroad, a school year, "feel safe",
    "life's good", "снова начал ездить"), a retraction ("didn't mean it literally"), a farewell
    to an office, a game after a threat and roof work are no signal; nor is faith that one
    day ends at home."""
    assert detect_crisis(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "goodbye cruel world, the lag just cost us the ranked match",
        "that 'goodbye cruel world' lyric is stuck in my head all day",
    ],
)
def test_goodbye_cruel_world_in_a_game_or_a_song_is_doubtful(text: str) -> None:
    """A "goodbye cruel world" in a game or a song is doubtful, and the classifier decides;
    alone it stays sure (``test_round_9_goodbye_alone_stays_sure``)."""
    signal = detect_crisis(text)
    assert signal is not None
    assert signal.doubtful


def test_round_9_goodbye_alone_stays_sure() -> None:
    """A bare "goodbye cruel world" is a farewell, sure and high."""
    signal = detect_crisis("goodbye cruel world. i can't anymore")
    assert signal is not None
    assert not signal.doubtful
    assert signal.is_high
