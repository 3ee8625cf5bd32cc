"""Contexts as bytes for the shared cache: exact round trips, sealed with the key, and every
foreign value refused rather than trusted (no pickle, another owner, another shape)."""

from __future__ import annotations

import json
import pickle

import pytest

from innertalk.domain.conversation import ConversationContext
from innertalk.domain.users import UserKey
from innertalk.infrastructure.context_codec import ContextCodec, UndecodableContextError
from innertalk.infrastructure.crypto import FieldCipher, generate_key, parse_key
from tests.contract.test_context_cache_contract import context_of

ALICE, BOB = UserKey("bot", 1), UserKey("bot", 2)
CIPHER = FieldCipher([parse_key(generate_key())])


@pytest.mark.parametrize("cipher", [None, CIPHER], ids=["plain", "sealed"])
def test_every_field_survives_a_round_trip(cipher: FieldCipher | None) -> None:
    """Profile, session, summary, both kinds of turn and results come back equal."""
    codec = ContextCodec(cipher)
    full = context_of(ALICE)
    assert codec.decode(ALICE, codec.encode(full)) == full
    empty = ConversationContext(ALICE)
    assert codec.decode(ALICE, codec.encode(empty)) == empty


def test_a_sealed_value_opens_only_for_its_owner_and_only_with_the_key() -> None:
    """Copied to another person, read without the key, or written unsealed: refused."""
    sealed = ContextCodec(CIPHER).encode(context_of(ALICE, "a secret"))
    assert b"secret" not in sealed
    with pytest.raises(UndecodableContextError):
        ContextCodec(CIPHER).decode(BOB, sealed)
    with pytest.raises(UndecodableContextError):
        ContextCodec().decode(ALICE, sealed)
    with pytest.raises(UndecodableContextError):
        ContextCodec(CIPHER).decode(ALICE, ContextCodec().encode(context_of(ALICE)))


def test_values_that_are_not_this_shape_are_refused() -> None:
    """A pickle, another version's fields, a wrong type or another owner never decode."""
    codec = ContextCodec()
    good = json.loads(codec.encode(context_of(ALICE)))
    with pytest.raises(UndecodableContextError):
        codec.decode(ALICE, pickle.dumps(context_of(ALICE)))
    with pytest.raises(UndecodableContextError):
        codec.decode(ALICE, json.dumps(good | {"f": "older"}).encode())
    good["c"]["session"]["tokens_used"] = "many"
    with pytest.raises(UndecodableContextError):
        codec.decode(ALICE, json.dumps(good).encode())
    with pytest.raises(UndecodableContextError):
        codec.decode(BOB, codec.encode(context_of(ALICE)))
