"""The words around a match that change its meaning: negation, who, fiction, recovery.

Every check reads canonical text (see ``text``) and is a word-set lookup or one compiled
pattern, so judging a match costs microseconds.

- **Negation** counts only when it governs the match: the negator stands right before it,
  possibly across auxiliaries and intensifiers ("I'm *not* going to kill myself", "я
  *никогда не* причиню себе вред"), never across a content word ("I can't stop thinking
  about killing myself" fires). "can't", "couldn't" and "не могу" are deliberately not
  negators: "I can't kill myself, I'm too scared" is ideation. "чуть не" / "едва не" mean
  "almost" and are not negation either: "чуть не покончила с собой" is an attempt.
  "stopped", "quit", "перестала", "бросила", "accidentally", "случайно" cancel like a
  negation: recovery and accidents are not a crisis.
- **Who**: the nearest person word to the left in the clause decides (first person → the
  writer; third person, a relation such as "friend", "сестра", or a Russian third-person
  verb such as "хочет" → someone else; "you", "ты" or a verb in "-ешь"/"-ишь" → addressed
  to someone, not a disclosure); no person word means the writer. In talk of abuse a
  partner or parent is the abuser, so "мой парень абьюзер" is the writer's own (``victim``).
- **Fiction frames** ("in the game", "в фильме", "my character") in the clause silence any
  match. **Topic words** (news, film, prevention, statistics, …) anywhere in the sentence
  silence bare-noun matches ("suicide prevention"), reports about someone else ("the news
  said a man killed himself") and matches no person word claims for the writer; a match the
  writer claims ("I watched a film and I want to die") is kept.
- **Recovery** after the match in the same sentence ("…, but that's in the past", "но это в
  прошлом") silences it: a past crisis someone has come through is not a crisis now.
"""

from __future__ import annotations

from innertalk.domain.safety.text import word_marker


def words(text: str) -> frozenset[str]:
    """The space-separated words of ``text``: long word lists stay readable as prose."""
    return frozenset(text.split())


NEGATORS = words(
    "not never no nor neither don't dont doesn't doesnt didn't didnt won't wont wouldn't"
    " wouldnt isn't isnt aren't arent wasn't wasnt weren't werent haven't havent hasn't"
    " hasnt hadn't hadnt shouldn't shouldnt ain't aint shan't stopped quit accidentally"
    " не ни нет нету никогда никаких нисколько перестал перестала перестали бросил бросила бросили"
    " случайно нечаянно zero"
)
INABILITY = words("can't couldn't cannot")
"""Not negators: "I can't kill myself, I'm too scared" is ideation, not its absence."""
ALMOST = words("чуть едва было")
"""Before "не", these turn it into "almost": "чуть не умерла" is not a negation."""

SKIPPABLE = words(
    "i i'm im am is are was be been being do does did really even ever actually just truly"
    " honestly seriously definitely going gonna to want wanna wanted would will i'll ill"
    " shall plan planning intend mean meant try trying tried again anymore ever thinking thought"
    " think about of feel like so that at all any longer have has had thoughts intention"
    " intentions plan plans desire urge urges"
    " я о об про ведь же бы уж уже точно никогда больше хочу хочется хотела хотел хотелось"
    " хотим мыслей мысли буду будет стану собираюсь собиралась собирался планирую думаю"
    " думала думал думать"
    " пыталась пытался пытаюсь пытаться даже вообще совсем то это и ни за что так"
    " никаких планов намерений"
)
REPORTING = words("что чтобы that")
"""A clause opening with these reports speech: "подруга пишет, что …" is the friend's."""
BOUNDARIES = words("but however though although но однако зато а хотя")

FIRST_PERSON = words(
    "i i'm im i've ive i'd i'll me my myself we we're our us"
    " я мне меня мной мною мой моя мое мои моей моих мы нам нас сама сам"
)
SECOND_PERSON = words("you you're youre u ur your yourself ты тебе тебя тобой вы вам вас")
THIRD_PERSON = words(
    "he she they he's hes she's shes they're theyre him her them his hers their"
    " friend friends bff bestie sister brother mom mum mother dad father son daughter"
    " cousin boyfriend girlfriend husband wife partner classmate colleague coworker"
    " roommate kid kids child teen teenager student someone somebody person people patient"
    " client neighbor neighbour uncle aunt grandma grandpa niece nephew who"
    " он она они оно ему ей им его ее их него нее них нему ней друг друга другу подруга"
    " подруги знакомый знакомая знакомого знакомой сестра сестры брат брата мама мамы мать"
    " матери папа папы отец отца сын"
    " сына дочь дочери дочка дочки ребенок ребенка муж мужа жена жены парень парня девушка"
    " девушки одноклассник одноклассница одноклассницы коллега коллеги сосед соседка"
    " человек люди кто-то кто-нибудь который которая которые пациент клиент бабушка"
    " дедушка тетя дядя племянник внук подросток подростки студент студентка актер актриса"
    " пишет пишут"
    " певец певица блогер мужчина женщина девочка мальчик школьник школьница хочет хотят"
    " собирается собираются пытается пытаются планирует планируют думает думают говорит"
    " говорят грозится"
)
ABUSERS = words(
    "husband wife boyfriend girlfriend partner bf gf ex dad father stepdad stepfather mom mum"
    " mother stepmom stepmother парень муж жена отец отчим мать мама мачеха папа бывший бывшая"
    " сожитель бойфренд партнер"
)
"""Relations that, in talk of abuse, are the abuser: "my boyfriend is abusive" is the writer's."""
THEIR = words("her his their its ее его их")


_THOU_ENDINGS = ("ешь", "ишь", "ешься", "ишься")
"""Russian drops "ты": "думаешь", "боишься" are second person by their ending alone (the
length check keeps "лишь" and "тишь" out)."""


def person_of(word: str) -> str | None:
    """``"me"``, ``"other"``, ``"you"`` for a person word, else ``None``."""
    if word in FIRST_PERSON:
        return "me"
    if word in THIRD_PERSON:
        return "other"
    if word in SECOND_PERSON or (len(word) > 4 and word.endswith(_THOU_ENDINGS)):
        return "you"
    if word.endswith("'s") and word[:-2] in THIRD_PERSON:
        return "other"
    return None


def clause_tail(before: str) -> list[str]:
    """The clause's words before a match, nearest last, cut at "but", "но", …"""
    tail = before.split()
    for index in range(len(tail) - 1, -1, -1):
        if tail[index] in BOUNDARIES:
            return tail[index + 1 :]
    return tail


def is_negated(tail: list[str]) -> bool:
    """Whether a negator governs the words that follow ``tail``."""
    for index in range(len(tail) - 1, -1, -1):
        word = tail[index]
        if word in NEGATORS or (word.endswith("n't") and word not in INABILITY):
            return not (word == "не" and index > 0 and tail[index - 1] in ALMOST)
        if word not in SKIPPABLE:
            return False
    return False


def speaker(tail: list[str]) -> str | None:
    """Whose words these are by the nearest person word in ``tail`` (see ``person_of``)."""
    for word in reversed(tail):
        person = person_of(word)
        if person is not None:
            return person
    return None


def victim(tail: list[str]) -> str | None:
    """Like ``speaker``, for abuse: a partner or parent named in ``tail`` is the abuser, so
    the victim is the writer, unless it is someone else's ("her husband", "её муж")."""
    for index in range(len(tail) - 1, -1, -1):
        word = tail[index]
        if word in ABUSERS:
            previous = tail[index - 1] if index > 0 else ""
            return "other" if previous in THEIR or previous.endswith("'s") else "me"
        person = person_of(word)
        if person is not None:
            return person
    return None


FICTION = word_marker(
    r"in (?:the|this|that|my|a) (?:game|movie|film|book|novel|story|show|series|episode|play"
    r"|anime|manga|song|video|fanfic|comic)|in[- ]game|my character|the character|my avatar"
    r"|my sim|the villain|the hero|the protagonist|respawn\w*"
    r"|в (?:\S+ )?(?:игре|игрушке|фильме|книге|романе|сериале|рассказе|песне|аниме|пьесе"
    r"|мультике|фанфике|комиксе)|(?:мой|моего|мою|этот) (?:персонаж|героиня|герой)"
    r"|персонаж\w*|по сюжету|в сюжете|геро(?:й|ю|я|иня|ине|иню)"
    r"|(?:in|on) (?:gta|minecraft|fortnite|roblox|skyrim)|(?:в|на) (?:gta|гта|форте"
    r"|фортнайте|скайриме|майнкрафте|доте|кс|роблоксе)"
)
TOPIC = word_marker(
    r"news|article|articles|documentary|statistics|stats|rates?|prevention|awareness"
    r"|research|study|studies|lecture|course|class|lesson|podcast|essay|report|paper|novel"
    r"|book|books|movie|movies|film|films|series|show|episode|song|songs|lyrics|album|band"
    r"|game|games|gaming|character|characters|protagonist|villain|hero|npc|quest"
    r"|anime|manga|fanfic|poem|scene|plot|chapter|squad|hotline|helpline|lifeline"
    r"|wikipedia|tv|netflix|video|bomber|mission|volunteer|volunteering|reading"
    r"|assembly|assemblies|difference between|journalists?|journalism|percent\w*|standpoint|among"
    r"|medieval|historically|history|lecturer|professor|training|module|survey|assignment"
    r"|mural|interview|celebrit\w*|experts?|ideation|biography|health class|first aid"
    r"|новост\w*|стать[яиюе]\w*|документальн\w*|статистик\w*|профилакти\w*|предотвращ\w*"
    r"|исследован\w*|лекци\w*|курс\w*|подкаст\w*|эссе|доклад\w*|реферат\w*|роман\w*|книг\w*"
    r"|фильм\w*|кино|сериал\w*|шоу|серии|песн[яиюе]\w*|клип\w*|альбом\w*|игр[аеуыо]\w*"
    r"|игрушк\w*|персонаж\w*|геро(?:й|я|ю|е|и|ев|ям|ями|ях|иня|ини|иню|иней)|аниме|манг\w*"
    r"|фанфик\w*|рассказ(?:|а|е|у|ы|ом|ов|ах|ами)|стих(?:|и|ов|ами|ах|отворени\w*)|сцен[аеуы]\w*"
    r"|сюжет\w*|отряд\w*|википеди\w*"
    r"|видео\w*"
    r"|доверия|горяч\w* лини\w*|волонт\w*|тренинг\w*|вебинар\w*"
    r"|классн\w* час\w*|журналист\w*|журфак\w*|процент\w*|разница между|в ч[её]м разница"
    r"|сочинени\w*|среди|(?<!удалил )(?<!удалила )(?<!почистил )(?<!почистила )(?<!стер )"
    r"(?<!стёр )(?<!стерла )(?<!стёрла )истори\w*(?! браузер\w*| поиск\w*)|биографи\w*|учитель"
    r"|преподавател\w*|форум\w*"
    r"|закон(?:а|е|у|ом|ы|ов|ах)?|законн\w*|законопроект\w*"
    r"|философи\w*|приют\w*|анкет\w*|телик\w*|документалк\w*|грех\w*|весной|в мире"
    r"|политическ\w*|карьерн\w*"
    r"|sources|myths?|warning signs|signs of|sociology|psych perspective|psychology of"
    r"|risk assessment|percentage|at higher risk|миф\w*|источники|социолог\w*|протокол\w*"
    r"|по данным|признаки (?:того|суицид\w*|насили\w*|абьюз\w*)|какие признаки"
    r"|(?:уровень|процент\w*) (?:\S+ ){0,3}(?:суицид|самоубийств|самоповрежд|селфхарм)\w*"
    r"|пройти уровень|уровень (?:\d+|игры)|law school|юрфак\w*|на психологии"
    r"|почему люди|почему у (?:мужчин|женщин|подростков|людей)|среди (?:мужчин|женщин|подростков)"
    r"|на литре"
)
RECOVERY = word_marker(
    r"(?:but|now) (?:that's|thats|it's|its) (?:in the past|behind me|over)"
    r"|not anymore|no longer|(?:i'm|im|i am) (?:in a (?:much )?better place|better now|okay now"
    r"|ok now|fine now|doing better)|(?:therapy|treatment) helped"
    r"|это (?:уже |всё |все )?(?:в прошлом|позади)|(?:но|а) (?:теперь|сейчас) (?:все|всё|мне)"
    r" (?:хорошо|лучше|нормально)|больше нет|терапия помогла"
    r"|(?:уже )?(?:[^ ]+ )?(?:год|года|лет|месяц\w*) как (?:нет|не [^ ]+)"
)
INTENT = word_marker(
    r"tonight|decided|i've decided|planned|planning|my plan|ready"
    r"|goodbye(?! letters?| notes?| cruel world)"
    r"|this weekend"
    r"|(?:going to|gonna) do it|сделаю это"
    r"|when everyone(?:'s| is) asleep|last (?:night|day) (?:alive|on earth)"
    r"|сегодня ночью|сегодня вечером|этой ночью|решил\w*|решено|(?<!нет )(?<!без )(?:план|плана)"
    r"|планирую"
    r"|планировала?|готова?|готовы|собираюсь|собралась|собрался"
    r"|прощай\w*|на выходных|когда все уснут"
)
MEANS = word_marker(
    r"pills|tablets|meds|sleeping pills|rope|noose|gun|pistol|rifle|bullets?|razor|blades?"
    r"|bridge|roof|ledge|balcony|train tracks|bleach|poison|таблет\w*|снотворн\w*|веревк\w*"
    r"|петл[яиюе]\w*|пистолет\w*|ружь\w*|лезви\w*|бритв\w*|мост\w*|крыш[аиеу]|балкон\w*"
    r"|рельс\w*|яд|отрав\w*"
)
WEAPONS = word_marker(r"knife|gun|pistol|rifle|axe|нож\w*|пистолет\w*|ружь\w*|топор\w*")
DANGER_NOW = word_marker(
    r"right now|tonight|he's coming|at the door|сейчас|прямо сейчас|ломится|в дверь"
    r"|сегодня ночью"
)
