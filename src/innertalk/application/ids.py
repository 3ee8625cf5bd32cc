"""Identifiers for new records."""

from __future__ import annotations

import uuid


def new_id() -> str:
    """A random, collision-free record id (32 hex characters)."""
    return uuid.uuid4().hex
