"""What a message does besides naming feelings: greets, thanks, says goodbye, asks who it is
talking to, asks for advice, says it does not know, or signals danger."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from innertalk.infrastructure.llm.offline.lexicon import Lexicon, word_set
from innertalk.infrastructure.llm.offline.tokens import Words


class Intent(StrEnum):
    """Social and conversational moves the responder answers in their own way."""

    CRISIS = "crisis"
    IDENTITY = "identity"
    GREETING = "greeting"
    HOW_ARE_YOU = "how_are_you"
    THANKS = "thanks"
    FAREWELL = "farewell"
    ADVICE = "advice"
    UNSURE = "unsure"


# A crisis phrase counts even when negated: an unneeded caring answer costs little.
_TERMS = {
    Intent.CRISIS: "покончить_с_собой покончу_с_собой убить_себя убью_себя суицид* самоубийств*"
    " не_хочу_жить не_хочется_жить жить_не_хочу жить_не_хочется хочу_умереть хочется_умереть"
    " лучше_бы_я_умер* порезать_себя режу_себя причинить_себе_вред причиняю_себе_вред"
    " свести_сч* уйти_из_жизни kill_myself killing_myself suicid* end_my_life end_it_all"
    " want_to_die wanna_die don't_want_to_live dont_want_to_live no_reason_to_live"
    " hurt_myself hurting_myself self-harm self_harm cut_myself cutting_myself"
    " better_off_dead take_my_life",
    Intent.IDENTITY: "кто_ты ты_кто кто_вы вы_кто что_ты_такое с_кем_я_говорю"
    " с_кем_я_разговариваю с_кем_я_общаюсь это_бот who_are_you"
    " is_this_a_bot is_this_a_human is_this_a_real_person is_this_ai",
    Intent.GREETING: "привет приветик приветствую здравствуй здравствуйте здрасте здрасьте хай"
    " салют добрый_день добрый_вечер доброе_утро доброго_дня доброго_утра доброго_вечера"
    " hi hello hey hiya howdy greetings good_morning good_afternoon good_evening",
    Intent.HOW_ARE_YOU: "как_дела как_ты как_поживаешь как_у_тебя_дела how_are_you how_are_u"
    " how's_it_going hows_it_going how_have_you_been how_are_things what's_up whats_up",
    Intent.THANKS: "спасибо спасиб благодарю thanks thank_you thx ty",
    Intent.FAREWELL: "пока до_свидания до_встречи до_завтра спокойной_ночи доброй_ночи"
    " всего_доброго всего_хорошего увидимся мне_пора bye bye-bye goodbye see_you see_ya"
    " good_night goodnight take_care talk_later gotta_go have_to_go cya",
    Intent.ADVICE: "что_делать что_мне_делать как_быть как_мне_быть посоветуй* подскажи*"
    " дай_совет нужен_совет помоги помогите what_should_i_do what_do_i_do what_can_i_do"
    " any_advice your_advice any_tips help_me what_would_you_do",
    Intent.UNSURE: "не_знаю хз без_понятия idk dunno don't_know dont_know not_sure no_idea",
}
_LEXICON: Lexicon[Intent] = Lexicon((terms, intent) for intent, terms in _TERMS.items())

_ASKED_ABOUT = word_set(
    "ты вы you u you're youre talking speaking chatting говорю разговариваю общаюсь пишу"
)
"""Words after which "bot", "human", "человек"… ask who the person is talking to."""
_NOT_A_PERSON = word_set(
    "бот ботом робот человек человеком живой живая настоящий настоящая реальный реальная ии ai"
    " нейросеть программа машина психолог психотерапевт терапевт компьютер chatgpt gpt bot"
    " robot human person real alive machine program therapist psychologist chatbot"
    " computer counselor counsellor"
)
_HOW_ARE_YOU_TAILS = frozenset({"сегодня", "там", "today", "doing", "feeling"})
_SOCIAL_ONLY_WORDS = 8
"""Messages up to this many words may be purely social ("привет, как ты?")."""


@dataclass(frozen=True, slots=True)
class Intents:
    """The intents of one message and the first word of its greeting or farewell."""

    found: frozenset[Intent]
    greeting: str = ""
    farewell: str = ""

    def __contains__(self, intent: Intent) -> bool:
        return intent in self.found


def intents_in(words: Words, text: str) -> Intents:
    """The intents expressed by ``words`` (``text`` is the raw message, for its "?")."""
    found: set[Intent] = set()
    greeting = farewell = ""
    short = len(words) <= _SOCIAL_ONLY_WORDS
    for hit in _LEXICON.find(words):
        intent = hit.payload
        if intent is Intent.GREETING and hit.start >= 3:
            continue
        if intent is Intent.FAREWELL and not _farewell_fits(
            hit.matched, hit.start, hit.end, len(words)
        ):
            continue
        if intent is Intent.HOW_ARE_YOU and not (short and _ends_question(words, hit.end)):
            continue
        if intent is Intent.UNSURE and not short:
            continue
        found.add(intent)
        if intent is Intent.GREETING and not greeting:
            greeting = hit.matched
        if intent is Intent.FAREWELL and not farewell:
            farewell = hit.matched
    if (short or "?" in text) and (Intent.IDENTITY in found or _asks_if_person(words)):
        found.add(Intent.IDENTITY)
    else:
        found.discard(Intent.IDENTITY)
    return Intents(frozenset(found), greeting, farewell)


def _farewell_fits(matched: str, start: int, end: int, length: int) -> bool:
    """Farewells open or close a message; "пока" anywhere but last means "while" or "yet"."""
    return end == length or (start == 0 and matched != "пока")


def _ends_question(words: Words, end: int) -> bool:
    """Whether "как ты" ends the question: "как ты думаешь?" asks something else."""
    return end == len(words) or words.words[end] in _HOW_ARE_YOU_TAILS


def _asks_if_person(words: Words) -> bool:
    """Asks whether it is a person: "ты бот?", "am I talking to a real person?"."""
    for index, word in enumerate(words.words):
        if word in _ASKED_ABOUT and any(
            following in _NOT_A_PERSON for following in words.words[index + 1 : index + 5]
        ):
            return True
    return False
