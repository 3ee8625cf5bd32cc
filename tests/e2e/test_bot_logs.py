"""The real ``innertalk bot`` writes JSON logs that carry ids but no words, tokens or keys."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from innertalk.domain.users import Pseudonyms, UserKey
from innertalk.infrastructure.pseudonym_key import KEY_FILE_NAME, stored_key
from tests.e2e.bot_process import bot_process, onboard
from tests.fakes.telegram import FakeTelegram

pytestmark = pytest.mark.e2e

OPENAI_KEY = "sk-fakeOpenAIkeyForLogLeakTest0123456789"
GEMINI_KEY = "AIzaFakeGeminiKeyForLogLeakTest012345"
WORDS = {
    "en": ["Zanzibar marmalade confession", "I want to kill myself tonight"],
    "ru": ["Шерстяной дирижабль признание", "хочу покончить с собой"],
}


async def test_a_journey_logs_ids_but_never_text_tokens_or_keys(tmp_path: Path) -> None:
    """At DEBUG, every log line of a journey in both languages (a crisis phrase, an export
    included) is JSON without the person's words, the bot token, API keys or raw user id,
    while update ids, request ids and the keyed pseudonym of the person are there (keyed by
    the file generated next to the database: no bare SHA-256 of the ids appears)."""
    log_file = tmp_path / "logs" / "bot.jsonl"
    async with FakeTelegram() as telegram:
        people = {"en": telegram.user(), "ru": telegram.user(language_code="ru")}
        async with bot_process(
            tmp_path,
            telegram,
            LOG_LEVEL="DEBUG",
            LOG_FILE=str(log_file),
            LLM_PROVIDERS="offline",
            OPENAI_API_KEY=OPENAI_KEY,
            GEMINI_API_KEY=GEMINI_KEY,
            OPENAI_BASE_URL="http://127.0.0.1:9/v1",
        ) as bot:
            for language, person in people.items():
                await onboard(telegram, person)
                for words in WORDS[language]:
                    before = len(person.messages())
                    person.send(words)
                    await person.wait_for_messages(before + 1, timeout=10)
                before = len(person.messages())
                person.send("/export")
                await person.wait_for_messages(before + 1, timeout=10)
            assert await bot.terminate() == 0
    lines = log_file.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    everything = "\n".join(lines)
    forbidden = [telegram.token, telegram.token.split(":")[1], OPENAI_KEY, GEMINI_KEY]
    forbidden += [words for texts in WORDS.values() for words in texts]
    forbidden += [part for texts in WORDS.values() for words in texts for part in words.split()]
    leaks = [secret for secret in forbidden if len(secret) > 4 and secret in everything]
    assert not leaks, leaks
    bot_id = telegram.token.split(":")[0]
    pseudonyms = Pseudonyms(stored_key(tmp_path / "data" / KEY_FILE_NAME))
    for person in people.values():
        assert f'"{person.id}"' not in everything
        assert f": {person.id}," not in everything
        for plain in (f"{bot_id}:{person.id}", str(person.id)):
            assert hashlib.sha256(plain.encode()).hexdigest()[:16] not in everything
        pseudonym = pseudonyms.of(UserKey(bot_id, person.id))
        mine = [r for r in records if r.get("user") == pseudonym]
        assert mine, f"no line carries the hashed id of {person.language_code}"
        assert all(isinstance(r.get("update_id"), int) and r.get("request_id") for r in mine)
    assert any(r["event"] == "safety.signal" for r in records)
