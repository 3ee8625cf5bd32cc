"""Everyday topics a message may be about, with the phrases replies use to name them."""

from __future__ import annotations

from dataclasses import dataclass

from innertalk.infrastructure.llm.offline.lexicon import Lexicon
from innertalk.infrastructure.llm.offline.tokens import Words


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic: ``ru_about`` ("о работе"), ``ru_with`` ("с работой"), English for "you"
    (``en_yours``: "your family") and for "they" (``en_theirs``: "their family")."""

    key: str
    ru_about: str
    ru_with: str
    en_yours: str
    en_theirs: str
    terms: str


# fmt: off
TOPICS: tuple[Topic, ...] = (
    Topic("work", "о работе", "с работой", "work", "work",
          "work working job jobs boss coworker* colleague* office career workplace fired"
          " laid_off работ* начальни* коллег* офис* уволи* увольн* карьер*"),
    Topic("study", "об учёбе", "с учёбой", "your studies", "their studies",
          "study studies studying school university uni college exam* homework thesis"
          " teacher* учеб* учус* учител* универ* институт* экзамен* школ* диплом* зачет*"),
    Topic("family", "о семье", "с семьёй", "your family", "their family",
          "family mom mum mother dad father parent* brother* sister* husband wife kids"
          " child children son daughter grandma grandmother grandpa grandfather"
          " семья семьи семье семью семьей семейн* мама мамы маме маму мамой мамин* папа"
          " папы папе папу папой отец отца отцу отцом мать матери матерью родител* брат"
          " брата брату братом братья сестр* муж мужа мужу мужем муже жена жены жене жену"
          " женой ребен* дети детей детьми детям сын сына сыну сыном дочь дочери дочерью"
          " дочк* бабушк* дедушк*"),
    Topic("relationship", "об отношениях", "с отношениями", "your relationship",
          "their relationship",
          "relationship* partner boyfriend girlfriend breakup broke_up break_up divorce*"
          " dating my_ex отношени* парень парня парню парнем девушк* партнер* расстал*"
          " развод* бывш*"),
    Topic("friends", "о друзьях", "с друзьями", "your friends", "their friends",
          "friend* friendship друг друга другу другом друзья друзей друзьям друзьями"
          " подруг*"),
    Topic("health", "о здоровье", "со здоровьем", "your health", "their health",
          "health sick illness doctor* hospital* pain diagnos* здоров* болезн* болит болят"
          " болею болеть болел* врач* больниц* диагноз*"),
    Topic("sleep", "о сне", "со сном", "sleep", "sleep",
          "sleep sleeping slept insomnia nightmare* сон сна сну сном сплю спать спал спала"
          " бессонниц* высып* выспат* высплю* засыпа* засну* кошмар*"),
    Topic("money", "о деньгах", "с деньгами", "money", "money",
          "money debt debts rent bills salary finances financial loan* mortgage деньг* денег"
          " долг долги долгов долгами зарплат* финанс* кредит* ипотек* аренд*"),
    Topic("future", "о будущем", "с будущим", "the future", "the future",
          "future будущ*"),
    Topic("loss", "о потере", "с потерей", "your loss", "a loss",
          "died death passed_away funeral loss умер умерла умерли смерт* похорон* утрат*"),
)
# fmt: on

_LEXICON: Lexicon[Topic] = Lexicon((topic.terms, topic) for topic in TOPICS)


LOSS = "loss"
"""A loss outweighs any other topic it comes with ("my grandmother died")."""


def topics_in(words: Words) -> list[Topic]:
    """Distinct topics of ``words``: a loss first, then most mentioned, then reading order."""
    hits = _LEXICON.find(words)
    counts: dict[str, int] = {}
    for hit in hits:
        counts[hit.payload.key] = counts.get(hit.payload.key, 0) + 1
    ordered: dict[str, Topic] = {}
    for hit in hits:
        ordered.setdefault(hit.payload.key, hit.payload)
    return sorted(ordered.values(), key=lambda topic: (topic.key != LOSS, -counts[topic.key]))
