"""The offline extractive summarizer, directly and through OfflineModel's SUMMARY purpose."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from innertalk.domain.conversation import Role
from innertalk.domain.prompting import ChatMessage, ModelRequest, Purpose
from innertalk.domain.users import Language
from innertalk.infrastructure.llm.offline import OfflineModel, summarize_turns
from innertalk.infrastructure.llm.offline.summarizer import QUOTE_LIMIT

QUOTED = re.compile(r"«([^»]*)»|“([^”]*)”")

RUSSIAN_TALK = (
    ChatMessage(Role.USER, "Привет"),
    ChatMessage(Role.ASSISTANT, "Привет! Как ты себя сейчас чувствуешь?"),
    ChatMessage(Role.USER, "Мне сегодня тревожно, на работе завал и начальник опять недоволен."),
    ChatMessage(Role.ASSISTANT, "Похоже, тебе сейчас тревожно. Что больше всего тревожит тебя?"),
    ChatMessage(Role.USER, "Я очень устала. Мне не грустно, просто сил нет."),
    ChatMessage(Role.USER, "Спасибо, пока"),
)
ENGLISH_TALK = (
    ChatMessage(Role.USER, "hi"),
    ChatMessage(Role.ASSISTANT, "Hi! I hear you seem sad and lonely. What's on your mind?"),
    ChatMessage(Role.USER, "I've been so anxious about work, my boss wants everything yesterday."),
    ChatMessage(Role.USER, "And I'm exhausted. I'm not angry, just tired of it."),
)


def sentences_outside_quotes(summary: str) -> int:
    return len(re.findall(r"[.!?](?:\s|$)", QUOTED.sub("", summary)))


def test_russian_summary_names_topics_and_feelings_in_the_third_person() -> None:
    """A Russian conversation is summarized in Russian: topics, feelings, third person."""
    summary = summarize_turns(RUSSIAN_TALK, Language.RU)
    assert summary.startswith("Человек говорил о работе")
    assert "тревогу" in summary
    assert "усталость" in summary
    assert 1 <= sentences_outside_quotes(summary) <= 3


def test_english_summary_names_topics_and_feelings_in_the_third_person() -> None:
    """An English conversation is summarized as "The person talked about …; they felt …"."""
    summary = summarize_turns(ENGLISH_TALK, Language.EN)
    assert summary.startswith("The person talked about work; they felt ")
    lead = summary.split(".", 1)[0]
    assert "anxious" in lead
    assert "exhausted" in lead
    assert 1 <= sentences_outside_quotes(summary) <= 3


def test_summary_quotes_the_most_telling_sentences() -> None:
    """The person's sentences richest in feelings and topics are quoted."""
    summary = summarize_turns(RUSSIAN_TALK, Language.RU)
    quotes = [a or b for a, b in QUOTED.findall(summary)]
    assert quotes[0].startswith("Мне сегодня тревожно, на работе завал")
    assert "Привет" not in quotes
    assert len(quotes) <= 2


def test_negated_feelings_are_left_out_of_the_summary() -> None:
    """ "Мне не грустно" and "I'm not angry" are not summarized as felt."""
    assert "грусть" not in summarize_turns(RUSSIAN_TALK, Language.RU)
    lead = QUOTED.sub("", summarize_turns(ENGLISH_TALK, Language.EN))
    assert "angry" not in lead


def test_only_the_persons_turns_are_summarized() -> None:
    """Feelings the assistant named ("sad", "lonely") do not count as the person's."""
    lead = QUOTED.sub("", summarize_turns(ENGLISH_TALK, Language.EN))
    assert "sad" not in lead
    assert "lonely" not in lead


def test_summary_is_written_in_the_requested_language() -> None:
    """A Russian conversation summarized for English is led in English."""
    summary = summarize_turns(RUSSIAN_TALK, Language.EN)
    assert summary.startswith("The person talked about work; they felt ")
    assert "anxious" in summary.split(".", 1)[0]


def test_long_sentences_are_quoted_shortened() -> None:
    """Each quote is at most 160 characters and ends with an ellipsis when cut."""
    rambling = "I feel anxious about my job because " + "there is so much to do " * 40
    summary = summarize_turns((ChatMessage(Role.USER, rambling),), Language.EN)
    quotes = [a or b for a, b in QUOTED.findall(summary)]
    assert quotes
    assert all(len(quote) <= QUOTE_LIMIT for quote in quotes)
    assert quotes[0].endswith("…")


def test_repeated_sentences_are_quoted_once() -> None:
    """A sentence said twice is not quoted twice."""
    turn = ChatMessage(Role.USER, "I'm so stressed about my exams.")
    summary = summarize_turns((turn, turn), Language.EN)
    assert summary.count("I'm so stressed about my exams") == 1


def test_empty_history_gets_a_short_neutral_summary() -> None:
    """Without any turns the summary says so briefly, in the right language."""
    assert summarize_turns((), Language.EN) == "No conversation to summarize yet."
    assert summarize_turns((), Language.RU) == "Разговора пока не было."


def test_small_talk_gets_a_short_neutral_summary() -> None:
    """Greetings alone are summarized as a short conversation with nothing specific."""
    summary = summarize_turns((ChatMessage(Role.USER, "hi"),), Language.EN)
    assert "did not share anything specific" in summary


def test_plain_story_is_summarized_by_its_longest_sentence() -> None:
    """Without feelings or topics, the longest sentence stands for the conversation."""
    story = ChatMessage(Role.USER, "Today I went to the shop and bought some bread. Nice.")
    summary = summarize_turns((story,), Language.EN)
    assert "Today I went to the shop and bought some bread" in summary


async def test_summary_purpose_returns_the_summary() -> None:
    """OfflineModel answers a SUMMARY request with summarize_turns of its history."""
    request = ModelRequest(
        system="system",
        message="Summarize the conversation above.",
        history=ENGLISH_TALK,
        language=Language.RU,
        purpose=Purpose.SUMMARY,
    )
    reply = await OfflineModel().complete(request)
    assert reply.text == summarize_turns(ENGLISH_TALK, Language.RU)
    assert reply.text.startswith("Человек говорил о работе")
    assert reply.usage.estimated


async def test_summary_purpose_streams_the_same_text() -> None:
    """Streaming a summary yields the same text as completing it."""
    request = ModelRequest(system="", message="", history=RUSSIAN_TALK, purpose=Purpose.SUMMARY)
    chunks = [chunk async for chunk in OfflineModel().stream(request)]
    assert "".join(chunk.text for chunk in chunks) == summarize_turns(RUSSIAN_TALK, Language.EN)


def test_summaries_are_deterministic() -> None:
    """The same conversation is always summarized the same way."""
    assert summarize_turns(RUSSIAN_TALK, Language.RU) == summarize_turns(RUSSIAN_TALK, Language.RU)


@settings(max_examples=100, deadline=None)
@given(
    turns=st.lists(st.tuples(st.sampled_from(list(Role)), st.text(max_size=400)), max_size=12),
    language=st.sampled_from(list(Language)),
)
def test_any_history_gets_a_summary(turns: list[tuple[Role, str]], language: Language) -> None:
    """Arbitrary histories never raise and always give a non-empty, bounded summary."""
    summary = summarize_turns([ChatMessage(role, text) for role, text in turns], language)
    assert summary.strip()
    assert len(summary) < 3 * QUOTE_LIMIT + 200
