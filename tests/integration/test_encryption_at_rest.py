"""Encryption at rest in a real SQLite file: the file never holds the private text."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from innertalk.domain.conversation import Role, Session, Turn
from innertalk.domain.users import UserKey
from innertalk.domain.wellbeing import MoodEntry, Portrait
from innertalk.infrastructure.crypto import DecryptionError, FieldCipher, generate_key, parse_key
from innertalk.infrastructure.storage.encrypted import EncryptedStorage
from innertalk.infrastructure.storage.sqlite import SqliteStorage

KEY = UserKey("bot", 5)
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
SECRETS = ("я боюсь потерять работу", "summary of fears", "note about my sister", "portrait text")


async def _write(path: Path, cipher: FieldCipher) -> None:
    storage = EncryptedStorage(await SqliteStorage.open(path), cipher)
    await storage.migrate()
    session = Session("s", KEY, NOW, ended_at=NOW, summary=SECRETS[1])
    await storage.write(
        [
            session,
            Turn("t", KEY, "s", Role.USER, SECRETS[0], NOW),
            MoodEntry("m", KEY, 4, NOW, note=SECRETS[2]),
            Portrait("p", KEY, SECRETS[3], NOW),
        ]
    )
    await storage.close()


def _everything_on_disk(folder: Path) -> bytes:
    return b"".join(path.read_bytes() for path in folder.iterdir())


async def test_the_database_file_holds_no_private_text(tmp_path: Path) -> None:
    """Turn texts, summaries, notes and portraits are ciphertext in the file itself."""
    path = tmp_path / "enc.db"
    await _write(path, FieldCipher([parse_key(generate_key())]))
    raw = _everything_on_disk(tmp_path)
    for secret in SECRETS:
        assert secret.encode() not in raw


async def test_reading_with_the_wrong_key_fails_loudly(tmp_path: Path) -> None:
    """Opening the file with another key raises DecryptionError instead of showing garbage."""
    path = tmp_path / "enc.db"
    await _write(path, FieldCipher([parse_key(generate_key())]))
    storage = EncryptedStorage(
        await SqliteStorage.open(path), FieldCipher([parse_key(generate_key())])
    )
    try:
        with pytest.raises(DecryptionError):
            await storage.session_turns(KEY, "s", 10)
    finally:
        await storage.close()


async def test_a_rotated_key_reads_everything_written_before(tmp_path: Path) -> None:
    """With the new key first and the old one kept, every old value still reads back."""
    path = tmp_path / "enc.db"
    old = parse_key(generate_key())
    await _write(path, FieldCipher([old]))
    storage = EncryptedStorage(
        await SqliteStorage.open(path), FieldCipher([parse_key(generate_key()), old])
    )
    try:
        records = await storage.export_user(KEY)
    finally:
        await storage.close()
    assert records.turns[0].text == SECRETS[0]
    assert records.sessions[0].summary == SECRETS[1]
    assert records.moods[0].note == SECRETS[2]
    assert records.portraits[0].text == SECRETS[3]
