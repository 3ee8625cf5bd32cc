"""The pseudonym key: LOG_PSEUDONYM_KEY, else derived from ENCRYPTION_KEY, else a key file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from innertalk.bootstrap import build_app
from innertalk.config import ConfigError, load_settings
from innertalk.domain.users import Pseudonyms, UserKey
from innertalk.infrastructure.crypto import generate_key, parse_key
from innertalk.infrastructure.pseudonym_key import (
    KEY_FILE_NAME,
    PseudonymKeyError,
    pseudonym_key,
    stored_key,
)
from tests.fakes.models import ScriptedModel
from tests.integration.bot_harness import isolate

PERSON = UserKey("7000000001", 42)


def test_the_key_file_is_created_once_private_and_reused(tmp_path: Path) -> None:
    """First run: 32 random bytes in a 0600 file (folders made); later runs read the same."""
    path = tmp_path / "data" / KEY_FILE_NAME
    first = stored_key(path)
    content = path.read_bytes()
    assert len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stored_key(path) == first
    assert path.read_bytes() == content
    assert [p.name for p in path.parent.iterdir()] == [KEY_FILE_NAME]  # no temporary left


def test_a_damaged_or_unwritable_key_file_is_one_clear_error(tmp_path: Path) -> None:
    """A file that holds no key, or a folder that cannot be made, names the path."""
    damaged = tmp_path / KEY_FILE_NAME
    damaged.write_text("not a key\n")
    with pytest.raises(PseudonymKeyError, match="does not hold a key"):
        stored_key(damaged)
    (tmp_path / "blocker").write_text("a file where a folder should be")
    with pytest.raises(PseudonymKeyError, match=r"cannot (read|create) .*blocker"):
        stored_key(tmp_path / "blocker" / KEY_FILE_NAME)


def test_the_configured_key_wins_then_the_encryption_key(tmp_path: Path) -> None:
    """LOG_PSEUDONYM_KEY is used as is; else ENCRYPTION_KEY is derived into another key
    (never the encryption key itself); neither touches the key file."""
    path = tmp_path / KEY_FILE_NAME
    encryption = parse_key(generate_key())
    configured = pseudonym_key(
        configured="operator-chosen-key", encryption_key=encryption, key_file=path
    )
    derived = pseudonym_key(configured=None, encryption_key=encryption, key_file=path)
    assert configured == b"operator-chosen-key"
    assert len(derived) == 32
    assert derived != encryption
    assert pseudonym_key(configured=None, encryption_key=encryption, key_file=path) == derived
    assert not path.exists()


async def test_the_app_keys_pseudonyms_with_the_file_next_to_the_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Nothing configured: the app's pseudonyms use the key file beside the SQLite database,
    and a second start keeps them."""
    isolate(monkeypatch, tmp_path)
    async with build_app(load_settings(None), model=ScriptedModel()) as app:
        first = app.services.pseudonyms.of(PERSON)
    assert first == Pseudonyms(stored_key(tmp_path / KEY_FILE_NAME)).of(PERSON)
    async with build_app(load_settings(None), model=ScriptedModel()) as app:
        assert app.services.pseudonyms.of(PERSON) == first


async def test_instances_sharing_a_setting_agree_on_pseudonyms(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """ENCRYPTION_KEY or LOG_PSEUDONYM_KEY make pseudonyms agree without a key file, and
    the two give different pseudonyms."""
    isolate(monkeypatch, tmp_path, ENCRYPTION_KEY=generate_key())
    async with build_app(load_settings(None), model=ScriptedModel()) as app:
        derived = app.services.pseudonyms.of(PERSON)
    monkeypatch.setenv("LOG_PSEUDONYM_KEY", "a-shared-pseudonym-key")
    async with build_app(load_settings(None), model=ScriptedModel()) as app:
        configured = app.services.pseudonyms.of(PERSON)
    assert configured == Pseudonyms(b"a-shared-pseudonym-key").of(PERSON)
    assert derived != configured
    assert not (tmp_path / KEY_FILE_NAME).exists()


def test_a_short_log_pseudonym_key_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """LOG_PSEUDONYM_KEY under 16 characters is a configuration error naming it."""
    isolate(monkeypatch, tmp_path, LOG_PSEUDONYM_KEY="short")
    with pytest.raises(ConfigError, match=r"^LOG_PSEUDONYM_KEY: use at least 16"):
        load_settings(None)


async def test_an_unusable_key_file_stops_the_start_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A damaged key file is a configuration error naming LOG_PSEUDONYM_KEY and the file."""
    isolate(monkeypatch, tmp_path)
    (tmp_path / KEY_FILE_NAME).write_text("garbage\n")
    with pytest.raises(ConfigError, match=r"^LOG_PSEUDONYM_KEY: unset, and .*pseudonym_key"):
        async with build_app(load_settings(None), model=ScriptedModel()):
            pass
