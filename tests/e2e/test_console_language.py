"""``innertalk chat`` speaks the person's language, not the system locale's, until /lang says."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import Run, clean_env

pytestmark = pytest.mark.e2e

ENGLISH_LOCALE = clean_env(LANG="en_US.UTF-8", LC_ALL="en_US.UTF-8")
RUSSIAN_LOCALE = clean_env(LANG="ru_RU.UTF-8", LC_ALL="ru_RU.UTF-8")
QUOTED = re.compile(r"“[^”]*”")


def has_cyrillic(line: str) -> bool:
    return any("а" <= char <= "я" or char == "ё" for char in line.lower())


def has_latin(line: str) -> bool:
    return any("a" <= char <= "z" for char in line.lower())


def test_russian_lines_under_an_english_locale_get_russian_labels_and_summary(
    innertalk: Run,
) -> None:
    """LANG=en_US, Russian lines then /help and /new: Russian help, header and summary."""
    result = innertalk(
        "chat",
        input="Мне сегодня тревожно из-за работы\nЯ очень устала\n/help\n/new\n",
        env=ENGLISH_LOCALE,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert "Напиши, что у тебя на душе" in result.stdout
    assert "/lang" in result.stdout
    assert lines[-1].startswith("Сессия завершена. Что я запомню:")
    summary = QUOTED.sub("", lines[-1].split(":", 1)[1])
    assert has_cyrillic(summary)
    assert not has_latin(summary)


def test_the_language_is_kept_for_the_next_run(innertalk: Run) -> None:
    """A Russian conversation stored under LANG=en_US starts the next run's labels in Russian."""
    first = innertalk("chat", input="Мне одиноко по вечерам\n", env=ENGLISH_LOCALE)
    assert first.returncode == 0, first.stderr
    second = innertalk("chat", input="/new\n", env=ENGLISH_LOCALE)
    assert second.returncode == 0, second.stderr
    line = second.stdout.strip()
    assert line.startswith("Сессия завершена. Что я запомню:")
    assert not has_latin(QUOTED.sub("", line))


def test_lang_en_switches_labels_and_summaries_to_english(innertalk: Run) -> None:
    """/lang en after Russian lines: English confirmation, help and summary; Russian text
    written afterwards does not switch back."""
    result = innertalk(
        "chat",
        input="Мне сегодня тревожно\n/lang en\nМне всё ещё тревожно\n/help\n/new\n",
        env=RUSSIAN_LOCALE,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[1] == "From now on commands, notices and session summaries are in English."
    assert has_cyrillic(lines[2])  # the reply still answers in the language written
    assert "Write whatever is on your mind" in result.stdout
    assert lines[-1].startswith("Session ended. What I will remember:")
    summary = QUOTED.sub("", lines[-1].split(":", 1)[1])
    assert has_latin(summary)
    assert not has_cyrillic(summary)


def test_lang_ru_switches_an_english_conversation_to_russian(innertalk: Run) -> None:
    """/lang ru after English lines: the confirmation and an unknown-command notice are Russian."""
    result = innertalk("chat", input="I feel lost\n/lang RU\n/what\n", env=ENGLISH_LOCALE)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[1] == "Дальше команды, подсказки и пересказы сессий будут на русском."
    assert lines[2].startswith("Неизвестная команда /what.")


@pytest.mark.parametrize("command", ["/lang xx", "/lang", "/lang english please"])
def test_a_bad_lang_argument_gets_a_hint_in_both_languages(innertalk: Run, command: str) -> None:
    """An unknown or missing /lang argument gets the hint in English and in Russian, and the
    language stays as it was."""
    result = innertalk("chat", input=f"{command}\n/new\n", env=ENGLISH_LOCALE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Choose a language with /lang ru or /lang en.",
        "Выбери язык: /lang ru или /lang en.",
        "There is no open session yet: just write, and one begins.",
    ]
