"""Mailing jobs as a collection (``mailing_jobs``) in the MongoDB database.

Documents are ``{_id: <job id>, bot_id, segment, text, created_by, created_at, state, total,
sent, failed, unreachable, cursor, started_at, finished_at, cancel_requested, claim,
leased_until}``; ``text`` is sealed with ENCRYPTION_KEY when set. Writes use ``w: majority,
j: true``. A claim is one ``find_one_and_update`` (atomic on one document), so two processes
never lease the same job; every later write names its claim. The client's ``timeoutMS``
bounds every call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from pymongo import ASCENDING, DESCENDING, AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError, PyMongoError
from pymongo.write_concern import WriteConcern

from innertalk.application.operations.mailing_jobs import MailingJobsUnavailableError
from innertalk.domain.mailings import MailingJob, MailingProgress, MailingState
from innertalk.domain.stats import Segment
from innertalk.infrastructure.outbox_seal import BodySeal
from innertalk.infrastructure.storage.mongo.client import client_options, silence_driver_debug_log

Document = dict[str, Any]
COLLECTION = "mailing_jobs"
_NEVER = datetime(1970, 1, 1, tzinfo=UTC)
_OPEN = [MailingState.PENDING.value, MailingState.SENDING.value]
_T = TypeVar("_T")


class MongoMailingJobs:
    """``MailingJobs`` in a collection; ``open`` it from a URL, or wrap a collection."""

    def __init__(
        self,
        collection: AsyncCollection[Document],
        seal: BodySeal | None = None,
        *,
        client: AsyncMongoClient[Document] | None = None,
    ) -> None:
        """``client``: closed by ``close`` (a client of the store's own)."""
        self._jobs = collection.with_options(write_concern=WriteConcern(w="majority", j=True))
        self._seal = seal or BodySeal(purpose="mailing")
        self._client = client

    @classmethod
    async def open(cls, url: str, database: str, seal: BodySeal | None = None) -> MongoMailingJobs:
        """A store with a client of its own on ``database``, its indexes created."""
        silence_driver_debug_log()
        client: AsyncMongoClient[Document] = AsyncMongoClient(url, **client_options(url))
        jobs = cls(client[database][COLLECTION], seal, client=client)
        try:
            await _guarded(
                jobs._jobs.create_index(
                    [("bot_id", ASCENDING), ("created_at", DESCENDING)], name="jobs_by_bot"
                )
            )
        except BaseException:
            await client.close()
            raise
        return jobs

    async def add(self, job: MailingJob) -> None:
        await self._insert(job, MailingState.PENDING, MailingProgress(), None, None)

    async def record(self, job: MailingJob) -> None:
        await self._insert(job, job.state, job.progress, job.started_at, job.finished_at)

    async def _insert(
        self,
        job: MailingJob,
        state: MailingState,
        progress: MailingProgress,
        started_at: datetime | None,
        finished_at: datetime | None,
    ) -> None:
        document = {
            "_id": job.id,
            "bot_id": job.bot_id,
            "segment": job.segment.value,
            "text": self._seal.seal(job.id, job.text.encode("utf-8")),
            "created_by": job.created_by,
            "created_at": job.created_at,
            "state": state.value,
            **_counts(progress),
            "started_at": started_at,
            "finished_at": finished_at,
            "cancel_requested": False,
            "claim": "",
            "leased_until": _NEVER,
        }
        try:
            await self._jobs.insert_one(document)
        except DuplicateKeyError:
            return  # added already: a retried write
        except PyMongoError as error:
            raise MailingJobsUnavailableError(type(error).__name__) from None

    async def get(self, job_id: str) -> MailingJob | None:
        document = await _guarded(self._jobs.find_one({"_id": job_id}))
        return None if document is None else self._job(document)

    async def history(self, bots: Sequence[str] | None, limit: int) -> list[MailingJob]:
        query: Document = {} if bots is None else {"bot_id": {"$in": list(bots)}}
        cursor = self._jobs.find(query).sort([("created_at", DESCENDING), ("_id", DESCENDING)])
        return [self._job(doc) for doc in await _guarded(cursor.limit(limit).to_list())]

    async def claim(
        self, now: datetime, lease: timedelta, *, bots: Sequence[str], claim: str
    ) -> MailingJob | None:
        ready = {
            "bot_id": {"$in": list(bots)},
            "state": {"$in": _OPEN},
            "leased_until": {"$lte": now},
        }
        # started_at is set once, by a second write on a first claim (the fake wire server
        # and old servers have no update pipelines)
        document = await _guarded(
            self._jobs.find_one_and_update(
                ready,
                {"$set": {"state": "sending", "claim": claim, "leased_until": now + lease}},
                sort=[("created_at", ASCENDING), ("_id", ASCENDING)],
                return_document=ReturnDocument.AFTER,
            )
        )
        if document is None:
            return None
        if document["started_at"] is None:
            document["started_at"] = now
            await _guarded(
                self._jobs.update_one(
                    {"_id": document["_id"], "started_at": None}, {"$set": {"started_at": now}}
                )
            )
        return self._job(document)

    async def checkpoint(
        self, job_id: str, claim: str, progress: MailingProgress, *, leased_until: datetime
    ) -> MailingJob | None:
        document = await _guarded(
            self._jobs.find_one_and_update(
                _held(job_id, claim),
                {"$set": {**_counts(progress), "leased_until": leased_until}},
                return_document=ReturnDocument.AFTER,
            )
        )
        return None if document is None else self._job(document)

    async def finish(
        self,
        job_id: str,
        claim: str,
        progress: MailingProgress,
        *,
        state: MailingState,
        at: datetime,
    ) -> bool:
        change = {
            **_counts(progress),
            "state": state.value,
            "finished_at": at,
            "claim": "",
            "leased_until": _NEVER,
        }
        result = await _guarded(self._jobs.update_one(_held(job_id, claim), {"$set": change}))
        return result.modified_count > 0

    async def cancel(self, job_id: str, at: datetime) -> MailingJob | None:
        pending = {"_id": job_id, "state": MailingState.PENDING.value}
        stop = {"$set": {"state": MailingState.CANCELLED.value, "finished_at": at}}
        await _guarded(self._jobs.update_one(pending, stop))
        sending = {"_id": job_id, "state": MailingState.SENDING.value}
        await _guarded(self._jobs.update_one(sending, {"$set": {"cancel_requested": True}}))
        return await self.get(job_id)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()

    def _job(self, doc: Document) -> MailingJob:
        job_id = str(doc["_id"])
        text = self._seal.open(job_id, str(doc["text"]))
        return MailingJob(
            id=job_id,
            bot_id=str(doc["bot_id"]),
            segment=Segment(doc["segment"]),
            text="" if text is None else text.decode("utf-8"),
            created_by=str(doc["created_by"]),
            created_at=_utc(doc["created_at"]),
            state=MailingState(doc["state"]),
            progress=MailingProgress(
                int(doc["total"]),
                int(doc["sent"]),
                int(doc["failed"]),
                int(doc["unreachable"]),
                int(doc["cursor"]),
            ),
            started_at=None if doc["started_at"] is None else _utc(doc["started_at"]),
            finished_at=None if doc["finished_at"] is None else _utc(doc["finished_at"]),
            cancel_requested=bool(doc["cancel_requested"]),
            claim=str(doc["claim"]),
            opened=text is not None,
        )


def _counts(progress: MailingProgress) -> Document:
    p = progress
    return {
        "total": p.total,
        "sent": p.sent,
        "failed": p.failed,
        "unreachable": p.unreachable,
        "cursor": p.cursor,
    }


def _held(job_id: str, claim: str) -> Document:
    return {"_id": job_id, "claim": claim, "state": MailingState.SENDING.value}


def _utc(moment: datetime) -> datetime:
    """PyMongo returns naive UTC datetimes (the client is not ``tz_aware``)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _guarded(call: Awaitable[_T]) -> _T:
    try:
        return await call
    except PyMongoError as error:
        raise MailingJobsUnavailableError(type(error).__name__) from None
