"""The offline responder: a deterministic reflective listener behind the LanguageModel port."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import fields

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from innertalk.application.ports import LanguageModel
from innertalk.domain.conversation import Role, estimate_tokens
from innertalk.domain.prompting import ChatMessage, ModelChunk, ModelRequest
from innertalk.domain.users import Language
from innertalk.infrastructure.llm.offline import OfflineModel
from innertalk.infrastructure.llm.offline.phrases_en import ENGLISH
from innertalk.infrastructure.llm.offline.phrases_ru import RUSSIAN

CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
CLAIMS_TO_BE_A_PERSON = re.compile(
    r"\bI(?: am|'m)(?: a| an)?(?: real| living)? "
    r"(?:human|person|therapist|psychologist|psychotherapist|counsell?or|doctor)\b"
    r"|\bя\s+(?:—\s*)?(?:живой\s+|настоящий\s+)?(?:человек|психотерапевт|терапевт|психолог|врач)\b",
    re.IGNORECASE,
)
MODEL = OfflineModel()


def ask(
    message: str,
    language: Language = Language.EN,
    history: tuple[ChatMessage, ...] = (),
) -> str:
    return MODEL.reply_to(
        ModelRequest(system="sys", message=message, history=history, language=language)
    ).text


def previous_reply(text: str) -> tuple[ChatMessage, ...]:
    return (ChatMessage(Role.USER, "earlier"), ChatMessage(Role.ASSISTANT, text))


def test_offline_model_satisfies_the_language_model_port() -> None:
    """OfflineModel can stand wherever a LanguageModel is expected, named offline/rules-v1."""
    model: LanguageModel = OfflineModel()
    assert isinstance(model, OfflineModel)
    reply = OfflineModel().reply_to(ModelRequest(system="", message="hi"))
    assert (reply.provider, reply.model) == ("offline", "rules-v1")


async def test_complete_answers_a_russian_greeting_in_russian() -> None:
    """ "Привет" gets a Russian greeting back, even when the profile language is English."""
    reply = await MODEL.complete(ModelRequest(system="", message="Привет", language=Language.EN))
    assert reply.text.startswith("Привет!")
    assert CYRILLIC.search(reply.text)
    assert reply.text.count("?") == 1


@pytest.mark.parametrize(
    ("message", "opener"),
    [("Hello", "Hello!"), ("hi", "Hi!"), ("Good morning", "Good morning!")],
)
def test_english_greetings_are_greeted_back(message: str, opener: str) -> None:
    """English greetings are answered with a matching English greeting."""
    assert ask(message, Language.RU).startswith(opener)


@pytest.mark.parametrize(
    ("message", "opener"),
    [("Здравствуйте!", "Здравствуй!"), ("Добрый вечер", "Добрый вечер!"), ("привет", "Привет!")],
)
def test_russian_greetings_are_greeted_back_informally(message: str, opener: str) -> None:
    """Russian greetings are answered in kind, with the informal "ты"."""
    assert ask(message).startswith(opener)


@pytest.mark.parametrize(
    ("message", "reflected"),
    [
        ("Мне сегодня тревожно", "тревож"),
        ("тревога", "тревож"),
        ("тревожусь", "тревож"),
        ("я в тревоге", "тревож"),
        ("грустно", "грустн"),
        ("печаль", "грустн"),
        ("мне одиноко", "одиноко"),
        ("злюсь", "злост"),
        ("устал", "усталост"),
        ("устала", "усталост"),
        ("страшно", "страшно"),
        ("стыдно", "стыдно"),
        ("обидно", "обидно"),
        ("растеряна", "растерянност"),
        ("пусто", "пусто"),
        ("радостно", "радостно"),
        ("спокойно", "спокойно"),
        ("я вся в стрессе", "напряжени"),
    ],
)
def test_russian_feelings_are_reflected_whatever_their_inflection(
    message: str, reflected: str
) -> None:
    """A Russian feeling word in any form is named back in the reply."""
    reply = ask(message, Language.EN)
    assert reflected in reply.lower()
    assert CYRILLIC.search(reply)


@pytest.mark.parametrize(
    ("message", "reflected"),
    [
        ("I feel lost", "lost"),
        ("I'm so anxious about tomorrow", "anxious"),
        ("my anxiety is back", "anxious"),
        ("I'm sad", "sad"),
        ("feeling lonely tonight", "lonely"),
        ("I'm angry at him", "angry"),
        ("so tired", "tired"),
        ("I am exhausted", "exhausted"),
        ("I'm scared", "scared"),
        ("I'm afraid of failing", "afraid"),
        ("I feel ashamed", "ashamed"),
        ("I feel hurt", "hurt"),
        ("I'm overwhelmed", "overwhelmed"),
        ("I feel empty", "empty"),
        ("I'm happy today", "happy"),
        ("I feel calm", "calm"),
        ("I'm stressed", "stressed"),
    ],
)
def test_english_feelings_are_reflected_with_the_persons_word(
    message: str, reflected: str
) -> None:
    """An English feeling word is reflected as the person said it."""
    reply = ask(message, Language.RU)
    assert reflected in reply.lower()
    assert not CYRILLIC.search(reply)


def test_lost_things_are_not_mistaken_for_feeling_lost() -> None:
    """ "I lost my keys" is not reflected as the feeling of being lost."""
    assert "lost" not in ask("I lost my keys")


def test_intensifying_strashno_is_not_fear() -> None:
    """ "страшно устал" means very tired, not afraid."""
    reply = ask("страшно устал")
    assert "усталост" in reply
    assert "страш" not in reply.lower()


@pytest.mark.parametrize(
    ("message", "absent"),
    [
        ("мне не грустно", "груст"),
        ("Мне совсем не тревожно", "тревож"),
        ("I'm not sad", "sad"),
        ("I don't feel anxious at all", "anxious"),
        ("I'm no longer angry", "angry"),
    ],
)
def test_negated_feelings_are_not_reflected_as_present(message: str, absent: str) -> None:
    """A feeling said to be absent is not reflected back as felt."""
    assert absent not in ask(message).lower()


def test_negation_stops_at_the_clause_boundary() -> None:
    """ "мне не грустно, а тревожно" reflects the anxiety, not sadness."""
    reply = ask("мне не грустно, а тревожно")
    assert "тревож" in reply
    assert "груст" not in reply


@pytest.mark.parametrize(
    ("message", "expected"),
    [("I'm not happy", "not feeling"), ("мне не спокойно", "не спокойно")],
)
def test_a_negated_good_feeling_is_reflected_as_missing(message: str, expected: str) -> None:
    """ "I'm not happy" is heard as unhappiness, not as happiness."""
    assert expected in ask(message)


@pytest.mark.parametrize(
    ("message", "warm"),
    [
        ("Мне сегодня радостно", ("Здорово", "приятно", "Приятно")),
        ("I feel happy today", ("lovely", "glad", "nice")),
    ],
)
def test_good_feelings_are_reflected_positively(message: str, warm: tuple[str, ...]) -> None:
    """Positive feelings get a glad reflection, not sympathy."""
    reply = ask(message)
    assert any(word in reply for word in warm)
    assert "непросто" not in reply
    assert "hard" not in reply


def test_mixed_feelings_are_both_reflected() -> None:
    """ "я рада, но устала" names both the joy and the tiredness."""
    reply = ask("я рада, но устала")
    assert "радост" in reply
    assert "усталост" in reply


@pytest.mark.parametrize(
    ("message", "request_language", "cyrillic"),
    [
        ("I feel lost", Language.RU, False),
        ("мне одиноко", Language.EN, True),
        ("😢", Language.RU, True),
        ("😢", Language.EN, False),
        ("", Language.RU, True),
        ("...", Language.EN, False),
    ],
)
def test_reply_language_follows_the_message_then_the_request(
    message: str, request_language: Language, cyrillic: bool
) -> None:
    """The message's language wins; without letters, the request's language is used."""
    assert bool(CYRILLIC.search(ask(message, request_language))) is cyrillic


def test_emoji_alone_can_carry_a_feeling() -> None:
    """A crying emoji is reflected as sadness."""
    assert "груст" in ask("😢😢", Language.RU)


FEELING_MESSAGES = [
    "Мне сегодня тревожно",
    "мне тревожно и одиноко",
    "я очень устала и злюсь на себя",
    "Мне стыдно перед мамой",
    "I feel lost",
    "I'm exhausted and lonely",
    "I'm so happy but also tired",
    "work has been making me anxious",
]


@pytest.mark.parametrize("message", FEELING_MESSAGES)
def test_feeling_replies_ask_exactly_one_question(message: str) -> None:
    """A reflection ends with exactly one open question."""
    reply = ask(message)
    assert reply.count("?") == 1
    assert reply.endswith("?")


def test_questions_vary_across_messages() -> None:
    """The closing question is not always the same."""
    messages = [f"Мне тревожно {n}" for n in range(40)] + [f"I'm sad {n}" for n in range(40)]
    questions = {ask(message).rsplit(". ", 1)[-1] for message in messages}
    assert len(questions) >= 6


@pytest.mark.parametrize(
    ("message", "markers"),
    [
        ("спасибо", ("Пожалуйста", "Спасибо тебе", "приятно")),
        ("thank you so much", ("welcome", "Thank you for trusting", "glad")),
        ("пока", ("Пока", "До встречи", "Спасибо за разговор")),
        ("до свидания!", ("Пока", "До встречи", "Спасибо за разговор")),
        ("спокойной ночи", ("Спокойной ночи", "Доброй ночи")),
        ("bye", ("Bye", "See you", "Thank you for the conversation")),
        ("good night", ("Good night",)),
    ],
)
def test_thanks_and_farewells_are_acknowledged(message: str, markers: tuple[str, ...]) -> None:
    """Thanks get a welcome and farewells a goodbye, in the message's language."""
    reply = ask(message)
    assert any(marker in reply for marker in markers)
    assert reply.count("?") <= 1


def test_poka_meaning_yet_is_not_a_goodbye() -> None:
    """ "пока не знаю" means "I don't know yet", not "bye"."""
    assert not ask("пока не знаю").startswith(("Пока", "До встречи"))


def test_good_night_is_not_heard_as_calm() -> None:
    """ "спокойной ночи" says goodbye; it does not reflect calm."""
    assert "спокойно" not in ask("спокойной ночи")


@pytest.mark.parametrize(
    "message", ["ты бот?", "ты человек?", "ты робот?", "Вы правда человек?", "кто ты?"]
)
def test_russian_identity_questions_get_an_honest_answer(message: str) -> None:
    """ "ты бот?" is answered honestly: a program, not a human, not a therapist."""
    reply = ask(message)
    assert "программа" in reply
    assert "не человек" in reply or "не живой человек" in reply
    assert "не психотерапевт" in reply


@pytest.mark.parametrize(
    "message",
    [
        "are you a bot?",
        "Are you human?",
        "are you real?",
        "r u an AI?",
        "Am I talking to a real person?",
    ],
)
def test_english_identity_questions_get_an_honest_answer(message: str) -> None:
    """ "are you a bot?" is answered honestly: a program, not a human, not a therapist."""
    reply = ask(message)
    assert "program" in reply
    assert "not a human" in reply or "not a real person" in reply
    assert "not a therapist" in reply


def test_identity_answer_still_reflects_a_feeling() -> None:
    """ "ты бот? мне одиноко" is answered honestly and the loneliness is heard."""
    reply = ask("ты бот? мне одиноко")
    assert "программа" in reply
    assert "одиноко" in reply


def test_how_are_you_is_answered_as_a_program() -> None:
    """ "как дела?" gets an honest answer and a question back."""
    reply = ask("Привет, как дела?")
    assert "программа" in reply
    assert reply.count("?") == 1


@pytest.mark.parametrize(
    ("message", "topic"),
    [
        ("На работе опять завал, начальник кричит", "о работе"),
        ("my boss keeps yelling at me at work", "work"),
        ("мама снова звонила", "о семье"),
        ("my exams start next week", "your studies"),
    ],
)
def test_messages_without_a_feeling_pick_up_the_topic(message: str, topic: str) -> None:
    """Without a feeling word, the reply names what the message is about."""
    assert topic in ask(message)


@pytest.mark.parametrize(
    "message",
    ["", "   ", "...", "?!?!", "🙃", "🙃🙃🙃", "asdf qwer", "12345", "\u200b\u200b", "שלום", "ok"],
)
def test_messages_without_recognizable_words_get_a_gentle_prompt(message: str) -> None:
    """Empty, emoji-only, punctuation-only and unknown text still get a kind, open reply."""
    reply = ask(message)
    assert len(reply) > 10
    assert reply.count("?") == 1


def test_very_long_messages_get_a_short_reply_quickly() -> None:
    """A huge message is read within bounds and answered in a few sentences."""
    message = "Мне очень тревожно из-за работы, и я не сплю ночами. " * 2000
    started = time.perf_counter()
    reply = ask(message)
    assert time.perf_counter() - started < 0.5
    assert "тревож" in reply
    assert len(reply) < 300


@pytest.mark.parametrize(
    ("message", "marker"),
    [("я не хочу жить", "экстренн"), ("I want to kill myself", "emergency")],
)
def test_danger_is_met_with_a_pointer_to_real_help(message: str, marker: str) -> None:
    """Talk of suicide gets care and a pointer to emergency help, not a plain reflection."""
    assert marker in ask(message)


@pytest.mark.parametrize(
    ("message", "condolence"),
    [
        ("Умерла бабушка", "жаль"),
        ("Привет. Вчера умер папа", "жаль"),
        ("My grandmother died last week", "sorry"),
    ],
)
def test_a_loss_is_met_with_condolences(message: str, condolence: str) -> None:
    """A death is answered with condolences before anything else is said about it."""
    reply = ask(message)
    assert condolence in reply
    assert reply.count("?") == 1


@pytest.mark.parametrize(
    ("message", "questions"),
    [
        ("что мне делать?", RUSSIAN.advice_questions),
        ("what should I do?", ENGLISH.advice_questions),
    ],
)
def test_requests_for_advice_get_an_open_question_not_a_prescription(
    message: str, questions: tuple[str, ...]
) -> None:
    """ "What should I do?" is turned into an open question about the person's own options."""
    reply = ask(message)
    assert reply.endswith(questions)
    assert reply.count("?") == 1


ALL_MESSAGES = [
    *FEELING_MESSAGES,
    "Привет",
    "hello",
    "спасибо",
    "пока",
    "ты бот?",
    "are you a bot?",
    "",
    "😢",
    "...",
    "что мне делать?",
    "what should I do?",
    "не знаю",
    "На работе опять завал",
    "мне не грустно",
    "I'm not happy",
    "я не хочу жить",
]


@pytest.mark.parametrize("message", ALL_MESSAGES)
def test_the_previous_reply_is_never_repeated(message: str) -> None:
    """Whatever the reply would be, it differs when it was the last assistant message."""
    history = previous_reply("something else")
    first = ask(message, history=history)
    assert ask(message, history=previous_reply(first)) != first


def test_repeating_the_same_message_never_repeats_the_reply() -> None:
    """Saying the same thing over and over never gets the same reply twice in a row."""
    for message in ALL_MESSAGES:
        history: tuple[ChatMessage, ...] = ()
        previous = None
        for _ in range(12):
            reply = ask(message, history=history)
            assert reply != previous
            history = (
                *history,
                ChatMessage(Role.USER, message),
                ChatMessage(Role.ASSISTANT, reply),
            )
            previous = reply


def test_same_request_gets_the_same_reply() -> None:
    """Replies are deterministic for one request, across instances."""
    request = ModelRequest(system="s", message="Мне сегодня тревожно", history=previous_reply("x"))
    assert OfflineModel().reply_to(request) == OfflineModel().reply_to(request)


def test_replies_do_not_depend_on_pythons_hash_seed() -> None:
    """Choices use a stable hash, so another process with another hash seed agrees."""
    code = (
        "from innertalk.infrastructure.llm.offline import OfflineModel\n"
        "from innertalk.domain.prompting import ModelRequest\n"
        "print(OfflineModel().reply_to(ModelRequest(system='', message='I feel lost')).text)\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert outputs == {ask("I feel lost") + "\n"}


def test_usage_is_an_estimate_of_prompt_and_reply() -> None:
    """Usage counts system, history and message in, the reply out, marked estimated."""
    history = previous_reply("Похоже, тебе сейчас тревожно.")
    request = ModelRequest(system="system prompt", message="мне грустно", history=history)
    reply = MODEL.reply_to(request)
    parts = ["system prompt", "earlier", "Похоже, тебе сейчас тревожно.", "мне грустно"]
    assert reply.usage.input_tokens == sum(estimate_tokens(part) for part in parts)
    assert reply.usage.output_tokens == estimate_tokens(reply.text)
    assert reply.usage.estimated


@pytest.mark.parametrize(
    "message", ["Мне сегодня тревожно и одиноко", "ты бот?", "", "I feel lost"]
)
async def test_stream_concatenates_to_the_completed_reply(message: str) -> None:
    """Streamed chunk texts join to complete()'s text; only the last chunk carries the reply."""
    request = ModelRequest(system="", message=message, language=Language.RU)
    chunks: list[ModelChunk] = [chunk async for chunk in MODEL.stream(request)]
    completed = await MODEL.complete(request)
    assert "".join(chunk.text for chunk in chunks) == completed.text
    assert chunks[-1].reply == completed
    assert chunks[-1].text == ""
    assert all(chunk.reply is None for chunk in chunks[:-1])
    assert len(chunks) >= 3


def test_replies_are_fast() -> None:
    """A typical reply takes well under a millisecond (bounded loosely for slow CI)."""
    messages = [f"{text} {n}" for n in range(50) for text in FEELING_MESSAGES]
    started = time.perf_counter()
    for message in messages:
        ask(message)
    assert (time.perf_counter() - started) / len(messages) < 0.005


def _all_templates() -> list[str]:
    texts: list[str] = []
    for book in (RUSSIAN, ENGLISH):
        for field in fields(book):
            value = getattr(book, field.name)
            if isinstance(value, tuple):
                texts.extend(value)
            elif isinstance(value, dict):
                for item in value.values():
                    texts.extend(item if isinstance(item, tuple) else (item,))
    return texts


def test_no_template_claims_to_be_a_person_or_a_therapist() -> None:
    """No wording the responder can use says it is human or a therapist."""
    templates = _all_templates()
    assert len(templates) > 150
    assert not [text for text in templates if CLAIMS_TO_BE_A_PERSON.search(text)]


def test_the_claim_detector_used_by_these_tests_works() -> None:
    """The claim pattern catches claims and lets honest denials pass."""
    assert CLAIMS_TO_BE_A_PERSON.search("Yes, I'm a real person.")
    assert CLAIMS_TO_BE_A_PERSON.search("Я человек, конечно.")
    assert not CLAIMS_TO_BE_A_PERSON.search("Я не человек, а программа.")
    assert not CLAIMS_TO_BE_A_PERSON.search("I'm not a human and not a therapist.")


TRICKY_PIECES = [
    *"абвгдеёжзийклмнопрстуфхцчшщъыьэюя АБВ abcxyz ABC .,!?…«»—-'’\n\t",
    *["тревожно ", "не ", "sad ", "not ", "ты бот", "пока", "😢", "🙃", "👍🏽", "❤️"],
    *["\u200b", "\u200d", "\u202e", "\ufeff", "שלום", "مرحبا", "\u0301", "𝔘"],
]
TRICKY_TEXT = st.lists(st.sampled_from(TRICKY_PIECES), max_size=60).map("".join)
"""Text mixing feeling words, negations, emoji, RTL scripts and zero-width characters."""


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    message=st.one_of(st.text(max_size=300), TRICKY_TEXT),
    previous=st.one_of(st.none(), st.text(max_size=50)),
    language=st.sampled_from(list(Language)),
)
def test_any_text_gets_a_safe_reply(
    message: str, previous: str | None, language: Language
) -> None:
    """Arbitrary text never raises and gets a non-empty reply with at most one question,
    never a claim to be a person or a therapist."""
    history = previous_reply(previous) if previous is not None else ()
    reply = ask(message, language, history)
    assert reply.strip()
    assert reply.count("?") <= 1
    assert not CLAIMS_TO_BE_A_PERSON.search(reply)
    assert reply != previous
