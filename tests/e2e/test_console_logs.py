"""Where ``innertalk chat`` logs: a file when someone types in a terminal, stderr when piped."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import COMMAND, Run, clean_env

pytestmark = pytest.mark.e2e

# A provider that cannot be reached: the router logs a retry warning and an all-down alert,
# then the offline responder answers.
UNREACHABLE_PROVIDER = {
    "LLM_PROVIDERS": "openai,offline",
    "OPENAI_API_KEY": "sk-fakeConsoleLogTestKey0123456789",
    "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
}
LOGGED_EVENT = "admin.alert"


class Terminal:
    """``innertalk chat`` on a pseudo-terminal: what a person at a keyboard sees and types."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self._main, child = pty.openpty()
        self.process = subprocess.Popen(
            [*COMMAND, "chat"],
            stdin=child,
            stdout=child,
            stderr=child,
            cwd=cwd,
            env=env,
            start_new_session=True,
        )
        os.close(child)
        self.screen = bytearray()

    def type(self, line: str) -> None:
        os.write(self._main, f"{line}\n".encode())

    def wait_for(self, marker: bytes, count: int = 1, timeout: float = 30) -> None:
        """Read the screen until ``marker`` has appeared ``count`` times."""
        deadline = time.monotonic() + timeout
        while self.screen.count(marker) < count:
            assert self._read(deadline), f"the chat ended; the screen shows {self.text()!r}"

    def close(self, timeout: float = 30) -> int:
        """Read the screen until the chat closes the terminal; its exit code."""
        deadline = time.monotonic() + timeout
        while self._read(deadline):
            pass
        code = self.process.wait(timeout=timeout)
        os.close(self._main)
        return code

    def _read(self, deadline: float) -> bool:
        """Add what the chat shows next to ``screen``; ``False`` once the terminal closed."""
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"timed out; the screen shows {self.text()!r}"
        ready, _, _ = select.select([self._main], [], [], remaining)
        if not ready:
            return True
        try:
            chunk = os.read(self._main, 4096)
        except OSError:  # EIO: every holder of the terminal's other end has closed it
            return False
        self.screen += chunk
        return bool(chunk)

    def text(self) -> str:
        return self.screen.decode("utf-8", errors="replace")


def test_a_terminal_chat_keeps_log_lines_out_of_the_conversation(tmp_path: Path) -> None:
    """On a terminal a warning-producing chat shows no log line; the file named at start has it."""
    terminal = Terminal(
        tmp_path, clean_env(TERM="dumb", LANG="en_US.UTF-8", **UNREACHABLE_PROVIDER)
    )
    try:
        terminal.wait_for(b"> ")
        terminal.type("I feel lost today")
        terminal.wait_for(b"> ", count=2)
        terminal.type("/quit")
        assert terminal.close() == 0
    finally:
        if terminal.process.poll() is None:
            terminal.process.kill()
    shown = terminal.text()
    log_file = tmp_path / "data" / "innertalk-chat.log"
    assert "Logs are written to data/innertalk-chat.log" in shown
    assert "lost" in shown.split("I feel lost today", 1)[1]  # the reply reached the screen
    assert LOGGED_EVENT not in shown
    assert "[warning" not in shown
    assert "[error" not in shown
    logged = log_file.read_text(encoding="utf-8")
    assert LOGGED_EVENT in logged
    assert "I feel lost today" not in logged


def test_a_piped_chat_still_logs_to_stderr(innertalk: Run, tmp_path: Path) -> None:
    """Piped, the same warning-producing chat logs to stderr and writes no chat log file."""
    result = innertalk("chat", input="I feel lost today\n", env=clean_env(**UNREACHABLE_PROVIDER))
    assert result.returncode == 0, result.stderr
    assert "lost" in result.stdout
    assert LOGGED_EVENT in result.stderr
    assert LOGGED_EVENT not in result.stdout
    assert not (tmp_path / "data" / "innertalk-chat.log").exists()


def test_an_unwritable_log_file_is_a_configuration_error(innertalk: Run, tmp_path: Path) -> None:
    """A LOG_FILE that cannot be opened is one line naming LOG_FILE, exit code 2."""
    (tmp_path / "blocker").write_text("not a directory")
    result = innertalk("chat", env=clean_env(LOG_FILE="blocker/chat.log"))
    assert result.returncode == 2
    assert result.stderr.startswith("innertalk: configuration error: LOG_FILE:")
    assert "Traceback" not in result.stderr
