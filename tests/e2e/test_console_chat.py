"""The real ``innertalk chat`` process, driven through a pipe as a script or a user would."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from pathlib import Path

from innertalk.domain.conversation import Role
from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.sqlite.storage import SqliteStorage
from tests.e2e.conftest import COMMAND, Run, clean_env

CONSOLE_USER = UserKey("console", 1)


def stored_turns(database: Path) -> list[tuple[Role, str]]:
    async def read() -> list[tuple[Role, str]]:
        storage = await SqliteStorage.open(database)
        try:
            sessions = await storage.sessions(CONSOLE_USER, 100)
            turns = []
            for session in reversed(sessions):
                turns += await storage.session_turns(CONSOLE_USER, session.id, 1000)
            return [(turn.role, turn.text) for turn in turns]
        finally:
            await storage.close()

    return asyncio.run(read())


def test_piped_russian_lines_get_one_reply_each(innertalk: Run, tmp_path: Path) -> None:
    """Two piped Russian lines print two Russian replies; the second reflects тревога."""
    result = innertalk("chat", input="Привет\nМне сегодня тревожно\n")
    assert result.returncode == 0, result.stderr
    replies = result.stdout.strip().splitlines()
    assert len(replies) == 2
    assert all(any("а" <= char <= "я" for char in reply.lower()) for reply in replies)
    assert "тревож" in replies[1].lower()
    assert result.stderr == ""
    assert (tmp_path / "data" / "innertalk.db").exists()


def test_english_is_answered_in_english(innertalk: Run) -> None:
    """An English line gets an English reply that reflects the feeling named."""
    result = innertalk("chat", input="I feel lost\n")
    assert result.returncode == 0, result.stderr
    reply = result.stdout.strip()
    assert "lost" in reply
    assert not any("а" <= char <= "я" for char in reply.lower())


def test_a_second_run_continues_the_same_history(innertalk: Run, tmp_path: Path) -> None:
    """The next run's session includes the first run's turns, so /new summarizes both."""
    first = innertalk("chat", input="Мне сегодня тревожно из-за работы\n")
    assert first.returncode == 0, first.stderr
    second = innertalk("chat", input="Я очень устала\n/new\n")
    assert second.returncode == 0, second.stderr
    summary = second.stdout.strip().splitlines()[-1]
    assert "тревог" in summary.lower() or "тревож" in summary.lower()
    assert "уста" in summary.lower()
    texts = [text for _, text in stored_turns(tmp_path / "data" / "innertalk.db")]
    assert texts[0] == "Мне сегодня тревожно из-за работы"
    assert texts[2] == "Я очень устала"
    assert len(texts) == 4


def test_a_new_session_starts_from_the_summary(innertalk: Run, tmp_path: Path) -> None:
    """After /new the next message opens a new session and the old one keeps its summary."""
    result = innertalk("chat", input="I feel anxious about my exam\n/new\nhello again\n")
    assert result.returncode == 0, result.stderr

    async def sessions() -> list[tuple[bool, str | None]]:
        storage = await SqliteStorage.open(tmp_path / "data" / "innertalk.db")
        try:
            found = await storage.sessions(CONSOLE_USER, 10)
            return [(session.is_open, session.summary) for session in found]
        finally:
            await storage.close()

    newest, oldest = asyncio.run(sessions())
    assert newest == (True, None)
    assert oldest[0] is False
    assert oldest[1] is not None
    assert "anxious" in oldest[1]


def test_odd_input_never_crashes_the_chat(innertalk: Run) -> None:
    """Blank lines, emoji, zero-width and RTL text, markup and unknown commands all get answers."""
    lines = [
        "",
        "   ",
        "🙂🙂🙂",
        "\u200b",
        "مرحبا كيف حالك",
        "<b>hi</b> *there*",
        "/what",
        "x" * 20000,
    ]
    result = innertalk("chat", input="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert len(result.stdout.strip().splitlines()) == 6


def test_bad_configuration_is_one_line_and_exit_code_2(innertalk: Run) -> None:
    """A bad variable stops the program with one line naming it, exit code 2, no traceback."""
    result = innertalk("chat", env=clean_env(HTTP_PORT="not-a-port"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("innertalk: configuration error: HTTP_PORT:")
    assert "Traceback" not in result.stderr


def test_an_unopenable_database_is_a_configuration_error(innertalk: Run, tmp_path: Path) -> None:
    """A database path blocked by a file names DATABASE_URL, exit code 2, no traceback."""
    (tmp_path / "blocker").write_text("not a directory")
    result = innertalk("chat", env=clean_env(DATABASE_URL="sqlite:///blocker/x.db"))
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_creates_the_schema(innertalk: Run, tmp_path: Path) -> None:
    """`innertalk migrate` creates the database and can run again."""
    assert innertalk("migrate").returncode == 0
    again = innertalk("migrate")
    assert again.returncode == 0
    assert "up to date" in again.stdout
    assert (tmp_path / "data" / "innertalk.db").exists()


def test_sigterm_finishes_the_reply_and_loses_no_turn(tmp_path: Path) -> None:
    """SIGTERM while the chat waits for input still stores every turn already answered."""
    process = subprocess.Popen(
        [*COMMAND, "chat"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=clean_env(),
    )
    assert process.stdin is not None
    assert process.stdout is not None
    for line in ("first message", "second message"):
        process.stdin.write(f"{line}\n")
        process.stdin.flush()
        assert process.stdout.readline().strip()
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=20)
    assert process.returncode == 130
    texts = [text for _, text in stored_turns(tmp_path / "data" / "innertalk.db")]
    assert texts[0::2] == ["first message", "second message"]
    assert len(texts) == 4


def test_with_an_encryption_key_the_database_holds_no_plain_text(
    innertalk: Run, tmp_path: Path
) -> None:
    """With ENCRYPTION_KEY set, the chat works across runs and the file has no message text."""
    from innertalk.infrastructure.crypto import generate_key

    env = clean_env(ENCRYPTION_KEY=generate_key())
    first = innertalk("chat", input="Мне одиноко по вечерам\n", env=env)
    assert first.returncode == 0, first.stderr
    second = innertalk("chat", input="/new\n", env=env)
    assert "одиноч" in second.stdout.lower() or "одиноко" in second.stdout.lower()
    raw = b"".join(path.read_bytes() for path in (tmp_path / "data").iterdir())
    assert "одиноко".encode() not in raw
    wrong = innertalk("chat", input="/new\n", env=clean_env(ENCRYPTION_KEY=generate_key()))
    assert wrong.returncode == 2
    assert wrong.stderr.startswith("innertalk: configuration error: ENCRYPTION_KEY:")
    assert "Traceback" not in wrong.stderr


def test_a_crisis_line_prints_hotlines_before_the_reply(innertalk: Run) -> None:
    """A piped crisis message gets the calm notice with an emergency number, then a reply."""
    result = innertalk("chat", input="Я больше не хочу жить\n")
    assert result.returncode == 0, result.stderr
    assert "112" in result.stdout
    assert "программа" in result.stdout.lower()
    assert result.stdout.strip().splitlines()[-1]
