"""How a crisis pattern is written: one ``Rule`` per phrase family, compiled once.

A rule's ``pattern`` is a regular expression over canonical text (see ``text``): lower case,
single spaces, ``.`` and ``,`` as tokens. It is anchored to whole words automatically: the
compiled form starts with the space before the first word and is run over the text with a
space in front (a literal first character lets the regex engine skip ahead quickly; a
look-behind would not, and costs three times as much). Named groups carry meaning the
surrounding words cannot (a second group of the same meaning is numbered: ``intent2``):

- ``me`` / ``other`` / ``you``: the matched words themselves say whose act it is
  ("myself" / "herself", "хочет" / "хочешь"); ``you`` drops the match as advice or an insult
  aimed at someone ("don't hurt yourself", "kill yourself").
- ``intent``: a form that states intent or a plan ("I'm going to", "покончу" — the
  Russian perfective future), which makes the hit ``HIGH``.

``anchors`` are plain substrings, at least one of which every match contains; the detector
runs a rule only when one is present, so most messages cost a handful of substring searches
(a test runs the whole labelled set with and without this shortcut and compares).

``before`` (a pattern ending at the match) and ``after`` (one starting right after it) name
the idioms that look like the rule but are not it ("kill myself *with work*", "умереть *от
стыда*", "*political* suicide"). ``topical`` marks bare nouns ("suicide", "насилие") that a
topic word in the sentence turns into conversation about the subject.

Patterns compile on first use, not at import: compiling all of them took most of the
process's start-up (about 0.5 s of ``import innertalk.cli``), while an ordinary message's
anchors select only a handful. A rule's compiled pattern is then reused for the process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from innertalk.domain.safety.signals import CrisisCategory, Severity


@dataclass(frozen=True, slots=True)
class Rule:
    """One family of phrases for one category; its regexes are compiled when first read."""

    id: str
    category: CrisisCategory
    severity: Severity
    source: str
    """The full regex of ``pattern``: the phrase family anchored to whole words."""
    anchors: tuple[str, ...]
    negatable: bool = True
    topical: bool = False
    before_source: str | None = None
    after_source: str | None = None

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compiled(self.source)

    @property
    def before(self) -> re.Pattern[str] | None:
        return None if self.before_source is None else _compiled(self.before_source)

    @property
    def after(self) -> re.Pattern[str] | None:
        return None if self.after_source is None else _compiled(self.after_source)


@cache
def _compiled(source: str) -> re.Pattern[str]:
    # ``re``'s own cache holds 512 patterns and may evict these; this one keeps each for good
    return re.compile(source)


def rule(
    id: str,
    category: CrisisCategory,
    severity: Severity,
    pattern: str,
    *,
    anchors: str,
    negatable: bool = True,
    topical: bool = False,
    before: str | None = None,
    after: str | None = None,
) -> Rule:
    """A ``Rule``; ``anchors`` is a space-separated list of substrings, ``_``
    standing for a space ("_рез" is a word starting with "рез", not "через")."""
    return Rule(
        id=id,
        category=category,
        severity=severity,
        source=rf" (?:{pattern})(?!\S)",
        anchors=tuple(anchor.replace("_", " ") for anchor in anchors.split()),
        negatable=negatable,
        topical=topical,
        before_source=rf"(?:^| )(?:{before})$" if before else None,
        after_source=rf" (?:{after})(?!\S)" if after else None,
    )
