"""Shapes in which crisis words are not a crisis now: a past that is over, a denial after them.

Rule hits in these shapes were the rules' main false alarms on the hard negatives of the dev
sets (issue 11): "two years ago I wanted to die, now I have a job I love", "4 года без
селфхарма", "мыслей о самоубийстве нет", "suicide isn't an option for me". Each check is
written to be unambiguous, because a real first-person crisis must never be silenced for a
false-alarm win:

- **Past and resolved** needs all three: a long-ago marker in the message ("years ago",
  "used to", "at 16", "в 17", "раньше"; never "yesterday" or "an hour ago"), a resolution
  *after* the match ("now I'm 30", "therapy helped", "сейчас всё хорошо", "справилась") and no
  sign of relapse anywhere ("again", "still", "worse", "опять", "снова"). "в 17 резала руки,
  сейчас мне 25 и я хочу умереть" keeps firing: no resolution follows the second match.
- **A milestone** ("5 years self harm free", "800 дней без селфхарма") counts time since the
  act; a relapse word still keeps the hit.
- **A denial right after the match** ("мыслей о суициде нет", "suicide isn't an option for
  me", "резаться я не собираюсь", "…, i said no"): the negation the detector reads before a
  match, read after it; and "не думай, что я …" before it. Only a closed list of shapes,
  never a bare "нет" that could be "нет сил", nor one after a comma ("хочу умереть, нет,
  правда").

Where the shape is *not* unambiguous the hit is only **doubtful** (``doubt``).

Each is one compiled pattern over canonical text (see ``text``), searched only when a rule
has already matched, so ordinary messages pay nothing for them.
"""

from __future__ import annotations

import re
from typing import Protocol

from innertalk.domain.safety.text import word_marker

_NUMBER = (
    r"\d+|a few|few|two|three|four|five|six|seven|eight|nine|ten|many|пару|несколько|пять|два"
    r"|две|три|четыре|шесть|семь|восемь|девять|десять|полтора|много"
)
PAST = word_marker(
    rf"(?:{_NUMBER}) (?:years?|months?|лет|года?|месяц\w*) (?:ago|назад)|years ago|used to"
    r"|back then|back in (?:\d+|school|the day)|once|at (?:1[0-9]|2[0-9])(?! (?:am|pm))"
    r"|when i was (?:\d+|a kid|a teen|younger|in school|little)|as a (?:kid|teen|teenager)"
    r"|in (?:school|middle school|high school|college|my teens|my twenties|(?:19|20)\d\d)"
    r"|there was a time|that was (?:years|\d+ years|long) ago|a (?:year|decade) ago|back when"
    r"|(?:my )?old (?:diary|journal|notebook)|(?:diary|journal) from (?:1[0-9]|school|when)"
    r"|last (?:year|spring|summer|autumn|fall|winter)|in my (?:teens|20s|30s|teenage years)"
    r"|my teenage years|as a child|when i was (?:a child|unwell|sick|ill|depressed|suicidal)"
    r"|in uni|(?:i )?remember when|the worst year|(?:\d+|a few|few|many) (?:years|months) since"
    r"|лет назад|когда-то|раньше|в школе|в детстве|в юности|в подростковом|в институте"
    r"|в (?:1[0-9]|2[0-9])(?: лет)?(?! час\w*| утра| вечера| ночи)|в (?:19|20)\d\d(?: году)?"
    r"|было время|в то время|то время|после (?:смерти|выкидыша|развода|расставания)"
    r"|тот период|был период|the time when|the time i|that period|that time in my life"
    r"|after (?:my|the) (?:divorce|breakup|miscarriage|tour|deployment|accident|loss)"
    r"|when i was a teenager|as a teenager|в универе|в вузе|в колледже|в армии|на первом курсе"
    r"|год назад|(?:в|из) (?:[1-9]|1[01]) класс\w*|старый дневник|старом дневнике"
    r"|в (?:первом|втором|третьем|четв[её]ртом|пятом|шестом|седьмом|восьмом|девятом|десятом"
    r"|одиннадцатом) классе"
    r"|мне было \d+|i was (?:[5-9]|1[0-9]|2[0-9])(?! (?:am|pm|min\w*|hours?|seconds?|days?))"
    r"|после (?:армии|школы|родов)|(?:в )?тот год|that year|when i (?:came|got) back"
    r"|after i (?:came|got) back|in my (?:home )?country"
    r"|in the (?:seventies|eighties|nineties|'?[789]0s)|first (?:year|months|winter"
    r"|semester) (?:in|at|here|of)"
    r"|когда то|лет (?:\d+|пять|десять) назад|в прошлом году|прошл(?:ой|ым) (?:осенью|весной"
    r"|зимой|летом)|это было давно|когда умер\w*|после гибели|в лагере|мой дневник"
)
"""Long ago, never "an hour ago" or "yesterday": a recent act is not a resolved one."""
_SURE = r"(?:really |genuinely |actually |so |реально |правда |очень |мне )?"
RESOLVED = re.compile(
    r"(?<! не)(?<! not)(?<! never)(?<!n't) (?:"
    r"(?:i'm|im|i am) (?:so much better|doing (?:so much |much |a lot )?better"
    r"|doing great|doing well|fine now|okay now|ok now|good now|happy now|stable now"
    r"|in recovery|recovered|a therapist|a nurse|a counselor|so glad)"
    r"|now (?:i'm|im|i am) (?:doing|fine|okay|ok|good|happy|stable|better|married"
    r"|dating|working)|now i (?:volunteer|work|have|babysit|know|understand|love|help|teach)"
    r"|(?:doing|feel|feeling) (?:so much |much )?(?:better|great|good) now|stable now"
    r"|life is good now|my life is good|glad (?:i'm|im|i am) (?:alive|still here)"
    r"|life's (?:good|better|great)|i graduated|happy (?:i|that i) (?:stayed|held on|didn't"
    r"|stuck around)"
    r"|i (?:\S+ )?recovered|got treated|glad (?:i'm|im|i am) (?:still )?here|still here"
    r"|(?:i'm|im|i am) (?:okay|ok)(?! with)|it (?:gets|got) better|because it did"
    r"|worked through (?:it|that|this)|got through (?:it|that)"
    r"|getting through (?:it|that)|made it through|(?:and|now) happy|happily|divorced"
    r"|(?:he's|hes|she's|shes|he is|she is) in (?:prison|jail)|(?:that|it) helped|survivor\w*"
    r"|(?:things are|life is) (?:genuinely |really |so much |much |pretty )?(?:better|good|great"
    r"|sweet)|(?:i'm|im|i am) safe|(?:i )?feel safe|those days are over|changed everything"
    r"|made peace|healed"
    r"|i was wrong|enjoying|proud|here i am|remarried|been out|got help|(?:they're|theyre) gone"
    r"|barely recogni[sz]e|(?:i'm|im|i am) (?:mostly )?okay"
    rf"|(?:therapy|treatment|meds|the group) {_SURE}(?:saved|helped)"
    r"|(?:it's|its|it is|that's|thats|that is|it was|that was|all that is|all)"
    r" (?:all |long |now )?(?:behind me|in the past|long ago)"
    r"|i got out|i moved out|no contact|i forgave"
    r"|haven't (?:in|since)|steady for|сейчас всё иначе"
    r"|сейчас все иначе|я взрослая|я взрослый|мне спокойно"
    r"|сейчас (?:нормально|хорошо|всё хорошо|все хорошо|у меня (?:всё|все|семья|работа"
    r"|дочь|сын|кот|собака|любим\w*)|я (?:сама|сам|работаю|волонт\w*|счастлив\w*|в порядке"
    r"|рада?|учусь|живу))|теперь (?:я (?:сама|сам|работаю|волонт\w*|счастлив\w*|в порядке"
    r"|рада?|учусь|живу|понимаю|знаю)|у меня|всё хорошо|все хорошо)"
    r"|(?:давно|уже) (?:в порядке|такого нет|прошло|уехала?|живу)|я справил\w*|справилась"
    r"|давно ничего такого|наладил\w*|(?:сейчас|теперь) понимаю"
    r"|жизнь (?:потихоньку |постепенно |понемногу )?вернулась"
    r"|живём|живем|живу дальше|прош(?:ла|ёл|ел) терапию|отсидел\w*|в тюрьме|помогло"
    r"|сейчас (?:норм\w*|помогаю|свой|смеюсь|радуюсь|живу)|в безопасности|горжусь"
    r"|рецидивов нет|с тех пор ни разу|свобод(?:на|ен)|живу спокойно|с радостью"
    r"|(?:говорим|говорю) (?:об этом )?спокойно"
    r"|проработал\w*|радуюсь|смеюсь|трезв\w*|больше не нужн\w*|отпраздновал\w*"
    r"|справился|выкарабкал\w*|(?:это|всё|все|то время|давно) (?:уже )?(?:прошл[оа]|позади)"
    r"|отпустило|пролечил\w*|вылечил\w*|восстановил\w*|рад[аы]? ,? что (?:жив\w*|тогда|остал\w*)"
    r"|glad (?:i|that i) (?:stuck around|stayed|held on|didn't)"
    r"|(?:я|и|даже) счастлив\w*|ремисси\w*|терапи\w* " + _SURE + r"помогл\w*|простил[аи]?"
    r"|всё отлично|все отлично|вспоминаю (?:спокойно|с улыбкой|без боли)|смешно вспоминать"
    r"|волонт\w*"
    r")(?!\S)"
)
"""A resolution, never after a negation ("не справилась", "therapy never helped")."""
RELAPSE = word_marker(
    r"(?<!happy )(?<!well )(?<!okay )(?<!fine )(?<!myself )(?<!alive )(?<!stuff )(?<!life )"
    r"(?<!things )(?<!laughing )(?<!smiling )again|relapsed?|relapsing|lately|these days"
    r"|back again"
    r"|coming back|came back"
    r"|still(?! here| alive|(?: kinda| kind of| sort of)? (?:can't|cannot|cant) believe)"
    r"|right now|tonight|worse|not now|but not|doesn't help|anymore"
    r"|опять|снова(?! (?:смеюсь|улыбаюсь|счастлив\w*|радуюсь|вышла замуж|женил\w*|жд[её]м"
    r"|беремен\w*|работаю|учусь|рисую|пою|гуляю|влюбил\w*|(?:начал\w*|стал\w*) (?:ездить|ходить"
    r"|гулять|рисовать|петь|работать|учиться|бегать|встречаться|общаться|улыбаться|смеяться"
    r"|радоваться)))|сорвал\w*|вернул\w*|возвращ\w*"
    r"|до сих пор хочу|всё ещё|все еще|всё еще"
    r"|все ещё|в последнее время|хуже|не помога\w*|но не сейчас"
)
MILESTONE = re.compile(
    rf"(?:^| )(?:(?:{_NUMBER}) (?:years?|months?|days?|weeks?|лет|года?|дней|дня|месяц\w*"
    r"|недел\w*)|(?:a |one |один |целый )?(?:year|month|год|месяц))"
    r" (?:без|without|of being|clean of|clean from|free from)$"
)
"""Before a match: "800 дней без [селфхарма]", "год без", "500 days without"."""
CLEAN_AFTER = re.compile(r" (?:-?free|clean)(?!\S)")
"""Right after a match, in a message that counts time: "5 years self harm free"."""
COUNTED = word_marker(rf"(?:{_NUMBER}) (?:years?|months?|days?|weeks?)")
DENIAL_AFTER = re.compile(
    r" (?:(?:мыслей |мысли )?(?:у меня |вообще |совсем |никаких |точно |давно )?(?:нет|нету)"
    r"(?= [,.]|$)"
    r"|(?:, )?(?:и )?(?:я )?(?:честно )?(?:сказала?|ответила?) (?:что )?нет(?= [,.]|$)"
    r"|(?:, )?(?:and )?i (?:said|answered) no(?= [,.]|$)"
    r"|(?:(?:earlier|before|yesterday|last night) )?(?:, )?(?:but )?i (?:didn't|didnt|did not)"
    r" mean (?:it|that) (?:like that|literally|that way|seriously)"
    r"|(?:(?:я|этого|такого|точно|никогда|вообще) )?(?:не собираюсь|не планирую)(?= [,.]|$)"
    r"|(?:у меня )?(?:никогда |ни разу )?не было(?: ни разу| никогда)?(?= [,.]|$)"
    r"|я (?:совсем |вовсе |точно |правда )?не хочу(?= [,.]|$)"
    r"|я (?:никогда )?не (?:думаю|думала?)(?= [,.]|$)"
    r"|(?:для меня )?(?:никогда )?не вариант|\. нет , (?:что ты|что вы|конечно)"
    r"|(?:is|was) (?:never|not) (?:an option|on the table)|isn't an option|is off the table"
    r"|isn't on the table|(?:has|have) never been something"
    r"|(?:has|will) never been? an option|\. no , (?:not at all|never|don't worry|dont worry))"
)

DENIAL_BEFORE = re.compile(
    r"(?:не думай(?:те)?|не переживай(?:те)?|не волнуйся|не волнуйтесь|не в смысле) ,? что"
    r" (?:я )?(?:[^ ,.]+ )?$"
)
"""Before a match: "не думай, что я хочу [с собой что-то сделать]" (Russian only: "I don't
think I want to live" is a crisis, "не думаю, что хочу жить" too; the imperative is not)."""


class Spots(Protocol):
    """Where markers occur in one message, each found once (``judgement.Message``):
    a message with many hits scans it for each marker once, not once per hit."""

    def has(self, marker: re.Pattern[str], start: int = 0, end: int | None = None) -> bool: ...


def is_resolved(spots: Spots, canon: str, start: int, end: int, sentence_from: int) -> bool:
    """Whether the match at ``canon[start:end]`` is a crisis over and done with (see the
    module notes); ``sentence_from`` is where its sentence begins."""
    if spots.has(RELAPSE):
        return False
    if MILESTONE.search(canon[max(0, sentence_from - 1) : start].rstrip()):
        return True
    if CLEAN_AFTER.match(canon, end) and spots.has(COUNTED):
        return True
    return spots.has(PAST) and spots.has(RESOLVED, end)


def is_denied(spots: Spots, canon: str, start: int, end: int) -> bool:
    """Whether the words right after a match deny it ("мыслей о суициде нет"), or a plea
    not to read it so right before it ("не думай, что я хочу …")."""
    denied = DENIAL_AFTER.match(canon, end) or DENIAL_BEFORE.search(
        canon[max(0, start - 60) : start]
    )
    return bool(denied) and not spots.has(RELAPSE)
