"""Encryption at rest beyond SQLite: MongoDB documents (through the wire fake) and the Redis
payloads that carry a person's words (queued updates, screen state) hold no clear text."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from aiogram.fsm.storage.base import StorageKey
from redis.asyncio import Redis

from innertalk.domain.conversation import Role, Session, Turn
from innertalk.domain.users import Language, Profile, Style, UserKey
from innertalk.domain.wellbeing import MoodEntry, QuestionnaireResult
from innertalk.infrastructure.crypto import FieldCipher, generate_key, parse_key
from innertalk.infrastructure.fsm import SharedRedisFsmStorage
from innertalk.infrastructure.lane_queue import RedisLaneQueue
from innertalk.infrastructure.redis.connection import connect_redis
from innertalk.infrastructure.storage.key_check import KeyMismatchError, check_keys
from innertalk.infrastructure.storage.mongo.storage import MongoStorage
from innertalk.infrastructure.storage.sealing import FieldSeal
from tests.fakes.mongo_server import mongo_server

KEY = UserKey("bot", 7)
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
NAME = "Philomena Brackenridge"
WORDS = "the lighthouse keeper never answers"
ANSWERS = (1, 2, 1, 0, 3, 1, 2, 0, 2)


def _cipher() -> FieldCipher:
    return FieldCipher([parse_key(generate_key())])


def _records() -> list[object]:
    return [
        Profile(KEY, NOW, NOW, NAME, Language.EN, Style.BALANCED, "UTC"),
        Session("s", KEY, NOW, summary="a summary of the harbour", safety=True),
        Turn("t", KEY, "s", Role.USER, WORDS, NOW),
        MoodEntry("m", KEY, 3, NOW, tags=("anxious",), note="the ferry was late"),
        QuestionnaireResult("q", KEY, "phq9", sum(ANSWERS), "moderate", ANSWERS, NOW),
    ]


async def test_mongo_documents_hold_only_sealed_personal_fields() -> None:
    """Name, words, summary, mood score/tags/note, PHQ-9 score/severity/answers, the crisis
    flag and screen state are ``itk1:`` in the stored documents; everything reads back."""
    cipher = _cipher()
    async with mongo_server() as server:
        storage = await MongoStorage.open(server.url(), cipher=cipher)
        try:
            await storage.migrate()
            await check_keys(storage, cipher)
            await storage.write(_records())  # type: ignore[arg-type]
            await storage.fsm_set_data("fsm:7", "bot", 7, {"answers": list(ANSWERS[:4])})
            await storage.fsm_set_state("fsm:7", "bot", 7, "Questionnaire:phq9")
            db = storage.database
            docs = [
                doc
                for name in ("profiles", "records", "turns", "fsm_states")
                async for doc in db[name].find({})
            ]
            raw = json.dumps(docs, default=str, ensure_ascii=False)
            for clear in (NAME, WORDS, "harbour", "anxious", "ferry", "moderate", "phq9:"):
                assert clear not in raw.replace('"phq9"', ""), clear
            sealed = {
                "profiles": ["display_name"],
                "session": ["summary", "safety"],
                "mood": ["score", "tags", "note"],
                "result": ["score", "severity", "answers"],
                "turns": ["text"],
                "fsm_states": ["state", "data"],
            }
            for doc in docs:
                part = doc.get("kind") or _collection_of(doc)
                for field in sealed.get(part, []):
                    assert str(doc[field]).startswith("itk1:"), (part, field)
            context = await storage.load_context(KEY, 10)
            assert context.profile is not None
            assert context.profile.display_name == NAME
            assert context.session is not None
            assert context.session.safety
            [result] = await storage.questionnaire_results(KEY, 5)
            assert result.answers == ANSWERS
            assert (await storage.fsm_get("fsm:7"))[1] == {"answers": list(ANSWERS[:4])}
            stats = await storage.bot_stats("bot", NOW)
            assert stats.mood_this_week == 3.0
        finally:
            await storage.close()


def _collection_of(doc: dict[str, object]) -> str:
    if "role" in doc:
        return "turns"
    if "data" in doc:
        return "fsm_states"
    return "profiles"


async def test_mongo_refuses_other_keys_and_reseals_under_the_new_one() -> None:
    """A key that does not open the marker is refused; after ``reseal`` under B (A kept),
    B alone reads every field and a second ``reseal`` changes nothing."""
    old, new = parse_key(generate_key()), parse_key(generate_key())
    async with mongo_server() as server:
        first = await MongoStorage.open(server.url(), cipher=FieldCipher([old]))
        await first.migrate()
        await check_keys(first, FieldCipher([old]))
        await first.write(_records())  # type: ignore[arg-type]
        await first.close()
        rotated = FieldCipher([new, old])
        storage = await MongoStorage.open(server.url(), cipher=rotated)
        try:
            for wrong in (None, FieldCipher([new])):
                with pytest.raises(KeyMismatchError, match=r"^ENCRYPTION_KEY: "):
                    await check_keys(storage, wrong)
            changed = await storage.reseal(FieldSeal(rotated), batch=2, progress=_quiet)
            assert changed >= 10
            assert await storage.reseal(FieldSeal(rotated), batch=2, progress=_quiet) == 0
        finally:
            await storage.close()
        only_new = await MongoStorage.open(server.url(), cipher=FieldCipher([new]))
        try:
            records = await only_new.export_user(KEY)
        finally:
            await only_new.close()
        assert records.turns[0].text == WORDS
        assert records.moods[0].tags == ("anxious",)
        assert records.results[0].answers == ANSWERS


def _quiet(_part: str, _read: int, _sealed: int) -> None:
    """Progress is not under test here."""


async def _raw_values(redis_url: str, pattern: str) -> bytes:
    async with Redis.from_url(redis_url) as redis:
        found = b""
        async for key in redis.scan_iter(pattern):
            kind = await redis.type(key)
            if kind == b"string":
                found += await redis.get(key) or b""
            elif kind == b"zset":
                found += b"".join(await redis.zrange(key, 0, -1))
        return found


async def test_queued_updates_in_redis_are_sealed(redis_url: str) -> None:
    """An update waiting in a person's lane holds no clear text in Redis, and comes back as
    it went in; a queue without the key reads nothing from it."""
    cipher = _cipher()
    payload = json.dumps({"update_id": 41, "message": {"text": WORDS, "from": NAME}}).encode()
    client = connect_redis(redis_url)
    try:
        queue = RedisLaneQueue(client, "sealbot", cipher=cipher)
        assert await queue.push("7", 41, payload)
        raw = await _raw_values(redis_url, "innertalk:lanes:sealbot:*")
        assert WORDS.encode() not in raw
        assert NAME.encode() not in raw
        assert await queue.acquire("7")
        assert await queue.step("7", None) == (41, payload)
    finally:
        await client.aclose()


async def test_screen_state_in_redis_is_sealed(redis_url: str) -> None:
    """Half-finished questionnaire data and the screen's name are ciphertext in Redis, and
    read back as stored."""
    cipher = _cipher()
    client = connect_redis(redis_url)
    key = StorageKey(bot_id=99, chat_id=7, user_id=7)
    data = {"answers": list(ANSWERS[:4]), "note": WORDS}
    try:
        fsm = SharedRedisFsmStorage(client, cipher=cipher)
        await fsm.set_state(key, "Questionnaire:phq9")
        await fsm.set_data(key, data)
        raw = await _raw_values(redis_url, "innertalk:fsm:99:*")
        assert raw
        assert WORDS.encode() not in raw
        assert b"Questionnaire" not in raw
        assert b"[" + ", ".join(map(str, ANSWERS[:4])).encode() not in raw
        assert await fsm.get_state(key) == "Questionnaire:phq9"
        assert await fsm.get_data(key) == data
    finally:
        await client.aclose()
