"""The crisis detector: deterministic, model-free, fast enough for every message and reply.

Design, in the order a message goes through it:

1. **Canonical text** (``text``): lower case, ``ё``→``е``, look-alike letters unified,
   stretched letters squeezed, punctuation reduced to sentence (``.``) and clause (``,``)
   tokens. Patterns are written once against this form.
2. **Anchors**: each rule names substrings one of which every match contains; a rule runs
   only when one is present. An ordinary message costs one pass over the anchors and a
   handful of regexes; a long one is cut into overlapping windows and each rule runs only
   in the windows holding its anchors.
3. **Patterns** (``patterns.en``, ``patterns.en_danger``, ``patterns.ru``,
   ``patterns.ru_danger``): one compiled regex per phrase family; both languages always run,
   because people mix them. Inflection is spelled out where it means something (person,
   intent) and stemmed where it does not. **Warning signs** (``patterns.en_signs``,
   ``patterns.ru_signs``, ``patterns.signs_danger``) cover what people say without the
   crisis words, designed from the clinical warning-sign taxonomy rather than from sentences:
   means or place joined to dwelling or intention ("thinking about the pills", "стою на
   крыше"), preparations and farewells (letters to family, belongings given away, who takes
   the cat "when I'm gone"), finality and a timeline ("won't be here by Friday", "скоро меня
   не будет", a bare "я всё решила"), burden, the wish not to wake up, hopelessness *joined*
   to an ending, slang, present-tense self-harm urges, a child's disclosure of sexual abuse
   and intent to harm others. Each is a structure of word classes, so a new wording of one
   part still meets the others; Russian uses disciplined stems (no lemmatizer: the domain is
   stdlib-only, and stems keep detection identical everywhere).
4. **Judgement of each match** (``context``): an idiom exception next to the pattern
   (``before``/``after``: "kill myself *with work*", "*политическое* самоубийство"); a
   negation governing it ("I'm *not* going to…"); whose crisis it is (reflexive or verb form
   in the match, else the nearest person word in the clause — or, for reported speech
   "подруга пишет, что …", in the clause before — else the writer); fiction frames ("in the
   game") in the clause; recovery after it ("…but that's in the past"); topic words (news,
   film, prevention, …) in the sentence for bare nouns ("suicide prevention"), for reports
   about someone else, and when no person word says it is the writer's own.
5. **Severity**: ``HIGH`` when the rule names a method or an emergency, or the match has an
   ``intent`` form. Otherwise: intent/time words in the sentence ("tonight", "решила")
   raise suicidal ideation and self-harm, means named anywhere in the message ("pills",
   "верёвка") raise suicidal ideation, weapons raise harm to others, "right now" and
   "ломится" raise abuse; acute danger is always ``HIGH``. A crisis about someone else is
   ``CONCERN``: the person writing is not the one in danger, though the words meant for
   them still give the emergency number.
6. **Summary** (``signals.summarize``): the writer's own crisis leads over someone else's,
   then ``HIGH`` over ``CONCERN``, then acute danger › suicidal › self-harm › abuse › harm
   to others. The signal names categories and rule ids, never the person's words.

What it deliberately does not do: guess at sarcasm ("I want to die lol" fires), flag
general hopelessness without a crisis statement ("I feel empty", "я больше не выдержу" are
the conversation's to answer, and an optional classifier's to weigh), resolve
generic "you" ("sometimes you just want to die" reads as addressed to someone and does
not fire), read transliterated Russian ("ne hochu zhit"), or take threats aimed at the
companion itself ("I'll kill you") as harm to others. An optional model classifier may add a
second opinion on top; it is never the only one.

Steps 1–3 and the summary run here; steps 4 and 5 (one match at a time) in ``judgement``.

Bounded work: each rule judges at most ``MAX_MATCHES_PER_RULE`` matches per message (a phrase
repeated a thousand times is judged on its first few), and context is read at most
``text.SCOPE`` characters either side of a match.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from functools import cache

from innertalk.domain.safety import doubt
from innertalk.domain.safety.judgement import Groups, Message, judge, person_groups
from innertalk.domain.safety.patterns.en import RULES as EN_SUICIDAL_RULES
from innertalk.domain.safety.patterns.en_danger import RULES as EN_DANGER_RULES
from innertalk.domain.safety.patterns.en_signs import RULES as EN_SIGN_RULES
from innertalk.domain.safety.patterns.ru import RULES as RU_SUICIDAL_RULES
from innertalk.domain.safety.patterns.ru_danger import RULES as RU_DANGER_RULES
from innertalk.domain.safety.patterns.ru_signs import RULES as RU_SIGN_RULES
from innertalk.domain.safety.patterns.signs_danger import RULES as DANGER_SIGN_RULES
from innertalk.domain.safety.rules import Rule
from innertalk.domain.safety.signals import (
    CrisisHit,
    CrisisSignal,
    summarize,
)
from innertalk.domain.safety.text import variants

RULES: tuple[Rule, ...] = (
    *EN_SUICIDAL_RULES,
    *EN_DANGER_RULES,
    *EN_SIGN_RULES,
    *RU_SUICIDAL_RULES,
    *RU_DANGER_RULES,
    *RU_SIGN_RULES,
    *DANGER_SIGN_RULES,
)
MAX_MATCHES_PER_RULE = 8
WINDOW_CHARS = 600
OVERLAP = 300
"""Longer than any match, so a match cut by a window's end is found whole in that window."""
_SCRIPTS = ((True, re.compile(r"[а-я]")), (False, re.compile(r"[a-z]")))
"""Russian rules run when the text has Cyrillic letters, English ones when it has Latin."""
_SCRIPT_WORDS = {True: re.compile(r"\S*[а-я]\S*"), False: re.compile(r"\S*[a-z0-9]\S*")}
"""The words an anchor of each script can occur in (English anchors include 911, 112)."""


class CrisisDetector:
    """Finds crisis signals in a text; build once, call often (each rule's patterns compile
    the first time its anchors are present)."""

    def __init__(self, rules: Sequence[Rule] = RULES, *, use_anchors: bool = True) -> None:
        self._rules = tuple(rules)
        self._use_anchors = use_anchors
        # filled as rules first match: reading a pattern's groups compiles it (see ``rules``)
        self._groups: dict[str, Groups] = {}
        self._scripts = {
            cyrillic: tuple(rule for rule in self._rules if rule.id.startswith("ru.") == cyrillic)
            for cyrillic in (True, False)
        }
        self._anchors = {
            cyrillic: tuple(dict.fromkeys(a for rule in rules for a in rule.anchors))
            for cyrillic, rules in self._scripts.items()
        }
        self._index = {rule.id: index for index, rule in enumerate(self._rules)}
        self._by_anchor: dict[str, list[int]] = {}
        for index, rule in enumerate(self._rules):
            for anchor in rule.anchors:
                self._by_anchor.setdefault(anchor, []).append(index)

    def detect(self, text: str) -> CrisisSignal | None:
        """The crisis signal in ``text``, or ``None``; a laughing emoji makes hits that could
        be jokes doubtful (see ``doubt``), and so does laughter in punctuation ("))", "xD")."""
        hits = self.scan(text)
        if hits and doubt.laughs(text):
            hits = tuple(replace(hit, doubtful=doubt.jokable(hit)) for hit in hits)
        return summarize(hits)

    def scan(self, text: str) -> tuple[CrisisHit, ...]:
        """Every judged hit in ``text`` (one per rule and place), in no particular order."""
        hits: dict[tuple[str, int, bool], CrisisHit] = {}
        judged: Counter[str] = Counter()
        for canonical in variants(text):
            message = Message(f" {canonical}")
            canon = message.canon
            rules = self._candidates(canon)
            anchors = {anchor for rule in rules for anchor in rule.anchors}
            for start, end, limit in _windows(canon) if rules else ():
                whole = start == 0 and limit >= len(canon)
                here = rules if whole else self._candidates(canon[start:limit], rules, anchors)
                for rule in here:
                    found = rule.pattern.finditer(canon, start, limit)
                    for match in itertools.islice(found, MAX_MATCHES_PER_RULE - judged[rule.id]):
                        if match.start() >= end:
                            break
                        judged[rule.id] += 1
                        hit = self._judge(rule, match, message)
                        if hit is not None:
                            hits.setdefault((hit.rule, hit.start, hit.about_other), hit)
        return tuple(hits.values())

    def _candidates(
        self, canon: str, among: Sequence[Rule] | None = None, anchors: Iterable[str] = ()
    ) -> list[Rule]:
        """The rules worth running on space-led ``canon``: those of its scripts (or
        ``among``, whose ``anchors`` are given) with an anchor present."""
        if among is None:
            scripts = [cyrillic for cyrillic, found in _SCRIPTS if found.search(canon)]
            among = [rule for cyrillic in scripts for rule in self._scripts[cyrillic]]
            if not self._use_anchors or not among:
                return among
            # One-word anchors are looked up among the distinct words of their script (a far
            # shorter string for long or repetitive text); anchors spanning words need the
            # text itself.
            words = " ".join(set(canon.split()))
            present = [
                anchor
                for cyrillic in scripts
                for haystack in [" " + " ".join(_SCRIPT_WORDS[cyrillic].findall(words))]
                for anchor in self._anchors[cyrillic]
                if anchor in (canon if " " in anchor[1:] else haystack)
            ]
        elif not self._use_anchors:
            return list(among)
        else:  # a window: short, and only the message's candidates are left to check
            present = [a for a in anchors if a in canon]
        chosen = {index for anchor in present for index in self._by_anchor[anchor]}
        return [rule for rule in among if self._index[rule.id] in chosen]

    def _judge(self, rule: Rule, match: re.Match[str], message: Message) -> CrisisHit | None:
        """The hit ``match`` makes (see ``judgement``); its groups are read once per rule."""
        groups = self._groups.get(rule.id)
        if groups is None:
            groups = self._groups[rule.id] = person_groups(rule)
        return judge(rule, match, message, groups)


def _windows(canon: str) -> Iterator[tuple[int, int, int]]:
    """Spans ``(start, end, limit)`` of about ``WINDOW_CHARS`` of space-led ``canon``, cut at
    spaces (every pattern starts with one): a match must start before ``end`` and may run
    on to ``limit``, so nothing is missed at a cut and nothing is found twice."""
    start = 0
    while start < len(canon):
        end = _space_after(canon, start + WINDOW_CHARS)
        yield start, end, _space_after(canon, end + OVERLAP)
        start = end


def _space_after(canon: str, position: int) -> int:
    found = canon.find(" ", position) if position < len(canon) else -1
    return len(canon) if found < 0 else found


@cache
def default_detector() -> CrisisDetector:
    """The detector with every built-in rule, built on first use and shared."""
    return CrisisDetector()


def detect_crisis(text: str) -> CrisisSignal | None:
    """The crisis signal in a person's message (or a model's reply), or ``None``."""
    return default_detector().detect(text)
