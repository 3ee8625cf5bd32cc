"""How the MongoDB adapter connects: explicit pool and timeout options, and start-up errors.

PyMongo lets keyword arguments override the connection string, so the defaults here are passed
only for options the URL does not set: an operator tunes the pool or the timeouts in
``DATABASE_URL`` without a new setting.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pymongo.errors import OperationFailure, PyMongoError, ServerSelectionTimeoutError

CLIENT_DEFAULTS: Mapping[str, Any] = {
    "appname": "innertalk",
    "maxPoolSize": 50,
    "minPoolSize": 0,
    "maxIdleTimeMS": 300_000,
    "connectTimeoutMS": 5_000,
    "serverSelectionTimeoutMS": 5_000,
    "socketTimeoutMS": 10_000,
    "timeoutMS": 10_000,
    "retryWrites": True,
    "retryReads": True,
}
"""Pool and timeouts, every one explicit; an option in ``DATABASE_URL``'s query string wins.

``timeoutMS`` bounds every operation as a whole (server selection, pool wait, round trips,
retries); ``serverSelectionTimeoutMS`` bounds the start-up check, so an unreachable server
fails the start quickly.
"""


class MongoStartupError(Exception):
    """The database cannot be used as configured; the message is one line."""


def client_options(url: str) -> dict[str, Any]:
    """``CLIENT_DEFAULTS`` less the options ``url`` sets itself (PyMongo lets keyword
    arguments override the URL, so those are left out)."""
    in_url = {name.lower() for name, _ in parse_qsl(urlsplit(url).query)}
    return {name: value for name, value in CLIENT_DEFAULTS.items() if name.lower() not in in_url}


def scrubbed(message: str, url: str) -> str:
    """``message`` without the URL's password (a driver error may quote the URL)."""
    password = urlsplit(url).password
    return message.replace(password, "***") if password else message


def hosts_of(url: str) -> str:
    """The URL's hosts without credentials, for messages."""
    return urlsplit(url).netloc.rpartition("@")[2] or "(none)"


def startup_reason(error: PyMongoError) -> str:
    """What went wrong, in one line and without the topology dump PyMongo attaches."""
    if isinstance(error, ServerSelectionTimeoutError):
        return "no server answered within serverSelectionTimeoutMS"
    if isinstance(error, OperationFailure):
        message = str((error.details or {}).get("errmsg", error)).splitlines()[0]
        return f"{(error.details or {}).get('codeName') or error.code}: {message}"
    return type(error).__name__


def silence_driver_debug_log() -> None:
    # PyMongo's command log at DEBUG includes the documents sent, i.e. people's message text.
    driver_log = logging.getLogger("pymongo")
    if driver_log.level < logging.INFO:  # NOTSET would inherit DEBUG from the root
        driver_log.setLevel(logging.INFO)
