"""Operator statistics and mailing audiences in MongoDB, mixed into ``MongoStorage``.

The same numbers as SQLite's three statements, from four aggregations: people (profiles),
activity (records), messages (turns) and per-variant outcomes (turns joined to feedback).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from innertalk.domain.stats import BotStats, ModelSpend, Segment, VariantOutcome
from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.mongo.documents import (
    FEEDBACK,
    MOOD,
    PROFILES,
    RECORDS,
    RESULT,
    SESSION,
    TURNS,
    MongoCodec,
)
from innertalk.infrastructure.storage.mongo.values import Document, moment_text
from innertalk.infrastructure.storage.sealing import weekly_moods


def _count(condition: Any) -> Document:
    """``$sum`` of 1 for each document where ``condition`` holds."""
    return {"$sum": {"$cond": [condition, 1, 0]}}


def _since(field: str, moment: str) -> Document:
    return {"$gte": [f"${field}", moment]}


def _people(bot_id: str, ago: dict[str, str]) -> list[Document]:
    return [
        {"$match": {"bot_id": bot_id}},
        {
            "$group": {
                "_id": None,
                "users": {"$sum": 1},
                "consented": _count({"$ne": ["$consent_at", None]}),
                "new_24h": _count(_since("created_at", ago["day"])),
                "new_7d": _count(_since("created_at", ago["week"])),
                "dau": _count(_since("last_active_at", ago["day"])),
                "wau": _count(_since("last_active_at", ago["week"])),
                "mau": _count(_since("last_active_at", ago["month"])),
                "unreachable": _count({"$eq": ["$active", False]}),
                "blocked": _count({"$eq": ["$blocked", True]}),
            }
        },
    ]


def _activity(bot_id: str, ago: dict[str, str]) -> list[Document]:
    return [
        {"$match": {"bot_id": bot_id, "kind": {"$in": [SESSION, RESULT, MOOD]}}},
        {
            "$group": {
                "_id": None,
                "sessions": _count({"$eq": ["$kind", SESSION]}),
                "questionnaires": _count({"$eq": ["$kind", RESULT]}),
            }
        },
    ]


def _spend(bot_id: str, since: str) -> list[Document]:
    """Tokens of the replies since ``since`` by provider and model."""
    replies = {"bot_id": bot_id, "role": "assistant", "provider": {"$ne": ""}}
    return [
        {"$match": {**replies, "created_at": {"$gte": since}}},
        {
            "$group": {
                "_id": {"provider": "$provider", "model": "$model"},
                "input_tokens": {"$sum": "$input_tokens"},
                "output_tokens": {"$sum": "$output_tokens"},
            }
        },
        {"$sort": {"_id.provider": ASCENDING, "_id.model": ASCENDING}},
    ]


def _variants(bot_id: str) -> list[Document]:
    """Each reply once per verdict on it (once without one), like SQLite's LEFT JOIN."""
    verdicts = {
        "$filter": {
            "input": "$verdicts",
            "cond": {
                "$and": [{"$eq": ["$$this.kind", FEEDBACK]}, {"$eq": ["$$this.bot_id", bot_id]}]
            },
        }
    }
    return [
        {"$match": {"bot_id": bot_id, "role": "assistant", "variant": {"$ne": ""}}},
        {
            "$lookup": {
                "from": RECORDS,
                "localField": "id",
                "foreignField": "turn_id",
                "as": "verdicts",
            }
        },
        {"$addFields": {"verdicts": verdicts}},
        {"$unwind": {"path": "$verdicts", "preserveNullAndEmptyArrays": True}},
        {
            "$group": {
                "_id": "$variant",
                "replies": {"$sum": 1},
                "latency": {"$avg": {"$cond": [{"$gt": ["$latency_ms", 0]}, "$latency_ms", None]}},
                "input_tokens": {"$sum": "$input_tokens"},
                "output_tokens": {"$sum": "$output_tokens"},
                "helpful": _count({"$eq": ["$verdicts.helpful", True]}),
                "not_helpful": _count({"$eq": ["$verdicts.helpful", False]}),
            }
        },
        {"$sort": {"_id": ASCENDING}},
    ]


class MongoStatsStore:
    """``StatsStore`` over ``MongoStorage``'s database."""

    _db: AsyncDatabase[Document]
    codec: MongoCodec

    async def _aggregate(self, collection: str, pipeline: list[Document]) -> list[Document]:
        cursor = await self._db[collection].aggregate(pipeline)
        return await cursor.to_list()

    async def bot_stats(self, bot_id: str, now: datetime) -> BotStats:
        days = {"day": 1, "week": 7, "fortnight": 14, "month": 30}
        ago = {name: moment_text(now - timedelta(days=n)) for name, n in days.items()}
        people = next(iter(await self._aggregate(PROFILES, _people(bot_id, ago))), {})
        activity = next(iter(await self._aggregate(RECORDS, _activity(bot_id, ago))), {})
        messages = await self._db[TURNS].count_documents({"bot_id": bot_id, "role": "user"})
        variants = await self._aggregate(TURNS, _variants(bot_id))
        spend = await self._aggregate(TURNS, _spend(bot_id, ago["day"]))
        this_week, last_week = await self._weekly_moods(bot_id, ago)
        return BotStats(
            users=people.get("users", 0),
            consented=people.get("consented", 0),
            new_24h=people.get("new_24h", 0),
            new_7d=people.get("new_7d", 0),
            dau=people.get("dau", 0),
            wau=people.get("wau", 0),
            mau=people.get("mau", 0),
            messages=messages,
            sessions=activity.get("sessions", 0),
            questionnaires=activity.get("questionnaires", 0),
            mood_this_week=_rounded(this_week),
            mood_last_week=_rounded(last_week),
            unreachable=people.get("unreachable", 0),
            blocked=people.get("blocked", 0),
            variants=tuple(
                VariantOutcome(
                    variant=row["_id"],
                    replies=row["replies"],
                    avg_latency_ms=_rounded(row["latency"]),
                    input_tokens=row["input_tokens"],
                    output_tokens=row["output_tokens"],
                    helpful=row["helpful"],
                    not_helpful=row["not_helpful"],
                )
                for row in variants
            ),
            spend_24h=tuple(
                ModelSpend(
                    row["_id"]["provider"],
                    row["_id"]["model"],
                    row["input_tokens"],
                    row["output_tokens"],
                )
                for row in spend
            ),
        )

    async def _weekly_moods(
        self, bot_id: str, ago: dict[str, str]
    ) -> tuple[float | None, float | None]:
        """Scores may be sealed: averaged after opening, never in the aggregation."""
        query = {"bot_id": bot_id, "kind": MOOD, "at": {"$gte": ago["fortnight"]}}
        fields = {"user_id": 1, "score": 1, "at": 1}
        cursor = self._db[RECORDS].find(query, fields)
        entries = [
            (UserKey(bot_id, int(doc["user_id"])), doc["score"], str(doc["at"]))
            async for doc in cursor
        ]
        return await asyncio.to_thread(weekly_moods, self.codec.seal, entries, ago["week"])

    async def audience(self, bot_id: str, segment: Segment, now: datetime) -> list[UserKey]:
        query: Document = {
            "bot_id": bot_id,
            "consent_at": {"$ne": None},
            "active": True,
            "blocked": False,
        }
        if segment in (Segment.RUSSIAN, Segment.ENGLISH):
            query["language"] = segment.value
        if segment is Segment.ACTIVE_7D:
            query["last_active_at"] = {"$gte": moment_text(now - timedelta(days=7))}
        cursor = self._db[PROFILES].find(query, {"user_id": 1}, sort=[("user_id", ASCENDING)])
        return [UserKey(bot_id, int(doc["user_id"])) async for doc in cursor]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)
