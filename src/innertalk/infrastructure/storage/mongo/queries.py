"""The MongoDB reads: filters, orders, and the conversation context as one aggregation.

Every order ends with ``seq`` (the write order) so equal moments still give one order, and
every filter starts with an index's prefix (see ``mongo.schema``).
"""

from __future__ import annotations

from collections.abc import Mapping

from pymongo import ASCENDING, DESCENDING

from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.mongo.documents import (
    PROFILES,
    RESULT,
    SESSION,
    TURNS,
    record_id,
)
from innertalk.infrastructure.storage.mongo.values import Document, owner

CONTEXT_RESULTS = 3
"""Newest questionnaire results loaded with a conversation's context."""

NEWEST = [("at", DESCENDING), ("seq", DESCENDING)]
OLDEST = [("at", ASCENDING), ("seq", ASCENDING)]
NEWEST_TURNS = [("seq", DESCENDING)]
OLDEST_TURNS = [("seq", ASCENDING)]


def of_kind(key: UserKey, kind: str) -> Document:
    """``records`` of one kind of one person (served by ``records_by_owner``)."""
    return {**owner(key), "kind": kind}


def session_turns(key: UserKey, session_id: str) -> Document:
    """The turns of one session of one person (served by ``turns_by_session``)."""
    return {"session": record_id(SESSION, key, session_id)}


def own_messages(key: UserKey) -> Document:
    """The person's own turns across sessions (served by ``turns_by_user``)."""
    return {**owner(key), "role": "user"}


_FIRST_OF_EACH = {
    name: {"$first": f"${name}"}
    for name in ("open", "previous", "results", "profile", "open_session")
}


def context_pipeline(key: UserKey, turn_limit: int, opening_limit: int = 0) -> list[Document]:
    """One aggregation on ``records`` that returns one document: ``open`` (the newest open
    session, or none), ``previous`` (the summary of the newest ended session that has one),
    ``results`` (the newest three), ``profile``, ``turns`` (the open session's newest
    ``turn_limit``, newest first) and ``opening`` (its first ``opening_limit``, oldest first).

    Built from long-standing stages (all in MongoDB 4.4, the oldest PyMongo supports) that
    mongomock evaluates too, so the wire-protocol fake runs this very pipeline rather than
    pretending to: ``$facet`` always yields exactly one document, even for someone never
    seen, and plain ``$lookup``s join the profile (by its ``_id``) and the open session's
    turns (by ``turns.session``, indexed). ``$lookup`` followed at once by ``$unwind`` streams
    the turns instead of building one array, then ``$sort`` + ``$limit`` keep the newest and
    ``$group`` folds them back into one document. The ``$facet`` reads all of the person's
    sessions and results inside the server (index-selected, small documents); only the
    newest of each leave it.
    """
    sessions_and_results = {**owner(key), "kind": {"$in": [SESSION, RESULT]}}
    newest = dict(NEWEST)
    pipeline: list[Document] = [
        {"$match": sessions_and_results},
        {
            "$facet": {
                "open": [
                    {"$match": {"kind": SESSION, "ended_at": None}},
                    {"$sort": newest},
                    {"$limit": 1},
                ],
                "previous": [
                    {
                        "$match": {
                            "kind": SESSION,
                            "ended_at": {"$ne": None},
                            "summary": {"$ne": None},
                        }
                    },
                    {"$sort": newest},
                    {"$limit": 1},
                    {"$project": {"summary": 1}},
                ],
                "results": [
                    {"$match": {"kind": RESULT}},
                    {"$sort": newest},
                    {"$limit": CONTEXT_RESULTS},
                ],
            }
        },
        {
            "$addFields": {
                "owner": {"$literal": owner(key)},
                "open_session": {"$arrayElemAt": ["$open._id", 0]},
            }
        },
        {
            "$lookup": {
                "from": PROFILES,
                "localField": "owner",
                "foreignField": "_id",
                "as": "profile",
            }
        },
    ]
    if turn_limit > 0:
        pipeline += _session_turns("turns", DESCENDING, turn_limit, _FIRST_OF_EACH)
    if opening_limit > 0:  # a second pass: the ``turns`` found above ride along
        kept = {**_FIRST_OF_EACH, "turns": {"$first": "$turns"}}
        pipeline += _session_turns("opening", ASCENDING, opening_limit, kept)
    return pipeline


def _session_turns(
    name: str, order: int, limit: int, kept: Mapping[str, Document]
) -> list[Document]:
    """Stages adding the open session's first ``limit`` turns in ``order`` of ``seq`` as
    ``name`` to the one document, keeping its ``kept`` fields."""
    return [
        {
            "$lookup": {
                "from": TURNS,
                "localField": "open_session",
                "foreignField": "session",
                "as": name,
            }
        },
        {"$unwind": {"path": f"${name}", "preserveNullAndEmptyArrays": True}},
        {"$sort": {f"{name}.seq": order}},
        {"$limit": limit},
        {"$group": {"_id": None, **kept, name: {"$push": f"${name}"}}},
    ]
