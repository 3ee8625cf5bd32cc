"""Logging never carries what people write, tokens or keys."""

from __future__ import annotations

import io
import json
import logging

import pytest
import structlog

from innertalk.infrastructure.observability.logs import REDACTED, configure_logging

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


def _fail_with_secrets() -> None:
    raise RuntimeError(f"POST https://api/bot{TOKEN}/sendMessage with {OPENAI_KEY}: {BEARER}")


BEARER = "Bearer opaque.credential-12345678"


@pytest.mark.parametrize("fmt", ["console", "json"])
def test_secrets_inside_a_logged_exception_are_masked(fmt: str) -> None:
    """A token, key or bearer in an exception's message is masked in the formatted traceback,
    whether structlog or a library's stdlib logger logged it."""
    stream = io.StringIO()
    configure_logging(level="INFO", fmt=fmt, stream=stream)
    for log in (structlog.get_logger("t"), logging.getLogger("thirdparty")):
        try:
            _fail_with_secrets()
        except RuntimeError:
            log.exception("call.failed")
    output = stream.getvalue()
    assert output.count("Traceback (most recent call last)") == 2
    assert output.count("_fail_with_secrets") >= 2
    for secret in (TOKEN, TOKEN.split(":")[1], OPENAI_KEY, "opaque.credential-12345678"):
        assert secret not in output
    assert output.count(REDACTED) >= 6


def test_sdk_loggers_stay_at_info_when_log_level_is_debug() -> None:
    """LOG_LEVEL=DEBUG shows our debug lines, never an SDK's or HTTP client's, even when the
    SDK lowers its own level later (as OPENAI_LOG=debug does on import)."""
    stream = io.StringIO()
    configure_logging(level="DEBUG", fmt="json", stream=stream)
    structlog.get_logger("innertalk.t").debug("ours.debug")
    logging.getLogger("openai").setLevel(logging.DEBUG)  # what OPENAI_LOG=debug does
    for name in ("openai._base_client", "httpx", "httpcore.http11", "google_genai._api_client"):
        logging.getLogger(name).debug("request body: my secret words")
    logging.getLogger("httpx").info("HTTP Request: POST /v1/chat/completions 200")
    output = stream.getvalue()
    assert "ours.debug" in output
    assert "HTTP Request" in output
    assert "my secret words" not in output
    assert logging.getLogger("anthropic").getEffectiveLevel() == logging.INFO
    assert logging.getLogger("aiohttp.client").getEffectiveLevel() == logging.INFO


def test_sdk_loggers_follow_a_stricter_log_level() -> None:
    """LOG_LEVEL=WARNING: an SDK's INFO lines are dropped like everyone else's."""
    stream = io.StringIO()
    configure_logging(level="WARNING", fmt="json", stream=stream)
    logging.getLogger("httpx").info("HTTP Request: POST /v1/chat/completions 200")
    assert stream.getvalue() == ""
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING


def test_log_sdk_debug_puts_sdk_loggers_at_debug() -> None:
    """LOG_SDK_DEBUG turns SDK debug lines on: their loggers are at DEBUG and lines pass."""
    stream = io.StringIO()
    configure_logging(level="INFO", fmt="json", stream=stream, sdk_debug=True)
    assert logging.getLogger("openai").level == logging.DEBUG
    assert logging.getLogger("httpcore.http11").getEffectiveLevel() == logging.DEBUG
    logging.getLogger("openai._base_client").debug("Request options: hello")
    assert "Request options: hello" in stream.getvalue()
    configure_logging(level="INFO", fmt="json", stream=io.StringIO())
    assert logging.getLogger("openai").level == logging.INFO
