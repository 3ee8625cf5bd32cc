"""Reading how long a provider asked us to wait."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from innertalk.infrastructure.llm.retry_after import retry_after_seconds

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"Retry-After": "Wed, 25 Nov 2026 12:00:30 GMT"}, 30.0),
        ({"Retry-After": "Wed, 25 Nov 2026 11:59:00 GMT"}, 0.0),
        ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "-3"}, None),
        ({"Retry-After": "nan"}, None),
        ({}, None),
        (None, None),
    ],
)
def test_retry_after_reads_seconds_dates_and_milliseconds(
    headers: dict[str, str] | None, seconds: float | None
) -> None:
    """Seconds, HTTP dates (past ones mean now) and retry-after-ms are read; nonsense is None."""
    assert retry_after_seconds(headers, now=NOW) == seconds
