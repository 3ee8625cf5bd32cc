"""Shapes in which crisis words are usually no crisis now, but not surely: **doubtful** hits.

A hit in one of these shapes is marked **doubtful** (``judgement``): the learned layer must
be concerned too for it to stand (``SafetyService.examine``; without a classifier, or when it
fails, it stands), and a configured third opinion is asked. These shapes were most of the
rules' false alarms on the dev sets' hard negatives (issue 11), and a closed list of phrases
that silence a hit (``resolved``) never covered the next writer's wording. The shapes:

- **a joke** (``is_doubtful``): a crisis phrase joined to a laugh or an exasperated condition
  ("if I have to reinstall this again I'll shoot myself lol", "застрелюсь, если ещё раз …,
  шучу"), never with "не шучу", "not kidding" or a day named ("tomorrow", "сегодня");
- **looking back** (``looks_back``): a long-ago marker, no relapse word (but "not … anymore",
  a state that has ended, and "came back" inside "when i came back from …"), no present crisis
  verb in the match's sentence ("want", "хочу", "режу") and none told again after it, and
  the writer's present named after the match ("now", "сейчас", "мне 30", "уже 3 года") or
  the sentence told in the past tense ("в армии были мысли уйти из жизни");
- **a death told as done** (``tells_of_a_death``): "Маяковский застрелился", "his uncle took
  his own life" — no writer named in the sentence and no attempt word before it ("чуть не
  повесилась" stays sure); with the next, the only shapes that apply to someone else's crisis;
- **someone else's crisis asked about** (``asks_about_others``): a question naming neither the
  writer nor anyone close ("why do people self harm?"), or a work, a study or a game named;
  "my friend wants to die, what do I do?" stays the worried-friend notice;
- **a general question** (``asks_in_general``) opening the sentence ("почему мужчины …",
  "why do teens …") in a message that never names its writer;
- **an English topic noun** (``names_no_one``) in a sentence naming no one ("is self harm
  always linked to suicide?"), never a threat, a relapse or "now" (Russian drops its
  pronouns, so it never counts there);
- **an aside** (``reads_as_aside``): hyperbole with a cause ("this traffic makes me want to
  die", "от этой бюрократии застрелиться"), a question someone asked ("the psychiatrist asked
  if I wanted to harm myself"), a bare "no" answering it ("мысли о самоубийстве? нет"), a
  work named in the sentence (a song, a book, an exam, a podcast), a game ("в пубге спрыгнул
  с моста"), a pet or a harmless substance beside a dose ("for a dog", "витамин"), "to die"
  for some hours (sleep), a comparison ("легче застрелиться, чем …"), a reason or an intent
  denied around it ("пишу не потому, что хочу умереть", "резать себя не буду");
- **words unsure alone** (``UNSURE_ALONE``, ``unsure_alone``): rules whose words alone were
  calm at least a third of the time on the dev sources ("суицид", "раздаю вещи"), unless a
  day, something recent or final, a relapse, an attempt or a present crisis verb is named.

Never doubtful: acute danger (but an act long past, told so in its own sentence:
``told_long_ago``), a time, plan or intent word anywhere in the message ("tonight",
"decided"), someone else's crisis but for the two shapes above; and, for every shape but the
joke, resolve named anywhere ("gonna", "soon", "решила", "недолго осталось": ``DETERMINED``).

Each is one compiled pattern over canonical text (see ``text``), searched only when a rule
has already matched.
"""

from __future__ import annotations

import re

from innertalk.domain.safety.resolved import PAST, RELAPSE, Spots
from innertalk.domain.safety.rules import Rule
from innertalk.domain.safety.signals import CrisisCategory, CrisisHit
from innertalk.domain.safety.text import word_marker

JOKING = re.compile(
    r"(?<! не)(?<! not)(?<! no)(?<!n't)(?<! a) (?:lol|lmao|lmfao|rofl|haha\w*|jk|just kidding"
    r"|kidding|jokes? aside|шучу|шутка|ахах\w*|cringe\w*|embarrass\w*|кринж\w*|позорищ\w*"
    r"|стыдоба"
    r"|хаха\w*|лол|ору|ржу|if i have to|if i hear|one more (?:time|meeting|email|call)"
    r"|чем (?:ещё|еще) раз|убить (?:\S+ )?мало"
    r"|если (?:ещё|еще) (?:раз|один|одна|одно)|(?:ещё|еще) (?:один|одна|одно) (?:созвон|отчет"
    r"|отчёт|совещание|встреча|пара|день таких))(?!\S)"
)
"""A joke or an exasperated condition; never "не шучу", "not kidding", "no joke"."""
SERIOUS = word_marker(
    r"не шучу|not kidding|not joking|no joke|i mean it|(?:i'm|im|i am) serious|серь[её]зно"
    r"|in a real way|for real|not lol|не лол|без шуток|no jokes?"
)
"""Anywhere in the message, these make no doubtful shape doubtful."""
DAY = word_marker(r"today|tomorrow|сегодня|завтра")
"""Anywhere in the message, a day named makes a joke's shape no joke."""
RECENT = word_marker(r"yesterday|last night|this morning|вчера|ночью|утром|недавно")
"""Anywhere in the message: the act is recent, not talk about it."""
AFRAID = word_marker(
    r"боюсь|страшно|afraid|scared|terrified|могу|might|may|could|тянет|urge|urges"
)
"""In the sentence: the writer fears or feels the act now ("боюсь что-то с собой сделать")."""
FINAL = word_marker(
    r"won't need|wont need|will not need|won't be needing|не понадоб\w*|больше не нуж\w*"
    r"|last time|в последний раз|последний раз|навсегда|forever|for good|after i'm gone"
    r"|after im gone|когда меня не будет|(?:monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday|понедельник\w*|вторник\w*|среду|среда|четверг\w*|пятниц\w*|суббот\w*"
    r"|воскресень\w*)"
)
"""Anywhere in the message: finality or a weekday named — a preparation, not an errand."""
LAUGHING = frozenset("😂🤣😅😆😹🙈😜🤪🙄")
"""Emoji that mark a joke; the canonical text drops emoji, so they are read from the raw."""
SMILES = re.compile(r"(?<![a-z])(?:xd+|:d)(?![a-z])", re.IGNORECASE)
"""Laughter in letters, read from the raw text: "xD", ":D"."""
PAST_VERB = re.compile(
    r" (?:wanted|tried|was|were|had|thought|wrote|gave|took|used to|didn't|felt|planned"
    r"|attempted|overdosed|swallowed|wished|survived"
    r"|(?!(?:мысли|петли|боли|воли|земли|цели|роли|если|или|дали|сопли)(?!\S))"
    r"[а-я]+(?:л|ла|ло|ли|лся|лась|лось|лись))(?!\S)"
)
"""A past-tense verb: the English forms crisis words take, every Russian one by its ending."""
PRESENT_VERB = word_marker(
    r"want|wanna|wants|will|going|gonna|keep (?:\S+ing)|хочу|хочется|хочет|думаю|буду"
    r"|собираюсь|режу|режусь|не могу|не вижу|still"
)
"""A present or future crisis verb in the sentence: the crisis is told now ("раньше резала,
и сейчас хочу")."""
STILL_AT_IT = re.compile(
    r"(?<!without)(?<!stopped)(?<!not) (?:как это сделать|how to do it|думаю об этом|думаю о"
    r" том|думаю как|thinking about it|thinking about doing|thinking of doing|хочу (?:умереть"
    r"|уйти|исчезнуть|сделать|резать)|want to (?:die|disappear|end|do it|cut)|wanna (?:die"
    r"|disappear|end))(?!\S)"
)
"""After a past act, the crisis told again now ("…сейчас сижу и думаю как это сделать");
never "without thinking about it"."""
NOT_ANYMORE = re.compile(
    r" (?:(?:i'm|im|i am|it's|its|that's|thats) not|not that|(?:don't|dont) feel (?:that|like"
    r" that)|no longer)(?: \S+){0,5} $"
)
"""Before "anymore": a state that has ended ("i'm not that scared boy anymore"), no relapse."""
NOW_AFTER = word_marker(
    r"now|today|these days|nowadays|this year|years later|since then|looking back|past me"
    r"|сейчас|теперь|сегодня|нынче|спустя|прошло|с тех пор|вспоминаю"
    r"|(?:i'm|im|i am|мне|мне уже) (?:\d+|thirty|forty|twenty)|for years now|years now"
    r"|уже (?:\S+ )?(?:год\w*|лет|дн\w*|месяц\w*|недел\w*)|been (?:out|clean|sober) \S+"
)
"""After a match, the writer's present set against a past act ("сейчас мне 30", "today")."""
FIRST_PERSON = word_marker(
    r"i|i'm|im|i've|ive|i'd|i'll|me|my|myself|мне|меня|мной|мною|мой|моя|мое|мои|моей|моих"
    r"|я|себе|сама|сам"
)
NOW = word_marker(r"right now|now|seychas|сейчас")
"""The present named: an English topic noun beside it may be the writer's own."""
HELP = word_marker(r"help|помоги\w*|помощь|скор\w+|ambulance|911|112|103|999")
"""A call for help: an emergency's noun beside it is lived, not asked about."""
QUESTION = re.compile(
    r" ?(?:why|how come|are|is|do|does|did|should|can|could|which|почему|какие"
    r"|сколько|правда ли|можно ли|бывает ли|отчего)(?!\S)"
)
"""A sentence that opens as a general question ("why do teens …", "почему мужчины …")."""
ALSO_ASKED = re.compile(r" ?(?:how|what|when|where|зачем|как|что|когда|где|правда)(?!\S)")
"""More openings of a question, read only for someone else's crisis ("how do negotiators
talk someone down?"); never for the writer's own ("how do i …" is a method question)."""
CLOSE = word_marker(
    r"friend|friends|mate|bestie|bf|gf|boyfriend|girlfriend|husband|wife|partner|son|daughter"
    r"|brother|sister|mum|mom|dad|kid|child|roommate|flatmate|student|patient|друг\w*|подруг\w*"
    r"|парень|парня|девушк\w*|муж\w*|жен[аеуы]|сын\w*|доч\w*|брат\w*|сестр\w*|мам\w*|пап\w*"
    r"|ребен\w*|ребён\w*|сосед\w*|ученик\w*|коллег\w*"
)
"""Someone the writer knows: their crisis is a worry to answer, whatever the sentence's shape."""
CAUSED = re.compile(
    r"(?:makes?|made|making) me(?: want to| wanna)? $|(?:^| )(?:от|из-за) (?:этой|этого|этих|такой"
    r"|такого|таких|твоей|твоего|его|ее|её)(?: \S+)?(?: ,)? (?:\S+ )?$"
)
"""Before a match, in its clause: a cause that makes it hyperbole ("this traffic makes me
want to die", "от этой бюрократии застрелиться можно")."""
ASKED = word_marker(
    r"asked (?:me )?(?:if|whether|about)|asks (?:me )?(?:if|whether|about)|asking (?:me )?(?:if"
    r"|whether|about)|спросил\w* (?:, )?(?:меня )?(?:про|о|об|есть ли|не|ли)|спрашивал\w*"
    r"|задал\w* вопрос|вопрос про"
)
"""A clinician's or a friend's question reported, the match inside it ("the psychiatrist asked
if I wanted to harm myself. No, I don't")."""
DENIED_NEAR = re.compile(
    r"(?: [.,])* (?:no|nope|nah|not really|нет|нету|neither)(?= [.,]|$)"
    r"|(?: [.,])* (?:and |but )?i (?:honestly |really )?(?:don't|do not|didn't|am not|'m not"
    r"|wasn't)(?= [.,]|$)"
)
"""Right after a match, a bare answer "no" or "I don't": the words were a question."""
COMPARED = re.compile(r"(?:^| )(?:легче|проще|easier to) $")
"""Right before a match: a comparison that makes it hyperbole ("легче застрелиться, чем найти
парковку")."""
NOT_BECAUSE = re.compile(
    r"(?:не потому(?: ,)? что|not because|не думаю о том(?: ,)? чтобы|не думай(?: ,)? что"
    r"|не собираюсь|не планирую|no intent(?:ion)? to|not (?:going|planning) to"
    r"|never going to)(?: я| i)?(?: (?:хочу|want to))? $"
)
"""Right before a match: a reason or an intent denied ("пишу не потому, что хочу умереть",
"i have no intent to harm myself")."""
REFUSED_AFTER = re.compile(
    r"(?: ,)?(?: я| i)? (?:не (?:собираюсь|буду|планирую|стану)|(?:am|'m) not going to)(?!\S)"
)
"""Right after a match: the act refused ("кончать с собой я не собираюсь")."""
MEDIA = re.compile(
    r"(?<! не)(?<! not)(?<! no)(?<! a) (?:songs?|lyrics?|track|album|chorus|book|novel|film"
    r"|movie|series|essay|seminar|exam|poem|sings|sang|presentation|school project|ancient"
    r"|medieval|поет|поёт|пела|поют|доклад\w*|средневеков\w*|древн\w*"
    r"|article|headline|research|survey|assignment|lecture|meme|quote|the actor|the singer"
    r"|песн[яиюе]|строчк\w*|трек\w*|альбом\w*|припев\w*|книг\w*|роман\w*|фильм\w*"
    r"|сериал\w*|эссе|семинар\w*|экзамен\w*|стих\w*|стать[яиюе]\w*|заголов\w*|мем\w*"
    r"|цитат\w*|исследовани\w*|анкет\w*|реферат\w*|сочинени\w*|анекдот\w*|подкаст\w*|видео"
    r"|выпуск\w*|памятк\w*|курсов\w*|диплом\w*|задани[еяю]|podcast|episode|tiktok|video"
    r"|joke|play|lesson|class|lecturer|statistics?|historians?|урок\w*|лекци\w*"
    r"|статистик\w*|историк\w*)(?!\S)"
)
"""In the match's sentence: the words may be a work's, a quote's or a study's."""
BENIGN = word_marker(
    r"for (?:a|my|the|our) (?:dog|cat|puppy|kitten|pet)|(?:dog|cat|puppy) (?:ate|swallowed)"
    r"|для (?:собак\w*|кошк\w*|кота|щенка)|(?:собака|кошка|кот|щенок) (?:съел\w*|сгрыз\w*)"
    r"|vitamins?|caffeine|coffee|sugar|витамин\w*|кофеин\w*|кофе|сахар\w*"
)
"""In the match's sentence: a pet or a harmless substance ("the lethal dose of tylenol for a
dog", "передозировка витамина С бывает?")."""
GAME = word_marker(
    r"games?|gaming|gamer|minecraft|pubg|fortnite|roblox|dnd|d&d|valorant|csgo|dota|overwatch"
    r"|apex|respawn\w*|fall damage|hardcore mode|my character|the boss|raid|speedrun\w*|npc"
    r"|mario kart|fifa|chess|шахмат\w*|спидран\w*|ranked|ранкед\w*|рейтинг\w* (?:игр\w*|катк\w*)"
    r"|игр[аеуы]|игрушк\w*|пубг\w*|майнкрафт\w*|доту|дота|доте|катк[аеиу]|респавн\w*|босс\w*"
    r"|персонаж\w*|рейд\w*|фортнайт\w*|роблокс\w*|симс\w*|sims|lobby|rage ?quit\w*"
)
"""In the match's sentence: a game named, whose deaths and jumps are a character's."""
GROOMING = re.compile(
    r" (?:фото|photos?|pics?|nudes?|adult|взрослый|взрослая|meet me|встретиться)(?!\S)"
)
"""Anywhere: a game that may be where a child is groomed ("мужчина из игры требует фото")."""
SLEEP = word_marker(
    r"(?:умереть|сдохнуть|помереть) (?:(?:на )?(?:\S+ )?(?:час\w*|сутки|день|дня|неделю|выходные))"
    r"|(?:die|dead) for (?:a few|a couple of|\d+|two|three|twelve|ten) (?:hours|days)"
    r"|(?:die|dead) (?:for|until) (?:the|a) (?:week|weekend|morning|monday)"
)
"""Right at a match: "to die" for some hours — to sleep ("хочу лечь и умереть часов на
двенадцать")."""
UNSURE_ALONE = frozenset(
    {
        "ru.suicide",
        "en.suicide",
        "en.suicidal",
        "ru.selfharm",
        "ru.abuse_noun",
        "en.abuse_noun",
        "ru.method_verbs",
        "ru.overdose",
        "ru.povesitsya",
        "ru.prygnut",
        "ru.razdala",
        "en.giving_away",
        "ru.note",
        "ru.something_to_myself",
        "en.log_off",
        "ru.farewell_messages",
    }
)
"""Rules whose words alone are as often talk about the subject, a story or an everyday act
as a crisis ("суицид", "раздаю вещи", "прыгнул"): on every source the dev evaluation reads
(2026-12-07), when one of these was a message's only sure hit the message was calm at least a
third of the time. Their hits are doubtful unless something else in the message is sure; a
time, plan or intent word keeps them sure."""
DEATH_TOLD = re.compile(
    r"(?:повесил|застрелил|утопил|выбросил|сбросил|бросил)(?:ся|ась|ись)(?!\S)"
    r"|покончил[аи]? с собой|свел[аи]? сч[её]ты с жизнью|наложил[аи]? на себя руки"
    r"|killed (?:him|her|them)sel(?:f|ves)|took (?:his|her|their) (?:own )?li(?:fe|ves)"
    r"|died by suicide|committed suicide|jumped in front of (?:a|the) (?:train|tube|bus|truck)"
    r"|threw (?:him|her|them)sel(?:f|ves) (?:under|in front of|off)"
)
"""In a match: a death by suicide told as done — never the writer's own ("Маяковский
застрелился", "his uncle took his own life")."""
ALMOST = word_marker(r"чуть|едва|почти|almost|nearly|tried to|пытал\w*")
"""Before such a match: an attempt survived, which may be the writer's."""
DETERMINED = word_marker(
    r"going to|gonna|will|i'll|sure now|where i'm going|where im going|решени\w*|решил\w*"
    r"|собираюсь|уверен\w*|недолго осталось|осталось недолго|покончу|убью|soon|скоро"
    r"|найду (?:его|её|ее|того|ту|тех|их)|i'll find (?:him|her|them)"
)
"""Anywhere in the message: resolve that no doubtful shape outweighs."""


def is_doubtful(category: CrisisCategory, spots: Spots, sentence: tuple[int, int]) -> bool:
    """Whether the match's sentence is said as a joke or an exasperated condition (the caller
    has ruled out a time or plan word and someone else's crisis)."""
    if category is CrisisCategory.ACUTE_DANGER:
        return False
    if spots.has(SERIOUS) or spots.has(DAY):
        return False
    return spots.has(JOKING, sentence[0], sentence[1])


def looks_back(spots: Spots, canon: str, sentence: tuple[int, int], end: int) -> bool:
    """Whether a match reads as a past act: a long-ago marker in the message, no relapse
    word, no present or future verb in the match's sentence, and the present named after the
    match or that sentence told in the past tense ("в армии были мысли уйти из жизни", "my
    suicide attempt was 4 years ago")."""
    if not spots.has(PAST) or _relapses(canon):
        return False
    told = canon[sentence[0] : sentence[1]]
    if PRESENT_VERB.search(told):  # "i want to die. i was happy in school, now i'm 30"
        return False
    if spots.has(STILL_AT_IT, end):
        return False
    return spots.has(NOW_AFTER, end) or bool(PAST_VERB.search(told))


def _relapses(canon: str) -> bool:
    """Whether a relapse word occurs, but not inside a long-ago marker ("when i came back
    from …") nor as "not … anymore" (a state that has ended: "i'm not that boy anymore")."""
    past = [found.span() for found in PAST.finditer(canon)]
    for found in RELAPSE.finditer(canon):
        start, end = found.span()
        if any(low <= start and end <= high for low, high in past):
            continue
        if found.group() == " anymore" and NOT_ANYMORE.search(
            canon[max(0, start - 50) : start + 1]
        ):
            continue
        return True
    return False


def unsure_alone(spots: Spots, canon: str, sentence: tuple[int, int]) -> bool:
    """Whether an ``UNSURE_ALONE`` rule's hit is left unsure: no day named, nothing recent
    ("вчера"), nothing final ("won't need them", "навсегда"), no relapse ("опять селфхарм"),
    no attempt ("чуть не повесилась"), and no present or future crisis verb, fear or urge in
    its sentence ("хочу прыгнуть", "боюсь что-то с собой сделать")."""
    if any(spots.has(marker) for marker in (DAY, RECENT, RELAPSE, ALMOST, FINAL)):
        return False
    told = canon[sentence[0] : sentence[1]]
    return not (PRESENT_VERB.search(told) or AFRAID.search(told))


def asks_of_an_emergency(
    spots: Spots, canon: str, span: tuple[int, int], sentence: tuple[int, int]
) -> bool:
    """Whether an ``UNSURE_ALONE`` emergency noun is asked about, not lived: ``unsure_alone``,
    and its sentence names no one, with no call for help and no "now" anywhere ("передозировка
    витамина С бывает?"; never "у меня передоз" or "передоз, помогите")."""
    if spots.has(FIRST_PERSON, *sentence) or spots.has(HELP) or spots.has(NOW):
        return False
    if PAST_VERB.match(canon, span[0] - 1):  # "передознулась": someone did it
        return False
    return unsure_alone(spots, canon, sentence)


def asks_about_others(spots: Spots, canon: str, sentence: tuple[int, int]) -> bool:
    """Whether someone else's crisis words are a general question or a work's, not a worry
    about a person the writer knows: the sentence opens as a question and names neither the
    writer nor their people ("why do people self harm?", "is there a link between social
    media and teen suicide?"), or names a work, a study or a game ("the play is about a man
    who wants to end it all"). "why does my son cut himself?" stays a worry."""
    if spots.has(FIRST_PERSON, *sentence) or spots.has(CLOSE, *sentence):
        return False
    asked = bool(QUESTION.match(canon, sentence[0]) or ALSO_ASKED.match(canon, sentence[0]))
    return asked or spots.has(MEDIA, *sentence) or spots.has(GAME, *sentence)


def told_long_ago(spots: Spots, canon: str, sentence: tuple[int, int], end: int) -> bool:
    """Whether an emergency's words are told as an act long past: ``looks_back``, with the
    long-ago marker in the match's own sentence ("i overdosed at 17 … i'm 34 now", "мне было
    14, когда я наглоталась таблеток"), never with resolve named ("сейчас опять")."""
    if spots.has(DETERMINED) or spots.has(SERIOUS):
        return False
    return spots.has(PAST, *sentence) and looks_back(spots, canon, sentence, end)


def asks_in_general(spots: Spots, canon: str, sentence: tuple[int, int]) -> bool:
    """Whether the match's sentence is a general question and the message never names
    its writer ("почему мужчины совершают суицид чаще?")."""
    return bool(QUESTION.match(canon, sentence[0])) and not spots.has(FIRST_PERSON)


def names_no_one(rule: Rule, spots: Spots, sentence: tuple[int, int]) -> bool:
    """Whether an English topic noun's sentence names no one ("is self harm linked to
    suicide?"); Russian drops its pronouns ("хочу зарезать отчима"), so it never counts, nor
    does a threat ("gonna stab him") or a relapse ("suicidal again")."""
    if not rule.id.startswith("en.") or rule.category is CrisisCategory.HARM_TO_OTHERS:
        return False
    return not spots.has(FIRST_PERSON, *sentence) and not spots.has(RELAPSE) and not spots.has(NOW)


def tells_of_a_death(
    spots: Spots,
    canon: str,
    span: tuple[int, int],
    sentence: tuple[int, int],
    *,
    theirs: bool = False,
) -> bool:
    """Whether the match tells of a death by suicide as done, with no attempt before it, in
    a sentence that names no writer — or any sentence, when the match is ``theirs`` (someone
    else's: "my cousin's dad took his own life" is a loss to talk through, not a friend to
    help)."""
    start, end = span
    if not DEATH_TOLD.search(canon, start, end):
        return False
    if not theirs and spots.has(FIRST_PERSON, *sentence):
        return False
    return not spots.has(ALMOST, sentence[0], start)


def reads_as_aside(
    spots: Spots, canon: str, span: tuple[int, int], clause_from: int, sentence: tuple[int, int]
) -> bool:
    """Whether the match reads as hyperbole (with a cause, or a comparison), a question
    someone asked or answered "no", a reason or an intent denied, or its sentence is about a
    work (a book, a song, research) or a game (never where a child may be groomed), or "to
    die" for some hours."""
    start, end = span
    return bool(
        CAUSED.search(canon[clause_from:start])
        or COMPARED.search(canon[clause_from:start])
        or NOT_BECAUSE.search(canon[max(sentence[0], start - 40) : start])
        or REFUSED_AFTER.match(canon, end)
        or spots.has(ASKED, max(0, start - 80), start)
        or DENIED_NEAR.match(canon, end)
        or spots.has(MEDIA, *sentence)
        or spots.has(BENIGN, *sentence)
        or (spots.has(GAME, *sentence) and not GROOMING.search(canon))
        or spots.has(SLEEP, max(0, start - 40), end)
    )


def laughs(text: str) -> bool:
    """Whether the raw message laughs: a laughing emoji, or laughter in punctuation, and
    nothing says it is serious ("я серьёзно", "not kidding")."""
    if SERIOUS.search(" " + text.casefold()):
        return False
    if not LAUGHING.isdisjoint(text) or SMILES.search(text):
        return True
    # "застрелюсь)))", "хочу умереть)": brackets that close nothing are a smile
    return text.count(")") > text.count("(")


def jokable(hit: CrisisHit) -> bool:
    """Whether a laughing emoji in the message makes ``hit`` doubtful."""
    if hit.doubtful:
        return True
    return hit.category is not CrisisCategory.ACUTE_DANGER and not hit.about_other
