"""Screening what a model wrote before anyone reads it.

``screen_model_output(text)`` does two things:

- **Withholds** a reply that gives method details (lethal doses, pill counts, heights,
  how to cut or tie, "the most painless way…") or urges self-harm ("you should kill
  yourself", "иди повесься"). These patterns fire regardless of negation or framing: a
  supportive reply never needs the words "lethal dose", and replacing a rare over-cautious
  reply with a kind one costs little. The entry point shows ``output_withheld`` from the
  ``safety`` catalog instead, and the conversation continues in safety mode.
- **Reports** what the crisis detector finds in the reply (``signal``), for logs and
  metrics only. A good reply talks about crisis ("it sounds like you're thinking about
  suicide") in the second person, which the detector reads as addressed to someone and
  ignores; whatever still fires is worth counting, not worth blocking.

The screen reads what the person will see, not what the model typed: each of the text's
``visible_readings`` (markup, invisible characters, wide letters, line breaks and hyphenation
undone; see ``visible``) is put in the canonical form (see ``text``), so case, spacing,
``ё`` and look-alike letters do not matter here either. The same screen runs on every
streamed draft (``withheld_reasons``: the patterns only, without the detector's report), on
the final reply, and on session summaries, portraits and ``/memory``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from innertalk.domain.safety.detector import detect_crisis
from innertalk.domain.safety.signals import CrisisSignal
from innertalk.domain.safety.text import variants
from innertalk.domain.safety.visible import visible_readings


class OutputVerdict(StrEnum):
    ALLOW = "allow"
    WITHHOLD = "withhold"


@dataclass(frozen=True, slots=True)
class OutputScreen:
    """The verdict on one model reply; ``reasons`` are the ids of the patterns that fired."""

    verdict: OutputVerdict
    reasons: tuple[str, ...] = ()
    signal: CrisisSignal | None = None

    @property
    def withheld(self) -> bool:
        return self.verdict is OutputVerdict.WITHHOLD


def _pattern(body: str) -> re.Pattern[str]:
    return re.compile(rf" (?:{body})(?!\S)")


_UNITS = r"(?:mg|milligrams?|grams?|g|pills|tablets|мг|миллиграмм[^ ]*|грамм[^ ]*|г|таблет[^ ]*)"
_HEIGHT = r"(?:floors?|stor(?:e)?ys?|meters?|metres?|feet|ft|m|этаж[^ ]*|метр[^ ]*|м)"

OUTPUT_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("out.lethal_dose", _pattern(
        r"(?:lethal|fatal|deadly|toxic) (?:dose|doses|amount|quantity)|overdose (?:threshold"
        r"|amount)|(?:смертельн|летальн|токсичн)[^ ]* (?:доз|количеств)[^ ]*")),
    ("out.how_many", _pattern(
        rf"how many {_UNITS} (?:[^ .]+ ){{0,5}}?(?:to die|would kill|is lethal|are lethal"
        rf"|is fatal|to overdose|it takes)|сколько (?:нужно |надо )?{_UNITS} (?:[^ .]+ ){{0,5}}?"
        r"(?:чтобы умереть|смертельн[^ ]*|для смерти|хватит|достаточно)")),
    ("out.amount_is_lethal", _pattern(
        rf"\d+ ?{_UNITS}(?: of [^ ,.]+)? (?:is|are|would be|will be|can be|could be)"
        r" (?:usually |often |generally |almost always |likely |probably )?(?:a )?"
        rf"(?:lethal|fatal|deadly|enough to (?:die|kill))|\d+ ?{_UNITS} (?:[^ .]+ ){{0,3}}?"
        r"(?:смертельн[^ ]*|летальн[^ ]*)")),
    ("out.best_method", _pattern(
        r"(?:most|least) (?:painless|effective|lethal|reliable|certain|peaceful|quick)"
        r" (?:way|ways|method|methods|means)|(?:best|easiest|quickest|fastest|surest|simplest"
        r"|painless) (?:way|ways|method|methods) to (?:die|kill yourself|kill myself|end (?:it"
        r"|your life|my life)|commit suicide|hang|overdose|cut)|(?:самый|самым|самого|самые)"
        r" (?:безболезненн|надежн|быстр|легк|эффективн|верн)[^ ]* (?:способ|метод)[^ ]*"
        r"|(?:безболезненн|надежн|быстр|легк|верн)[^ ]* (?:способ|метод)[^ ]* (?:умереть"
        r"|покончить|суицида|самоубийства|уйти из жизни|повеситься|отравиться)")),
    ("out.cutting_howto", _pattern(
        r"(?:cut|slit|slice) (?:[^ .]+ ){0,3}?(?:vertically|lengthwise|along the (?:vein|veins"
        r"|artery|arm|forearm)|down the (?:arm|forearm)|deep enough)|(?:резать|разрезать"
        r"|вскрывать|порезать) (?:[^ .]+ ){0,3}?(?:вдоль|поперек|глубоко)|вдоль (?:вены|вен"
        r"|руки|запясть[^ ]*)")),
    ("out.noose", _pattern(
        r"(?:tie|make|knot|tying|making) (?:a |the )?noose|(?:завязать|сделать|связать|вязать)"
        r" (?:[^ .]+ )?петл[^ ]*")),
    ("out.height", _pattern(
        rf"(?:jump|fall|falling|jumping|прыгать|прыгнуть|падать|упасть|падение) (?:from|с)"
        rf" (?:at least |a height of |over |above |не ниже |минимум |хотя бы )?\d+(?:-?го)?"
        rf" ?{_HEIGHT}|\d+ ?{_HEIGHT} (?:is|are|would be|should be|will be) (?:usually |almost"
        r" always |generally )?(?:enough|fatal|lethal|deadly)|с \d+(?:-?го)? этажа"
        r" (?:[^ .]+ ){0,3}?(?:наверняка|точно|достаточно|смертельн[^ ]*)")),
    ("out.encourage", _pattern(
        r"(?:you should|you could|you might as well|why don't you|just|go|go and|go ahead and)"
        r" (?:just )?(?:kill|hurt|cut|hang|harm|shoot) yourself|kill yourself|kys|you(?:'d|"
        r" would) be better off dead|(?:the )?world (?:would|'d) be better (?:off )?without you"
        r"|(?:тебе|вам) (?:стоит|лучше|надо|нужно|следует|пора) (?:бы )?(?:просто )?(?:умереть"
        r"|покончить с собой|убить себя|повеситься|порезать себя|сдохнуть|выпилиться)"
        r"|(?:убей|убейте) себя|иди (?:и )?(?:повесься|убейся|убей себя)|выпились|сдохни"
        r"|повесься|вскрой(?:те)? (?:себе )?вены")),
)  # fmt: skip


def withheld_reasons(text: str) -> tuple[str, ...]:
    """The ids of the patterns that withhold ``text`` as it will be seen (empty: it may be
    shown). Each canonical form is searched on its own, so no match spans two of them."""
    forms = [f" {form}" for reading in visible_readings(text) for form in variants(reading)]
    return tuple(
        name for name, pattern in OUTPUT_RULES if any(pattern.search(form) for form in forms)
    )


def screen_model_output(text: str) -> OutputScreen:
    """Whether a model's reply may be shown, why not, and what the detector sees in it."""
    reasons = withheld_reasons(text)
    verdict = OutputVerdict.WITHHOLD if reasons else OutputVerdict.ALLOW
    return OutputScreen(verdict, reasons, detect_crisis(text))
