"""At start-up: is the stored data sealed, and do the configured keys open it?

One read answers it: the ``at_rest`` marker, a known text sealed with the key in use, written
the first time the storage opens with a key (and sealed again by ``innertalk reencrypt``).
Databases sealed before the marker existed are recognised by their newest turn.
"""

from __future__ import annotations

from typing import Protocol

from innertalk.infrastructure.crypto import DecryptionError, FieldCipher, sealed_key_id
from innertalk.infrastructure.storage.sealing import PROBE_CONTEXT, PROBE_TEXT, is_sealed


class AtRestStore(Protocol):
    async def at_rest_probe(self) -> str | None: ...

    async def set_at_rest_probe(self, probe: str) -> None: ...

    async def newest_turn_text(self) -> str | None: ...


class KeyMismatchError(Exception):
    """The stored data cannot be read with the configured keys (the message names the
    setting and never a key)."""


async def check_keys(store: AtRestStore, cipher: FieldCipher | None) -> None:
    """``KeyMismatchError`` unless ``cipher`` opens the stored data (or nothing is sealed);
    with a key and no marker yet, the marker is written."""
    probe = await store.at_rest_probe()
    if probe is None:
        sample = await store.newest_turn_text()
        if sample is not None and is_sealed(sample):
            _check_key_id(sample, cipher)
        if cipher is not None:
            await store.set_at_rest_probe(seal_probe(cipher))
        return
    if cipher is None:
        raise KeyMismatchError(
            "ENCRYPTION_KEY: the stored data is encrypted, but ENCRYPTION_KEY is not set"
        )
    try:
        cipher.decrypt(probe, PROBE_CONTEXT)
    except DecryptionError:
        raise KeyMismatchError(
            f"ENCRYPTION_KEY: no configured key opens the stored data "
            f"(it is encrypted with key {cipher.key_of(probe)})"
        ) from None


def seal_probe(cipher: FieldCipher) -> str:
    return cipher.encrypt(PROBE_TEXT, PROBE_CONTEXT)


def _check_key_id(sample: str, cipher: FieldCipher | None) -> None:
    used = sealed_key_id(sample) or "?"
    if cipher is None:
        raise KeyMismatchError(
            "ENCRYPTION_KEY: the stored data is encrypted, but ENCRYPTION_KEY is not set"
        )
    if not cipher.knows(used):
        raise KeyMismatchError(
            f"ENCRYPTION_KEY: the stored data was encrypted with key {used}, which is neither "
            "ENCRYPTION_KEY nor in ENCRYPTION_KEYS_PREVIOUS"
        )
