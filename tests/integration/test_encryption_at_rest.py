"""Encryption at rest through the real bot and the CLI: the SQLite files never hold a person's
name, words, mood, answers, severity, crisis flag or half-finished questionnaire; a missing or
wrong key refuses to start; ``innertalk reencrypt`` lets old keys go."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from innertalk.application.inbox import InboxEntry
from innertalk.cli import main
from innertalk.domain.conversation import Role, Session, Turn
from innertalk.domain.privacy import UserRecords
from innertalk.domain.users import UserKey
from innertalk.domain.wellbeing import MoodEntry, Portrait, QuestionnaireResult
from innertalk.infrastructure.crypto import DecryptionError, FieldCipher, generate_key, parse_key
from innertalk.infrastructure.inbox_seal import PayloadSeal
from innertalk.infrastructure.storage.sqlite.inbox import SqliteUpdateInbox
from innertalk.infrastructure.storage.sqlite.storage import SqliteStorage
from tests.integration.bot_harness import RunningBot, running_bot

NAME = "Zebulon Quixotefield"
WORDS = "my marmalade umbrella keeps whispering"
NOTE = "a xylophone evening at the harbour"
CRISIS = "I want to end my life"
KEY = UserKey("bot", 5)
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def _files(folder: Path) -> bytes:
    """Every byte of the database, its write-ahead log and shared memory, as they are now."""
    return b"".join(path.read_bytes() for path in sorted(folder.glob("bot.db*")))


def _column(folder: Path, sql: str) -> list[object]:
    with sqlite3.connect(folder / "bot.db") as db:
        return [value for row in db.execute(sql) for value in row]


def _all_sealed(values: list[object]) -> bool:
    return bool(values) and all(str(value).startswith("itk1:") for value in values)


async def _press(running: RunningBot, user: object, data: str) -> None:
    user.press(data)  # type: ignore[attr-defined]
    await running.idle()


async def test_an_encrypted_journey_leaves_nothing_personal_in_the_database_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Name, words, mood score and tags, PHQ-9 answers (item 9 too) and severity, the crisis
    flag and screen state mid-questionnaire are ciphertext in the db, -wal and -shm bytes."""
    async with running_bot(
        monkeypatch,
        tmp_path,
        ENCRYPTION_KEY=generate_key(),
        RATE_LIMIT="1000/minute",
    ) as running:
        zeb = running.telegram.user(first_name=NAME)
        await running.consent(zeb)
        before = len(zeb.messages())
        zeb.send(WORDS)
        await zeb.wait_for_messages(before + 1)
        zeb.send(CRISIS)
        await running.idle()
        zeb.send("📓 Diary")
        await running.telegram.wait_for(lambda: "Choose from 1" in zeb.messages()[-1].text)
        await _press(running, zeb, "md:score:7:")
        for tag in ("calm", "tired"):
            await _press(running, zeb, f"md:tag:7:{tag}")
        await _press(running, zeb, "md:tags_done:7:")
        zeb.send(NOTE)
        await running.telegram.wait_for(lambda: "Saved: 7/10" in zeb.messages()[-1].text)
        zeb.send("/tests")
        await running.idle()
        await _press(running, zeb, "qpick:phq9")
        await _press(running, zeb, "qz:phq9:0:g")
        for index in range(4):
            await _press(running, zeb, f"qz:phq9:{index}:a2")
        # mid-questionnaire: the screen state holds the answers so far, sealed
        assert _all_sealed(_column(tmp_path, "SELECT data FROM fsm_states WHERE data != '{}'"))
        states = _column(tmp_path, "SELECT state FROM fsm_states WHERE state IS NOT NULL")
        assert not states or _all_sealed(states)
        for index in range(4, 9):
            await _press(running, zeb, f"qz:phq9:{index}:a{3 if index == 8 else 2}")
        await running.app.storage.flush()
        key = running.key(zeb)
        [result] = await running.app.services.questionnaires.history(key, "phq9")
        [mood] = await running.app.storage.moods(key, 10)
        assert result.answers[8] == 3
        assert mood.tags == ("calm", "tired")
        live = _files(tmp_path)
    after = _files(tmp_path)
    clear = [
        NAME,
        WORDS,
        NOTE,
        CRISIS,
        result.severity,
        json.dumps(list(result.answers)),
        json.dumps(list(mood.tags)),
    ]
    for raw in (live, after):
        for value in clear:
            assert value.encode() not in raw, value
    for sql in (
        "SELECT display_name FROM profiles",
        "SELECT safety FROM sessions",
        "SELECT score FROM mood_entries",
        "SELECT tags FROM mood_entries",
        "SELECT score FROM questionnaire_results",
        "SELECT severity FROM questionnaire_results",
        "SELECT answers FROM questionnaire_results",
        "SELECT text FROM turns",
    ):
        assert _all_sealed(_column(tmp_path, sql)), sql


async def _write(path: Path, cipher: FieldCipher) -> None:
    storage = await SqliteStorage.open(path, cipher=cipher)
    await storage.migrate()
    await storage.write(
        [
            Session("s", KEY, NOW, ended_at=NOW, summary="summary of fears", safety=True),
            Turn("t", KEY, "s", Role.USER, "я боюсь потерять работу", NOW),
            MoodEntry("m", KEY, 4, NOW, tags=("sad",), note="note about my sister"),
            QuestionnaireResult("q", KEY, "phq9", 14, "moderate", (2,) * 7 + (0, 0), NOW),
            Portrait("p", KEY, "portrait text", NOW),
        ]
    )
    await storage.close()


async def test_reading_with_the_wrong_key_fails_loudly(tmp_path: Path) -> None:
    """Opening the file with another key raises DecryptionError instead of showing garbage."""
    path = tmp_path / "enc.db"
    await _write(path, FieldCipher([parse_key(generate_key())]))
    storage = await SqliteStorage.open(path, cipher=FieldCipher([parse_key(generate_key())]))
    try:
        with pytest.raises(DecryptionError):
            await storage.session_turns(KEY, "s", 10)
    finally:
        await storage.close()


def _cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *args: str, **env: str) -> int:
    for name in ("ENCRYPTION_KEY", "ENCRYPTION_KEYS_PREVIOUS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return main(["--env-file", str(tmp_path / "none.env"), *args])


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize("given", ["none", "wrong"])
def test_encrypted_data_without_its_key_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    given: str,
) -> None:
    """No key, or only keys that do not open the data: exit 2, one line naming ENCRYPTION_KEY."""
    assert _cli(monkeypatch, tmp_path, "migrate", ENCRYPTION_KEY=generate_key()) == 0
    capsys.readouterr()
    env = {"ENCRYPTION_KEY": generate_key()} if given == "wrong" else {}
    assert _cli(monkeypatch, tmp_path, "migrate", **env) == 2
    assert "ENCRYPTION_KEY" in _one_line(capsys.readouterr().err)


def test_reencrypt_lets_the_old_key_go(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Written with A, rotated to B (A kept as previous), reencrypt; then B alone reads all,
    A alone is refused, and a second run seals nothing."""
    old, new = generate_key(), generate_key()
    path = tmp_path / "bot.db"
    asyncio.run(_write(path, FieldCipher([parse_key(old)])))
    rotated = {"ENCRYPTION_KEY": new, "ENCRYPTION_KEYS_PREVIOUS": old}
    assert _cli(monkeypatch, tmp_path, "reencrypt", **rotated) == 0
    err = capsys.readouterr().err
    assert "turns: 1 read" in err
    assert err.strip().splitlines()[-1].startswith("reencrypt: done")
    assert _cli(monkeypatch, tmp_path, "reencrypt", **rotated) == 0
    assert "done, 0 values sealed" in capsys.readouterr().err
    assert _cli(monkeypatch, tmp_path, "migrate", ENCRYPTION_KEY=old) == 2
    assert "ENCRYPTION_KEY" in _one_line(capsys.readouterr().err)
    records = asyncio.run(_export(path, FieldCipher([parse_key(new)])))
    assert records.turns[0].text == "я боюсь потерять работу"
    assert (records.sessions[0].summary, records.sessions[0].safety) == ("summary of fears", True)
    assert (records.moods[0].score, records.moods[0].tags) == (4, ("sad",))
    assert records.moods[0].note == "note about my sister"
    assert (records.results[0].score, records.results[0].severity) == (14, "moderate")
    assert records.results[0].answers == (2,) * 7 + (0, 0)
    assert records.portraits[0].text == "portrait text"


def test_reencrypt_keeps_a_waiting_update_once_the_old_key_goes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An update filed in the inbox under A and not yet answered still opens with B alone
    after reencrypt (rotated to B, A previous); the summary counts it."""
    old, new = generate_key(), generate_key()
    path = tmp_path / "bot.db"
    monkeypatch.delenv("REDIS_URL", raising=False)  # the inbox is in the database
    asyncio.run(_write(path, FieldCipher([parse_key(old)])))
    asyncio.run(_file(path, FieldCipher([parse_key(old)])))
    rotated = {"ENCRYPTION_KEY": new, "ENCRYPTION_KEYS_PREVIOUS": old}
    assert _cli(monkeypatch, tmp_path, "reencrypt", **rotated) == 0
    assert "1 waiting updates re-sealed" in capsys.readouterr().err
    assert _cli(monkeypatch, tmp_path, "reencrypt", **rotated) == 0
    assert "0 waiting updates re-sealed" in capsys.readouterr().err
    [entry] = asyncio.run(_pending(path, FieldCipher([parse_key(new)])))
    assert (entry.update_id, entry.opened) == (42, True)
    assert entry.payload == INBOXED


INBOXED = b'{"update_id":42,"message":{"text":"my marmalade umbrella"}}'


async def _file(path: Path, cipher: FieldCipher) -> None:
    inbox = await SqliteUpdateInbox.open(path, PayloadSeal(cipher))
    try:
        await inbox.file("bot", [(42, INBOXED)])
    finally:
        await inbox.close()


async def _pending(path: Path, cipher: FieldCipher) -> list[InboxEntry]:
    inbox = await SqliteUpdateInbox.open(path, PayloadSeal(cipher))
    try:
        return await inbox.pending("bot", 10)
    finally:
        await inbox.close()


async def _export(path: Path, cipher: FieldCipher) -> UserRecords:
    storage = await SqliteStorage.open(path, cipher=cipher)
    try:
        return await storage.export_user(KEY)
    finally:
        await storage.close()
