"""The worried-friend shape: a message asking how to help someone else who may be in crisis.

The rules tell whose crisis a matched phrase is (``judgement``). The learned layer reads no
person: when it raises a signal on "my sister keeps saying she'd be better off gone — how do
I talk to her about it?", the notice would answer the writer as the one in crisis. This
check lets that signal be marked someone else's, so the person gets the worried-friend
notice (hotlines for the one they worry about, and the reply asks how *they* are coping).
It never clears a signal: it only decides which notice a raised one gets.

Only for suicide and self-harm: in abuse, acute danger and harm to others someone close is
often the danger itself ("my husband hits me, what do I do?"), so those stay the writer's.
All three must hold, in canonical text (``text``):

- someone close is named: "my friend", "our son", "подруга", "мой брат", "коллега";
- help is asked for them: "how do I help", "what should I say", "should I tell someone",
  "как ей помочь", "что ему ответить", "стоит ли воспринимать всерьёз";
- the writer claims no crisis of their own: no "I want to", "me too", "I can't go on",
  "я тоже", "хочу", "не могу больше" — then the writer's notice stays.
"""

from __future__ import annotations

from innertalk.domain.safety.signals import CrisisCategory
from innertalk.domain.safety.text import variants, word_marker

_CLOSE = (
    r"friend|friends|bestie|bff|sister|brother|sibling|son|daughter|kid|child|mom|mum|mother"
    r"|dad|father|wife|husband|partner|boyfriend|girlfriend|bf|gf|cousin|niece|nephew|uncle"
    r"|aunt|grandma|grandpa|colleague|coworker|roommate|flatmate|student|classmate|teammate"
    r"|neighbou?r"
)
CLOSE = word_marker(
    rf"(?:my|our|a) (?:\S+ )?(?:{_CLOSE})"
    r"|друг(?:|а|у|ом|е)|друзь\w*|друзей|подруг\w*|сестр\w*|брат\w*|сын\w*|мам\w*|пап\w*"
    r"|доч(?:ь|ери|ерью|ка|ке|ку)"
    r"|муж(?:|а|у|ем)|жен(?:а|ы|е|у|ой)|парн(?:я|ю|ем|ь)|парень|девушк\w*|коллег\w*"
    r"|сосед\w*|ученик\w*|учениц\w*|однокласс\w*|одногрупп\w*|племянни\w*|внук\w*|внучк\w*"
)
HELP = word_marker(
    r"how (?:do|can|should|could) i (?:help|support|talk|respond|reply|reach|approach|handle"
    r"|bring)|what (?:do|should|can|could) i (?:say|do|tell|text|write)|how to (?:help"
    r"|support|respond|talk)|should i (?:tell|call|worry|be worried|take it seriously|say)"
    r"|is it serious|take it seriously|any advice|need advice|advice on|help (?:him|her|them)"
    r"|как (?:ему |ей |им |его |её |ее |их )?(?:помочь|поддержать|реагировать|ответить"
    r"|себя вести|говорить|поговорить)|что (?:ему |ей |им )?(?:сказать|ответить|делать"
    r"|написать)|стоит ли|воспринимать всерь[её]з|посоветуйте|подскажите|чем помочь"
)
OWN = word_marker(
    r"i (?:want|wanna|need to die|am going|'m going|m going|will|have decided|decided|can't"
    r" go on|cant go on|feel the same)|me too|i too|i also|so do i|myself"
    r"|я (?:тоже|сам|сама|хочу|решил\w*|не могу)|мне тоже|хочу (?:умереть|исчезнуть|уйти)"
    r"|не могу больше|у меня (?:мысли|желание)|i (?:have|keep having|get) (?:thoughts|urges)"
)


def seeks_help_for_other(text: str, category: CrisisCategory) -> bool:
    """Whether ``text``, raised in ``category``, asks how to help someone close, with no
    crisis claimed by the writer."""
    if category not in (CrisisCategory.SUICIDAL_IDEATION, CrisisCategory.SELF_HARM):
        return False
    for canon in variants(text):
        padded = f" {canon}"
        if CLOSE.search(padded) and HELP.search(padded) and not OWN.search(padded):
            return True
    return False
