"""Analytics over many realms in MongoDB, mixed into ``MongoStorage``: each figure is one
aggregation pipeline (or ``distinct``) run by the server.

A person's turns and sessions are joined to their profile by ``user_id`` (the simple
``$lookup`` every server and the test fake run) and then kept to the profile's own realm.
Moments are fixed-width UTC text; where a span is measured the text becomes a date through
``$dateFromParts`` (whole seconds, as SQLite's ``strftime('%s')``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from innertalk.domain.analytics import (
    RETURN_DAYS,
    WEEK,
    ArmCounts,
    CohortCounts,
    CrisisCount,
    CrisisMark,
    WeeklyMood,
)
from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.mongo.documents import (
    FEEDBACK,
    MOOD,
    PROFILES,
    RECORDS,
    SESSION,
    TURNS,
    MongoCodec,
)
from innertalk.infrastructure.storage.mongo.values import Document, moment_text
from innertalk.infrastructure.storage.mood_weeks import mood_weeks

CRISIS_SIGNALS = "crisis_signals"
DAY_MS = 86_400_000
NEVER = "9999-12-31T00:00:00.000000Z"


def _date(text: Any) -> Document:
    """A fixed-width moment text as a date, to the second."""
    parts = {"year": (0, 4), "month": (5, 2), "day": (8, 2), "hour": (11, 2)}
    parts |= {"minute": (14, 2), "second": (17, 2)}
    return {
        "$dateFromParts": {
            name: {"$toInt": {"$substr": [text, start, length]}}
            for name, (start, length) in parts.items()
        }
    }


def _count(condition: Any) -> Document:
    return {"$sum": {"$cond": [condition, 1, 0]}}


def _own(array: str, *conditions: Document) -> Document:
    """The joined documents of ``array`` that belong to this profile's realm."""
    same_realm = {"$eq": ["$$this.bot_id", "$bot_id"]}
    return {"$filter": {"input": f"${array}", "cond": {"$and": [same_realm, *conditions]}}}


def _joined(collection: str, realms: Sequence[str], since: str, until: str) -> list[Document]:
    """Profiles that started in [since, until), each with the documents of ``collection``
    that share its ``user_id`` (any realm, until ``_own`` keeps its own)."""
    return [
        {"$match": {"bot_id": {"$in": list(realms)}, "created_at": {"$gte": since, "$lt": until}}},
        {"$lookup": {"from": collection, "localField": "user_id", "foreignField": "user_id",
                     "as": collection}},
    ]  # fmt: skip


def _messages() -> Document:
    """The dates of this person's own messages."""
    return {"$map": {"input": _own(TURNS, {"$eq": ["$$this.role", "user"]}),
                     "in": "$$this.created_date"}}  # fmt: skip


def _cohorts(realms: Sequence[str], origin: datetime, weeks: int) -> list[Document]:
    start = _date("$created_at")
    span = {"$subtract": [{"$max": "$messages"}, "$started"]}
    returned = {f"d{d}": _count({"$gte": [span, d * DAY_MS]}) for d in RETURN_DAYS}
    return [
        *_joined(TURNS, realms, moment_text(origin), moment_text(origin + weeks * WEEK)),
        {"$project": {"started": start, "messages": _messages()}},
        {"$addFields": {"week": {"$floor": {
            "$divide": [{"$subtract": ["$started", origin]}, 7 * DAY_MS]}}}},
        {"$group": {"_id": "$week", "size": {"$sum": 1}, **returned}},
        {"$sort": {"_id": ASCENDING}},
    ]  # fmt: skip


def _funnel(realms: Sequence[str], since: str, until: str) -> list[Document]:
    ended = {"$gt": [{"$ifNull": ["$$this.ended_at", ""]}, ""]}
    ends = {"$map": {"input": _own(RECORDS, {"$eq": ["$$this.kind", SESSION]}, ended),
                     "in": "$$this.ended_at"}}  # fmt: skip
    after = {"$subtract": ["$$this", "$end_date"]}
    window = {"$and": [{"$gte": [after, DAY_MS]}, {"$lt": [after, 7 * DAY_MS + 1000]}]}
    return [
        *_joined(TURNS, realms, since, until),
        {"$lookup": {"from": RECORDS, "localField": "user_id", "foreignField": "user_id",
                     "as": RECORDS}},
        {"$project": {"consented": {"$gt": [{"$ifNull": ["$consent_at", ""]}, ""]},
                      "messages": _messages(), "ends": ends}},
        # a field path: the test fake cannot take ``$min`` of an array expression
        {"$addFields": {"first_end": {"$min": "$ends"}}},
        {"$addFields": {"end_date": _date({"$ifNull": ["$first_end", NEVER]}),
                        "wrote": {"$and": ["$consented", {"$gt": [{"$size": "$messages"}, 0]}]},
                        "ended": {"$gt": [{"$ifNull": ["$first_end", ""]}, ""]}}},
        {"$addFields": {"returned": {"$gt": [
            {"$size": {"$filter": {"input": "$messages", "cond": window}}}, 0]}}},
        {"$group": {"_id": None, "started": {"$sum": 1}, "consented": _count("$consented"),
                    "wrote": _count("$wrote"),
                    "ended": _count({"$and": ["$wrote", "$ended"]}),
                    "returned": _count({"$and": ["$wrote", "$ended", "$returned"]})}},
    ]  # fmt: skip


def _arms(realms: Sequence[str], since: str, until: str) -> list[Document]:
    """Each reply once per verdict on it (once without one), like SQLite's LEFT JOIN."""
    verdicts = {
        "$filter": {
            "input": "$verdicts",
            "cond": {
                "$and": [{"$eq": ["$$this.kind", FEEDBACK]}, {"$eq": ["$$this.bot_id", "$bot_id"]}]
            },
        }
    }
    return [
        {"$match": {"bot_id": {"$in": list(realms)}, "role": "assistant", "variant": {"$ne": ""},
                    "created_at": {"$gte": since, "$lt": until}}},
        {"$lookup": {"from": RECORDS, "localField": "id", "foreignField": "turn_id",
                     "as": "verdicts"}},
        {"$addFields": {"verdicts": verdicts}},
        {"$unwind": {"path": "$verdicts", "preserveNullAndEmptyArrays": True}},
        {"$group": {
            "_id": "$variant",
            "replies": {"$sum": 1},
            "timed": _count({"$gt": ["$latency_ms", 0]}),
            "latency_sum": {"$sum": "$latency_ms"},
            "squares": {"$sum": {"$multiply": ["$latency_ms", "$latency_ms"]}},
            "input_tokens": {"$sum": "$input_tokens"},
            "output_tokens": {"$sum": "$output_tokens"},
            "helpful": _count({"$eq": ["$verdicts.helpful", True]}),
            "unhelpful": _count({"$eq": ["$verdicts.helpful", False]}),
        }},
        {"$sort": {"_id": ASCENDING}},
    ]  # fmt: skip


class MongoAnalyticsStore:
    """``AnalyticsStore`` and ``CrisisSignalLog`` over ``MongoStorage``'s database."""

    _db: AsyncDatabase[Document]
    codec: MongoCodec

    async def _aggregate(self, collection: str, pipeline: list[Document]) -> list[Document]:
        cursor = await self._db[collection].aggregate(pipeline)
        return await cursor.to_list()

    async def known_realms(self) -> list[str]:
        return sorted(await self._db[PROFILES].distinct("bot_id"))

    async def cohort_counts(
        self, realms: Sequence[str], origin: datetime, weeks: int
    ) -> list[CohortCounts]:
        rows = await self._aggregate(PROFILES, _cohorts(realms, origin, weeks))
        return [
            CohortCounts(int(r["_id"]), r["size"], tuple(r[f"d{d}"] for d in RETURN_DAYS))
            for r in rows
        ]

    async def funnel_counts(
        self, realms: Sequence[str], since: datetime, until: datetime
    ) -> tuple[int, int, int, int, int]:
        pipeline = _funnel(realms, moment_text(since), moment_text(until))
        row = next(iter(await self._aggregate(PROFILES, pipeline)), None)
        if row is None:
            return (0, 0, 0, 0, 0)
        return (row["started"], row["consented"], row["wrote"], row["ended"], row["returned"])

    async def arm_counts(
        self, realms: Sequence[str], since: datetime, until: datetime
    ) -> list[ArmCounts]:
        rows = await self._aggregate(TURNS, _arms(realms, moment_text(since), moment_text(until)))
        return [
            ArmCounts(
                variant=r["_id"],
                replies=r["replies"],
                timed=r["timed"],
                latency_sum=float(r["latency_sum"]),
                latency_squares=float(r["squares"]),
                input_tokens=r["input_tokens"],
                output_tokens=r["output_tokens"],
                helpful=r["helpful"],
                not_helpful=r["unhelpful"],
            )
            for r in rows
        ]

    async def mood_weeks(
        self, realms: Sequence[str], origin: datetime, weeks: int
    ) -> list[WeeklyMood]:
        window = {"$gte": moment_text(origin), "$lt": moment_text(origin + weeks * WEEK)}
        query = {"bot_id": {"$in": list(realms)}, "kind": MOOD, "at": window}
        cursor = self._db[RECORDS].find(query, {"bot_id": 1, "user_id": 1, "score": 1, "at": 1})
        entries = [
            (UserKey(doc["bot_id"], int(doc["user_id"])), doc["score"], str(doc["at"]))
            async for doc in cursor
        ]
        return await asyncio.to_thread(mood_weeks, self.codec.seal, entries, origin, weeks)

    async def crisis_counts(self, realms: Sequence[str], since: datetime) -> list[CrisisCount]:
        pipeline: list[Document] = [
            {"$match": {"bot_id": {"$in": list(realms)}, "at": {"$gte": moment_text(since)}}},
            {"$group": {"_id": {"category": "$category", "severity": "$severity"},
                        "signals": {"$sum": 1}}},
            {"$sort": {"_id.category": ASCENDING, "_id.severity": ASCENDING}},
        ]  # fmt: skip
        rows = await self._aggregate(CRISIS_SIGNALS, pipeline)
        return [
            CrisisCount(r["_id"]["category"], r["_id"]["severity"], r["signals"]) for r in rows
        ]

    async def note_crisis(self, mark: CrisisMark) -> None:
        document = {"bot_id": mark.realm, "category": mark.category, "severity": mark.severity}
        await self._db[CRISIS_SIGNALS].insert_one({**document, "at": moment_text(mark.at)})
