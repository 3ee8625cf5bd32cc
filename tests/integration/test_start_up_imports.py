"""Start-up imports only what the configuration uses: no Redis or MongoDB driver by default."""

from __future__ import annotations

import subprocess
import sys

_PROBE = """
import sys
import innertalk.cli
print(" ".join(sorted(m for m in ("redis", "pymongo", "bson", "openai") if m in sys.modules)))
"""


def test_the_cli_imports_no_redis_mongodb_or_sdk_driver() -> None:
    """`innertalk` without REDIS_URL or MongoDB never pays for redis-py, PyMongo or the SDKs."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == []
