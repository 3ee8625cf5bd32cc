"""The secret that keys log pseudonyms: set, derived from ENCRYPTION_KEY, or kept in a file.

Precedence: ``LOG_PSEUDONYM_KEY``; else a key derived from ``ENCRYPTION_KEY`` under a fixed
label (so the log key never equals the encryption key, and instances sharing an encryption
key agree on pseudonyms); else 32 random bytes generated on the first run and kept in a file
readable by the owner only. Blocking file I/O: call it off the event loop.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_FILE_NAME = ".pseudonym_key"
_DERIVATION_LABEL = b"innertalk/log-pseudonyms/v1"
_KEY_BYTES = 32


class PseudonymKeyError(Exception):
    """The key file cannot be read or created; the message says which file and why."""


def pseudonym_key(
    *, configured: str | None, encryption_key: bytes | None, key_file: Path
) -> bytes:
    """The pseudonym key, by the precedence in this module's docstring."""
    if configured:
        return configured.encode()
    if encryption_key is not None:
        return hmac.new(encryption_key, _DERIVATION_LABEL, hashlib.sha256).digest()
    return stored_key(key_file)


def stored_key(path: Path) -> bytes:
    """The key kept in ``path``, created there (mode 0600) when it does not exist yet."""
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _create(path, secrets.token_bytes(_KEY_BYTES))
        return _read(path)  # another process may have created it first: use theirs
    except OSError as error:
        raise PseudonymKeyError(f"cannot create {path}: {error.strerror or error}") from None


def _read(path: Path) -> bytes:
    """The key in ``path``; ``FileNotFoundError`` when there is none yet."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise
    except OSError as error:
        raise PseudonymKeyError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        text = ""
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != _KEY_BYTES:
        raise PseudonymKeyError(f"{path} does not hold a key; delete it to make a new one")
    return key


def _create(path: Path, key: bytes) -> None:
    """Write the key to a private temporary file, then link it into place: readers never see
    a half-written file, and of two processes racing to create it exactly one wins."""
    temporary = path.with_name(f"{path.name}.{secrets.token_hex(6)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(key.hex() + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
