"""Logging never carries what people write, tokens or keys."""

from __future__ import annotations

import io
import json
import logging

import structlog

from innertalk.infrastructure.logs import REDACTED, configure_logging

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
OPENAI_KEY = "sk-proj-abcdefghijklmnopqrstuvwxyz"


def test_sensitive_fields_are_blanked_in_json_logs() -> None:
    """Fields named like content or secrets are replaced, whatever their value."""
    stream = io.StringIO()
    configure_logging(level="INFO", fmt="json", stream=stream)
    structlog.get_logger("t").info("talk.replied", text="my secret feelings", token="x", n=2)
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["text"] == REDACTED
    assert line["token"] == REDACTED
    assert line["n"] == 2
    assert "secret feelings" not in stream.getvalue()


def test_secret_shaped_values_are_masked_anywhere() -> None:
    """A bot token or API key inside any string field or stdlib message is masked."""
    stream = io.StringIO()
    configure_logging(level="INFO", fmt="console", stream=stream)
    structlog.get_logger("t").warning("http.error", url=f"https://api/bot{TOKEN}/getMe")
    logging.getLogger("thirdparty").warning("key was %s", OPENAI_KEY)
    output = stream.getvalue()
    assert TOKEN not in output
    assert OPENAI_KEY not in output
    assert output.count(REDACTED) == 2


def test_log_file_rotates_by_size(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """LOG_FILE is written and rotated once it passes LOG_MAX_BYTES."""
    path = tmp_path / "logs" / "innertalk.log"
    configure_logging(level="INFO", fmt="json", file=path, max_bytes=2048, backups=2)
    log = structlog.get_logger("t")
    for n in range(200):
        log.info("tick", n=n)
    logging.getLogger().handlers[0].flush()
    assert path.exists()
    assert (tmp_path / "logs" / "innertalk.log.1").exists()
    assert not (tmp_path / "logs" / "innertalk.log.3").exists()
