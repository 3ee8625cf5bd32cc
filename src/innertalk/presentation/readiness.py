"""``innertalk health``: ask a running instance's ``/readyz`` and show its component table."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

READYZ_TIMEOUT = 5.0
ANY_ADDRESS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}  # noqa: S104 - mapped away


@dataclass(frozen=True, slots=True)
class Readiness:
    """What ``/readyz`` answered: the verdict and each component's name, status, detail."""

    ready: bool
    components: tuple[tuple[str, str, str], ...]

    @property
    def all_up(self) -> bool:
        return self.ready and all(status == "up" for _, status, _ in self.components)


class NotListeningError(Exception):
    """Nothing answered at the address (the instance is not running, or elsewhere)."""


def readyz_url(host: str, port: int) -> str:
    """The local URL of ``/readyz`` for a server listening on ``host:port``."""
    host = ANY_ADDRESS.get(host, host)
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/readyz"


def fetch_readiness(url: str, *, timeout: float = READYZ_TIMEOUT) -> Readiness:
    """GET ``url``; a 503 is a (not ready) answer too. ``NotListeningError`` when nothing
    answers, ``ValueError`` when the answer is not a readiness report."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our URL
            body = response.read()
    except urllib.error.HTTPError as error:
        body = error.read()
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        reason = getattr(error, "reason", error)
        raise NotListeningError(f"nothing answers at {url} ({reason})") from None
    return _parse(body)


def _parse(body: bytes) -> Readiness:
    try:
        data = json.loads(body)
        components = tuple(
            (str(c["name"]), str(c["status"]), str(c.get("detail", "")))
            for c in data["components"]
        )
        return Readiness(bool(data["ready"]), components)
    except (ValueError, KeyError, TypeError):
        raise ValueError("the answer is not a readiness report") from None


def readiness_table(readiness: Readiness) -> str:
    """A verdict line and one aligned row per component: name, status, detail."""
    rows = [("component", "status", "detail"), *readiness.components]
    name_width = max(len(name) for name, _, _ in rows)
    status_width = max(len(status) for _, status, _ in rows)
    lines = [
        f"{name:<{name_width}}  {status:<{status_width}}  {detail}".rstrip()
        for name, status, detail in rows
    ]
    verdict = "ready" if readiness.ready else "NOT READY"
    return "\n".join([verdict, *lines])
