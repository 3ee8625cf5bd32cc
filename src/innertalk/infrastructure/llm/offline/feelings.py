"""Feelings the offline responder recognizes, in Russian and English, and how to name them.

Russian forms are chosen so that replies need no grammatical gender: a predicative state
("тебе тревожно") where Russian has one, otherwise a noun ("ты чувствуешь усталость").
"""

from __future__ import annotations

from dataclasses import dataclass

from innertalk.infrastructure.llm.offline.lexicon import Lexicon
from innertalk.infrastructure.llm.offline.tokens import Words, normalize


@dataclass(frozen=True, slots=True)
class Feeling:
    """One feeling and its names: ``en`` is the English adjective used unless a term says."""

    key: str
    positive: bool
    en: str
    ru_nom: str
    ru_acc: str
    ru_state: str | None
    en_terms: str
    ru_terms: str


def _negative(
    key: str, en: str, ru: tuple[str, str, str | None], en_terms: str, ru_terms: str
) -> Feeling:
    return Feeling(key, False, en, *ru, en_terms, ru_terms)


def _positive(
    key: str, en: str, ru: tuple[str, str, str | None], en_terms: str, ru_terms: str
) -> Feeling:
    return Feeling(key, True, en, *ru, en_terms, ru_terms)


# fmt: off
FEELINGS: tuple[Feeling, ...] = (
    _negative("anxiety", "anxious", ("тревога", "тревогу", "тревожно"),
       "anxi*>anxious nervous nervousness>nervous panic*>panicky uneasy ~on_edge jittery",
       "тревож* тревог* нерв* паник*"),
    _negative("worry", "worried", ("беспокойство", "беспокойство", "неспокойно"),
       "worr*>worried concerned",
       "беспоко* неспокойно волну* волнени* пережива*"),
    _negative("sadness", "sad", ("грусть", "грусть", "грустно"),
       "sad sadness>sad unhappy miserable heartbroken gloomy ~blue ~down tearful",
       "груст* печал* тоск* несчаст* скуча*"),
    _negative("low", "low", ("тяжесть", "тяжесть", "тяжело"),
       "~low depress*>very_low",
       "тяжело ~плохо хренов* паршив* херов* депресс* подавлен* уныни* уныл*"),
    _negative("loneliness", "lonely", ("одиночество", "одиночество", "одиноко"),
       "lonel*>lonely isolated ~alone",
       "одинок* одиночеств* никому_не_нуж*"),
    _negative("anger", "angry", ("злость", "злость", None),
       "angry anger>angry furious ~mad rage>angry livid pissed pissed_off>pissed_off",
       "злюсь злит* злост* злоб* злой злая зла злым злился злилась злиться злишься злится"
       " разозл* бесит бесят бешен* взбешен* ярост* гнев*"),
    _negative("irritation", "irritated", ("раздражение", "раздражение", None),
       "irritat*>irritated annoy*>annoyed frustrat*>frustrated resent*>resentful",
       "раздраж* надоел*"),
    _negative("tiredness", "tired", ("усталость", "усталость", None),
       "tired tiredness>tired exhaust*>exhausted drained worn_out fatigue*>fatigued"
       " burned_out burnt_out>burned_out burnout>burned_out burned-out>burned_out",
       "устал* устаю устаешь утомл* измотан* измучен* вымотан* выгор* выжат* нет_сил"
       " без_сил сил_нет нету_сил"),
    _negative("fear", "scared", ("страх", "страх", "страшно"),
       "scared scary>scared afraid fear>afraid fears>afraid fearful>afraid frightened"
       " terrified",
       "страшн* страх страха страху страхом страхе страхи боюсь боится боишься бояться"
       " боялся боялась пугает пугают пугаюсь напуган* испуган* испуг"),
    _negative("shame", "ashamed", ("стыд", "стыд", "стыдно"),
       "ashamed shame>ashamed embarrass*>embarrassed humiliat*>humiliated",
       "стыд* стыж* позор*"),
    _negative("guilt", "guilty", ("вина", "вину", None),
       "guilt*>guilty",
       "вина вину вины виной виноват*"),
    _negative("pain", "hurt", ("боль", "боль", "больно"),
       "~hurt ~hurting>hurt heartache>hurt",
       "~больно боль болью"),
    _negative("resentment", "hurt", ("обида", "обиду", "обидно"),
       "offended betrayed rejected abandoned",
       "обид* обиж* задело задели"),
    _negative("confusion", "lost", ("растерянность", "растерянность", None),
       "~lost confused confusion>confused ~stuck uncertain unsure ~torn disoriented",
       "растерян* запута* потерян*"),
    _negative("overwhelm", "overwhelmed", ("перегрузка", "перегрузку", None),
       "overwhelm*>overwhelmed swamped ~drowning",
       "перегруж* перегрузк* навалил* не_справляюсь не_вывожу захлест*"),
    _negative("emptiness", "empty", ("пустота", "пустоту", "пусто"),
       "~empty numb hollow apath*>numb",
       "пусто пустот* опустош* безразлич* апати* ничего_не_чувствую"),
    _negative("stress", "stressed", ("напряжение", "напряжение", None),
       "stress*>stressed tense tension>tense pressured under_pressure",
       "стресс* напряж*"),
    _negative("disappointment", "disappointed", ("разочарование", "разочарование", None),
       "disappoint*>disappointed",
       "разочаров*"),
    _negative("helplessness", "helpless", ("беспомощность", "беспомощность", None),
       "helpless powerless>helpless",
       "беспомощ* бессили*"),
    _negative("hopelessness", "hopeless", ("безнадёжность", "безнадёжность", None),
       "hopeless hopelessness>hopeless despair>hopeless",
       "безнадеж* безысход* отчаян*"),
    _negative("jealousy", "jealous", ("ревность", "ревность", None),
       "jealous*>jealous",
       "ревную ревнуешь ревность ревности ревновать"),
    _negative("envy", "envious", ("зависть", "зависть", None),
       "envious envy>envious",
       "завид* завист*"),
    _negative("grief", "grieving", ("горе", "горе", None),
       "grief>grieving griev*>grieving mourning>grieving",
       "горе горюю скорб*"),
    _negative("insecurity", "insecure", ("неуверенность", "неуверенность", None),
       "insecure insecurity>insecure worthless inadequate",
       "неуверен* никчемн*"),
    _negative("boredom", "bored", ("скука", "скуку", "скучно"),
       "bored boredom>bored",
       "скучно скука скуку скуки"),
    _positive("joy", "happy", ("радость", "радость", "радостно"),
          "happy happiness>happy glad joy*>joyful excited excitement>excited cheerful"
          " delighted thrilled",
          "радост* рад рада радуюсь радует радуют счастлив* счасть* весел* кайфую"),
    _positive("wellbeing", "good", ("хорошее настроение", "хорошее настроение", "хорошо"),
          "feel*_good>good felt_good>good feel*_great>great felt_great>great"
          " feel*_better>better felt_better>better ~wonderful ~amazing ~awesome ~fantastic",
          "~хорошо ~лучше ~отлично ~прекрасно ~замечательно полегчало"),
    _positive("calm", "calm", ("спокойствие", "спокойствие", "спокойно"),
          "calm calmer peaceful relaxed serene at_peace",
          "спокой* умиротвор* расслаблен* безмятеж*"),
    _positive("relief", "relieved", ("облегчение", "облегчение", "легче"),
          "relieved relief>relieved",
          "облегчени* ~легче"),
    _positive("hope", "hopeful", ("надежда", "надежду", None),
          "hopeful optimistic",
          "надежд* надеюсь"),
    _positive("pride", "proud", ("гордость", "гордость", None),
          "proud pride>proud",
          "горжусь горд*"),
    _positive("gratitude", "grateful", ("благодарность", "благодарность", None),
          "grateful gratitude>grateful thankful",
          "благодарн*"),
    _positive("inspiration", "inspired", ("вдохновение", "вдохновение", None),
          "inspired motivated energized",
          "вдохнов* воодушев*"),
    _positive("confidence", "confident", ("уверенность", "уверенность", None),
          "confident",
          "уверенно уверенность"),
)
# fmt: on

# Set phrases that contain a feeling word without naming a feeling.
_NOT_FEELINGS = (
    "спокойной_ночи спокойного_дня к_счастью по_счастью к_сожалению рад_знакомству"
    " рада_знакомству рад_познакомиться рада_познакомиться рад_помочь рада_помочь"
    " good_night calm_down happy_birthday happy_new happy_holidays happy_to_help feel_free"
    " no_worries not_to_worry don't_worry dont_worry"
)

_EMOJI = {
    "sadness": "😢😭😞😔☹🙁😿💔🥺",
    "anger": "😡😠🤬",
    "anxiety": "😰😟😧😬",
    "fear": "😨😱",
    "tiredness": "😩😫😴🥱",
    "joy": "😊😀😃😄😁🙂☺🥰😍❤💖💕🤗🥳",
    "calm": "😌",
    "emptiness": "😶",
}

_BY_KEY = {feeling.key: feeling for feeling in FEELINGS}
_LEXICON: Lexicon[Feeling | None] = Lexicon(
    [(_NOT_FEELINGS, None)]
    + [(f"{feeling.en_terms} {feeling.ru_terms}", feeling) for feeling in FEELINGS]
)
_EMOJI_FEELING = {char: _BY_KEY[key] for key, chars in _EMOJI.items() for char in chars}


@dataclass(frozen=True, slots=True)
class FeelingMention:
    """A feeling named in a message, the English word to reflect it with, and its place."""

    feeling: Feeling
    en: str
    position: int
    negated: bool


def feelings_in(words: Words, text: str = "") -> list[FeelingMention]:
    """Every feeling named in ``words`` (and shown by emoji in ``text``), in reading order."""
    mentions = [
        FeelingMention(
            hit.payload, hit.shown or _english(hit.payload, hit.matched), hit.start, hit.negated
        )
        for hit in _LEXICON.find(words)
        if hit.payload is not None
    ]
    mentions = _without_intensifiers(mentions, words)
    seen_emoji: set[str] = set()
    for char in normalize(text[:2000]):
        feeling = _EMOJI_FEELING.get(char)
        if feeling is not None and feeling.key not in seen_emoji:
            seen_emoji.add(feeling.key)
            mentions.append(FeelingMention(feeling, feeling.en, len(words), negated=False))
    return mentions


def _english(feeling: Feeling, matched: str) -> str:
    """The matched word itself for English terms; the feeling's adjective for Russian ones."""
    return matched if matched.isascii() else feeling.en


# Russian uses some feeling words as plain intensifiers: "страшно устал" is very tired.
_INTENSIFIERS = frozenset({"страшно", "ужасно", "жутко"})


def _without_intensifiers(mentions: list[FeelingMention], words: Words) -> list[FeelingMention]:
    starts = {mention.position for mention in mentions}

    def intensifies(position: int) -> bool:
        return (
            words.words[position] in _INTENSIFIERS
            and position + 1 in starts
            and words.clauses[position] == words.clauses[position + 1]
        )

    return [mention for mention in mentions if not intensifies(mention.position)]


def present_feelings(mentions: list[FeelingMention]) -> list[FeelingMention]:
    """Distinct feelings said to be present, most mentioned first, ties in reading order."""
    counts: dict[str, int] = {}
    first: dict[str, FeelingMention] = {}
    for mention in mentions:
        if mention.negated:
            continue
        key = mention.feeling.key
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, mention)
    return sorted(first.values(), key=lambda m: (-counts[m.feeling.key], m.position))
