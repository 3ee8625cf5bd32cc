"""``innertalk migrate`` and ``innertalk reencrypt``: storage and inbox without the app."""

from __future__ import annotations

import sys

from innertalk.application.inbox import InboxUnavailableError
from innertalk.bootstrap.stores import at_rest_cipher, open_inbox, open_storage
from innertalk.config import ConfigError, Settings
from innertalk.infrastructure.storage.key_check import seal_probe
from innertalk.infrastructure.storage.sealing import FieldSeal

REENCRYPT_BATCH = 500
"""Rows (documents) re-sealed per transaction (bulk write) by ``innertalk reencrypt``."""


async def migrate(settings: Settings) -> None:
    """Create or update the schema (indexes on MongoDB)."""
    storage = await open_storage(settings, migrate=True)
    await storage.close()
    print(f"schema is up to date ({settings.storage.database_label})")


async def reencrypt(settings: Settings) -> None:
    """Seal every personal value under the current key, batch by batch; run again after an
    interruption, it picks up what is left (values already current are skipped)."""
    cipher = at_rest_cipher(settings)
    if cipher is None:
        raise ConfigError("ENCRYPTION_KEY: reencrypt needs the key to seal with")
    storage = await open_storage(settings, migrate=True)  # refuses keys that do not open it

    def progress(part: str, read: int, sealed: int) -> None:
        print(f"reencrypt: {part}: {read} read, {sealed} sealed so far", file=sys.stderr)

    try:
        sealed = await storage.reseal(  # type: ignore[attr-defined]
            FieldSeal(cipher), batch=REENCRYPT_BATCH, progress=progress
        )
        await storage.set_at_rest_probe(seal_probe(cipher))  # type: ignore[attr-defined]
    finally:
        await storage.close()
    waiting = await _reseal_inbox(settings)
    print(
        f"reencrypt: done, {sealed} values sealed and {waiting} waiting updates re-sealed with "
        f"key {cipher.current_key_id} ({settings.storage.database_label}); "
        "ENCRYPTION_KEYS_PREVIOUS may now be emptied",
        file=sys.stderr,
    )


async def _reseal_inbox(settings: Settings) -> int:
    """Re-seal the updates waiting in the inbox (where ``innertalk bot`` keeps it: Redis with
    REDIS_URL, else the database), or one filed under an old key is lost once it is dropped."""
    from innertalk.infrastructure.redis.connection import connect_redis

    url = settings.storage.redis_url
    redis = connect_redis(url) if url else None
    try:
        async with open_inbox(settings, redis) as inbox:
            return await inbox.reseal()
    except InboxUnavailableError as error:
        variable = "REDIS_URL" if redis is not None else "DATABASE_URL"
        raise ConfigError(f"{variable}: the update inbox cannot be re-sealed ({error})") from None
    finally:
        if redis is not None:
            await redis.aclose()
