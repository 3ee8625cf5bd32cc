"""Structured logging with structlog: JSON or console, to stderr or a rotating file.

Log lines never carry what people write or any secret. Call sites only pass counts, ids and
names; ``redact`` is the safety net behind that rule: it blanks fields whose names suggest
content or credentials and masks anything shaped like a bot token, an API key or a bearer
credential, as the last step before rendering (so formatted tracebacks are masked too).
SDK and HTTP-client loggers, whose DEBUG lines hold request bodies and headers, stay at INFO
or above unless ``sdk_debug`` (``LOG_SDK_DEBUG``) is on.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any, TextIO

import structlog

SENSITIVE_FIELDS = frozenset(
    {
        "text",
        "message_text",
        "prompt",
        "content",
        "reply",
        "summary",
        "note",
        "token",
        "api_key",
        "key_value",
        "secret",
        "password",
        "authorization",
    }
)
_SECRET_PATTERNS = (
    re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}"),  # Telegram bot token
    re.compile(r"\bsk-[A-Za-z0-9_-]{16,}\b"),  # OpenAI / Anthropic style keys
    re.compile(r"\bAIza[0-9A-Za-z_-]{20,}\b"),  # Google API keys
    re.compile(r"(?i)(?<=bearer )[A-Za-z0-9._~+/=-]{8,}"),  # Authorization: Bearer <credential>
)
REDACTED = "[redacted]"
SDK_LOGGERS = (
    "openai",
    "anthropic",
    "google",  # google.genai, google.auth
    "google_genai",
    "httpx",
    "httpx2",
    "httpcore",
    "httpcore2",
    "h11",
    "h2",
    "hpack",
    "aiohttp",
    "aiogram",
    "pymongo",
    "redis",
    "aiosqlite",
    "urllib3",
    "requests",
    "websockets",
    "uvicorn",
    "starlette",
    "fastapi",
)
"""Loggers (and their children) of libraries that log request bodies or headers at DEBUG."""


def _scrub(value: str) -> str:
    for pattern in _SECRET_PATTERNS:
        value = pattern.sub(REDACTED, value)
    return value


def redact(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Blank sensitive fields and mask secret-shaped strings in every log event."""
    for name, value in list(event_dict.items()):
        if name.lower() in SENSITIVE_FIELDS:
            event_dict[name] = REDACTED
        elif isinstance(value, str):
            event_dict[name] = _scrub(value)
    return event_dict


def _is_sdk(name: str) -> bool:
    return any(name == sdk or name.startswith(f"{sdk}.") for sdk in SDK_LOGGERS)


class _SdkDebugFilter(logging.Filter):
    """Drops SDK records below ``floor`` even when something lowered an SDK logger's level
    after start-up (``OPENAI_LOG=debug`` does so when the SDK is first imported)."""

    def __init__(self, floor: int) -> None:
        super().__init__()
        self._floor = floor

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= self._floor or not _is_sdk(record.name)


def _guard_sdk_loggers(handler: logging.Handler, level: str, sdk_debug: bool) -> None:
    if sdk_debug:
        for name in SDK_LOGGERS:
            logging.getLogger(name).setLevel(logging.DEBUG)
        return
    floor = max(logging.INFO, logging.getLevelNamesMapping()[level])
    for name in SDK_LOGGERS:
        logging.getLogger(name).setLevel(floor)
    handler.addFilter(_SdkDebugFilter(floor))


def configure_logging(
    *,
    level: str = "INFO",
    fmt: str = "console",
    file: Path | None = None,
    max_bytes: int = 10 * 1024 * 1024,
    backups: int = 5,
    stream: TextIO | None = None,
    sdk_debug: bool = False,
) -> None:
    """Route structlog and stdlib logging through one handler with one renderer.

    ``sdk_debug`` lets SDK and HTTP-client loggers (``SDK_LOGGERS``) log at DEBUG, i.e.
    request bodies (what people write) and headers; off, they stay at INFO or above.
    """
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    handler: logging.Handler
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            file, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
        )
    else:
        handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                # After format_exc_info: an exception's message and traceback are text by now,
                # and a token inside them is masked like any other value.
                redact,
                renderer,
            ],
        )
    )
    _guard_sdk_loggers(handler, level, sdk_debug)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Not cached: caching freezes each module logger to the first configuration, so a
        # later configure_logging (tests, or the CLI re-configuring) would not reach it.
        cache_logger_on_first_use=False,
    )
