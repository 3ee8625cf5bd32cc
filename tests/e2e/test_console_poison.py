"""Broken bytes piped into the real ``innertalk chat``: nothing accepted is lost."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from tests.e2e.conftest import COMMAND, clean_env

BROKEN_INPUT = b"hello \xed\xa0\x80 \xff\xfe sad\nsecond\n"
"""A lone UTF-16 surrogate encoded as UTF-8, then bytes that are no UTF-8 at all."""


def test_broken_utf16_input_stores_the_good_records_and_exits_zero(tmp_path: Path) -> None:
    """The printf reproduction of issue 12: both lines answered, exit 0, no record lost (each
    turn is stored, or set aside as a dead letter if the edge let the broken text through)."""
    result = subprocess.run(
        [*COMMAND, "chat"],
        input=BROKEN_INPUT,
        capture_output=True,
        cwd=tmp_path,
        env=clean_env(DATABASE_URL="sqlite:///data/chat.db"),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    assert len(result.stdout.decode().strip().splitlines()) == 2
    database = sqlite3.connect(tmp_path / "data" / "chat.db")
    try:
        texts = [row[0] for row in database.execute("SELECT text FROM turns ORDER BY seq")]
        (letters,) = database.execute("SELECT count(*) FROM dead_letters").fetchone()
        columns = [row[1] for row in database.execute("PRAGMA table_info(dead_letters)")]
    finally:
        database.close()
    assert len(texts) + letters == 4, "two lines, two replies: each stored or dead-lettered"
    assert "second" in texts
    assert "text" not in columns, "a dead letter keeps no content"
