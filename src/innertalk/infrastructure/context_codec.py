"""Conversation contexts as bytes for a shared cache: JSON, sealed with the at-rest key if set.

No pickle: what comes back from Redis is parsed as data into the domain's dataclasses, field
by field against their type hints, so a forged or corrupted value can at worst be refused,
never run. The fields are discovered from the dataclasses themselves, and a fingerprint of
their shape travels with every value: after a deploy that adds a field, older values are
misses instead of errors.

With ``ENCRYPTION_KEY`` the whole JSON (turn texts, summaries, the display name) is sealed with
AES-256-GCM by ``FieldCipher``, bound to its owner (a value copied to another person's key
does not open), and an unsealed value is refused. Without a key the JSON is stored as it is —
the same plain text the database then holds.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import fields, is_dataclass
from datetime import datetime
from enum import Enum
from types import NoneType, UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

from innertalk.domain.conversation import ConversationContext
from innertalk.domain.users import UserKey
from innertalk.infrastructure.crypto import PREFIX, FieldCipher


class UndecodableContextError(ValueError):
    """A cached value that is not a context of this shape (or not sealed for this owner)."""


class ContextCodec:
    """Turns contexts into bytes and back, optionally sealed with ``cipher``."""

    def __init__(self, cipher: FieldCipher | None = None) -> None:
        self._cipher = cipher

    def encode(self, context: ConversationContext) -> bytes:
        envelope = {"f": _fingerprint(), "c": _plain(context)}
        text = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))
        if self._cipher is not None:
            text = self._cipher.encrypt(text, _owner(context.key))
        return text.encode("utf-8")

    def decode(self, key: UserKey, blob: bytes) -> ConversationContext:
        """The context of ``key`` in ``blob``; ``UndecodableContextError`` for anything else."""
        try:
            text = blob.decode("utf-8")
            if self._cipher is not None:
                if not text.startswith(f"{PREFIX}:"):
                    raise ValueError("not sealed")
                text = self._cipher.decrypt(text, _owner(key))
            envelope = json.loads(text)
            if envelope.get("f") != _fingerprint():
                raise ValueError("another shape")
            context: ConversationContext = _build(ConversationContext, envelope["c"])
        except Exception as error:  # every way a foreign value can fail means "not usable"
            raise UndecodableContextError(type(error).__name__) from None
        if context.key != key:
            raise UndecodableContextError("another owner")
        return context


def _owner(key: UserKey) -> str:
    return f"context-cache:{key}"


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain(getattr(value, field.name)) for field in fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    names = {field.name for field in fields(cls)}
    return {name: hint for name, hint in get_type_hints(cls).items() if name in names}


def _build(hint: Any, raw: Any) -> Any:
    origin = get_origin(hint)
    if origin in (Union, UnionType):
        options = [option for option in get_args(hint) if option is not NoneType]
        if raw is None and len(options) < len(get_args(hint)):
            return None
        if len(options) != 1:
            raise TypeError(f"unsupported union {hint}")
        return _build(options[0], raw)
    if origin is tuple:
        item, _ = get_args(hint)
        return tuple(_build(item, part) for part in _expect(raw, list))
    if isinstance(hint, type) and is_dataclass(hint):
        data = _expect(raw, dict)
        hints = _hints(hint)
        if set(data) != set(hints):
            raise ValueError(f"{hint.__name__}: fields differ")
        return hint(**{name: _build(hints[name], data[name]) for name in hints})
    if hint is datetime:
        return datetime.fromisoformat(_expect(raw, str))
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(raw)
    if hint in (str, bool):
        return _expect(raw, hint)
    if hint is int and not isinstance(raw, bool):
        return _expect(raw, int)
    raise TypeError(f"unsupported field type {hint}")


def _expect(raw: Any, kind: type) -> Any:
    if not isinstance(raw, kind):
        raise TypeError(f"expected {kind.__name__}, got {type(raw).__name__}")
    return raw


@functools.cache
def _fingerprint() -> str:
    """A short digest of every dataclass a context is made of: names, fields and their types."""
    shapes: list[str] = []
    pending: list[Any] = [ConversationContext]
    while pending:
        hint = pending.pop()
        if isinstance(hint, type) and is_dataclass(hint):
            shape = f"{hint.__name__}({', '.join(f'{n}: {h}' for n, h in _hints(hint).items())})"
            if shape not in shapes:
                shapes.append(shape)
                pending.extend(_hints(hint).values())
        else:
            pending.extend(get_args(hint))
    return hashlib.sha256("\n".join(sorted(shapes)).encode()).hexdigest()[:12]
