"""``innertalk bot`` refuses to share lanes without a webhook secret: one line, exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from innertalk.cli import main
from innertalk.config import load_settings
from tests.integration.bot_harness import isolate

TOKEN = "123456:" + "A" * 35
REDIS = "redis://127.0.0.1:1/0"  # never reached: the check comes before any connection
WEBHOOK = "https://bot.example.test"


@pytest.mark.parametrize(
    ("env", "shared"),
    [
        ({}, False),
        ({"REDIS_URL": REDIS}, False),
        ({"WEBHOOK_URL": WEBHOOK}, False),
        ({"REDIS_URL": REDIS, "WEBHOOK_URL": WEBHOOK}, True),
    ],
)
def test_lanes_are_shared_exactly_with_redis_in_webhook_mode(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: dict[str, str], shared: bool
) -> None:
    """Shared lanes (and so the secret rule) need both REDIS_URL and WEBHOOK_URL."""
    isolate(monkeypatch, tmp_path, **env)
    assert load_settings(None).shares_lanes is shared


def test_shared_lanes_without_webhook_secret_stop_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """REDIS_URL + WEBHOOK_URL without WEBHOOK_SECRET: exit 2 and one line naming it, no
    traceback, before anything connects."""
    isolate(monkeypatch, tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, REDIS_URL=REDIS, WEBHOOK_URL=WEBHOOK)
    env_file = str(tmp_path / "none.env")
    assert main(["--env-file", env_file, "bot"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("innertalk: configuration error: WEBHOOK_SECRET: not set;")
    assert "Traceback" not in err
