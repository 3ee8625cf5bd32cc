"""Passwords with argon2-cffi (argon2id, its default parameters) and TOTP with pyotp.

Hashing and verifying take tens of milliseconds of CPU each, so they run in a worker thread,
never on the event loop.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

ISSUER = "InnerTalk"


class Argon2Passwords:
    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._decoy: str | None = None

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored_hash: str, password: str) -> bool:
        if not stored_hash:
            if self._decoy is None:
                self._decoy = await self.hash("decoy password, never anyone's")
            stored_hash = self._decoy
        return await asyncio.to_thread(self._verify, stored_hash, password)

    def _verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


class PyotpTotp:
    """RFC 6238 codes (30 s steps, 6 digits); one step of clock drift either way is allowed."""

    def new_secret(self) -> str:
        return pyotp.random_base32()

    def uri(self, secret: str, name: str) -> str:
        return pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=ISSUER)

    def verify(self, secret: str, code: str, at: datetime) -> bool:
        code = code.strip()
        if not (len(code) == 6 and code.isdigit()):
            return False
        return pyotp.TOTP(secret).verify(code, for_time=at, valid_window=1)
