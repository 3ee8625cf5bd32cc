"""The durable update inbox: every adapter (local, SQLite, MongoDB wire fake, real Redis),
clear and sealed, obeys one contract."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

from innertalk.application.inbox import InboxUnavailableError, UpdateInbox
from innertalk.infrastructure.crypto import FieldCipher, generate_key, parse_key
from innertalk.infrastructure.inbox_seal import PayloadSeal
from innertalk.infrastructure.redis.connection import connect_redis
from innertalk.infrastructure.redis.inbox import RedisUpdateInbox
from innertalk.infrastructure.storage.local.inbox import LocalUpdateInbox
from innertalk.infrastructure.storage.mongo.inbox import COLLECTION, MongoUpdateInbox
from innertalk.infrastructure.storage.sqlite.inbox import SqliteUpdateInbox
from innertalk.infrastructure.storage.sqlite.storage import SqliteStorage
from tests.fakes.mongo_server import mongo_server

Opener = Callable[[Path, str, PayloadSeal], AbstractAsyncContextManager[UpdateInbox]]
KEY = parse_key(generate_key())


@asynccontextmanager
async def local_inbox(_tmp: Path, _redis: str, _seal: PayloadSeal) -> AsyncIterator[UpdateInbox]:
    yield LocalUpdateInbox()


@asynccontextmanager
async def sqlite_inbox(tmp: Path, _redis: str, seal: PayloadSeal) -> AsyncIterator[UpdateInbox]:
    path = tmp / "inbox.db"
    storage = await SqliteStorage.open(path)
    await storage.migrate()
    await storage.close()
    inbox = await SqliteUpdateInbox.open(path, seal)
    try:
        yield inbox
    finally:
        await inbox.close()


@asynccontextmanager
async def mongo_inbox(_tmp: Path, _redis: str, seal: PayloadSeal) -> AsyncIterator[UpdateInbox]:
    async with mongo_server() as server:
        inbox = await MongoUpdateInbox.open(server.url(), "innertalk", seal)
        try:
            yield inbox
        finally:
            await inbox.close()


@asynccontextmanager
async def redis_inbox(_tmp: Path, redis_url: str, seal: PayloadSeal) -> AsyncIterator[UpdateInbox]:
    client = connect_redis(redis_url)
    try:
        yield RedisUpdateInbox(client, seal)
    finally:
        await client.aclose()


OPENERS = [local_inbox, sqlite_inbox, mongo_inbox, redis_inbox]


@pytest.fixture(
    params=[(o, s) for o in OPENERS for s in (False, True)],
    ids=[f"{o.__name__}{'+sealed' if s else ''}" for o in OPENERS for s in (False, True)],
)
async def inbox(
    request: pytest.FixtureRequest, tmp_path: Path, redis_url: str
) -> AsyncIterator[UpdateInbox]:
    opener, sealed = request.param
    seal = PayloadSeal(FieldCipher([KEY]) if sealed else None)
    async with opener(tmp_path, redis_url, seal) as opened:
        yield opened


def _bot() -> str:
    return f"bot{uuid.uuid4().hex[:8]}"  # a bot of its own: the Redis server is shared


async def test_filed_updates_come_back_oldest_first(inbox: UpdateInbox) -> None:
    """``pending`` returns what was filed, payloads intact, lowest update id first."""
    bot = _bot()
    assert await inbox.file(bot, [(11, b'{"a":"\xd0\xbf"}'), (12, b"{}")]) == {11, 12}
    assert await inbox.file(bot, [(13, b'{"b":1}')]) == {13}
    entries = await inbox.pending(bot, 10)
    assert [(e.update_id, e.payload, e.answered) for e in entries] == [
        (11, b'{"a":"\xd0\xbf"}', False),
        (12, b"{}", False),
        (13, b'{"b":1}', False),
    ]
    assert [e.update_id for e in await inbox.pending(bot, 2)] == [11, 12]


async def test_filing_twice_keeps_one_entry_and_reports_only_the_new(inbox: UpdateInbox) -> None:
    """A redelivered update is not new and does not replace the entry already filed."""
    bot = _bot()
    await inbox.file(bot, [(5, b"first")])
    await inbox.answered(bot, 5)
    assert await inbox.file(bot, [(5, b"again"), (6, b"six")]) == {6}
    entries = await inbox.pending(bot, 10)
    assert [(e.update_id, e.payload, e.answered) for e in entries] == [
        (5, b"first", True),
        (6, b"six", False),
    ]


async def test_done_removes_only_that_update(inbox: UpdateInbox) -> None:
    """``done`` takes one entry out; other bots' entries are never seen or touched."""
    bot, other = _bot(), _bot()
    await inbox.file(bot, [(1, b"1"), (2, b"2")])
    await inbox.file(other, [(1, b"o")])
    await inbox.done(bot, 1)
    await inbox.done(bot, 99)  # unknown: nothing happens
    assert [e.update_id for e in await inbox.pending(bot, 10)] == [2]
    assert [e.payload for e in await inbox.pending(other, 10)] == [b"o"]


async def test_a_done_update_can_be_filed_again(inbox: UpdateInbox) -> None:
    """After ``done`` the id is free: the inbox is not the long-term dedupe (that is 24 h)."""
    bot = _bot()
    await inbox.file(bot, [(7, b"x")])
    await inbox.answered(bot, 7)
    await inbox.done(bot, 7)
    assert await inbox.file(bot, [(7, b"y")]) == {7}
    assert [(e.payload, e.answered) for e in await inbox.pending(bot, 10)] == [(b"y", False)]


async def test_sqlite_entries_survive_reopening_and_are_sealed(tmp_path: Path) -> None:
    """A filed update is on disk (another connection reads it) and, with a key, unreadable."""
    seal = PayloadSeal(FieldCipher([KEY]))
    async with sqlite_inbox(tmp_path, "", seal) as inbox:
        await inbox.file("b", [(1, b'{"text":"my secret words"}')])
    assert b"my secret words" not in (tmp_path / "inbox.db").read_bytes()
    again = await SqliteUpdateInbox.open(tmp_path / "inbox.db", seal)
    try:
        assert [e.payload for e in await again.pending("b", 5)] == [b'{"text":"my secret words"}']
    finally:
        await again.close()


async def test_sqlite_without_the_migration_is_refused(tmp_path: Path) -> None:
    """A database without the ``update_inbox`` table: a clear error, not a late failure."""
    with pytest.raises(InboxUnavailableError, match="migrate"):
        await SqliteUpdateInbox.open(tmp_path / "empty.db")


async def test_mongo_stores_sealed_payloads() -> None:
    """With a key the collection holds ciphertext, never the update's text."""
    async with mongo_server() as server:
        inbox = await MongoUpdateInbox.open(
            server.url(), "innertalk", PayloadSeal(FieldCipher([KEY]))
        )
        try:
            await inbox.file("b", [(1, b'{"text":"my secret words"}')])
            raw = await inbox._entries.database[COLLECTION].find_one({})
            assert raw is not None
            assert "secret" not in str(raw)
        finally:
            await inbox.close()


async def test_redis_down_fails_closed() -> None:
    """Redis unreachable: every call raises ``InboxUnavailableError`` within the timeout."""
    client = connect_redis("redis://127.0.0.1:9/0")
    inbox = RedisUpdateInbox(client, timeout=1.0)
    try:
        with pytest.raises(InboxUnavailableError):
            await inbox.file("b", [(1, b"x")])
        with pytest.raises(InboxUnavailableError):
            await inbox.pending("b", 1)
    finally:
        await client.aclose()


Reopener = Callable[[PayloadSeal], AbstractAsyncContextManager[UpdateInbox]]
"""The same stored inbox opened with another seal (a restart with other keys)."""


@asynccontextmanager
async def _store(kind: str, tmp: Path, redis_url: str) -> AsyncIterator[Reopener]:
    """One store of ``kind``; yields how to open it with a given seal."""
    if kind == "local":
        shared = LocalUpdateInbox()

        @asynccontextmanager
        async def local(seal: PayloadSeal) -> AsyncIterator[UpdateInbox]:
            shared.seal = seal  # the local inbox keeps its payloads as sealed by the last seal
            yield shared

        yield local
    elif kind == "mongo":
        async with mongo_server() as server:

            @asynccontextmanager
            async def mongo(seal: PayloadSeal) -> AsyncIterator[UpdateInbox]:
                inbox = await MongoUpdateInbox.open(server.url(), "innertalk", seal)
                try:
                    yield inbox
                finally:
                    await inbox.close()

            yield mongo
    else:
        opener = sqlite_inbox if kind == "sqlite" else redis_inbox
        yield lambda seal: opener(tmp, redis_url, seal)


@pytest.mark.parametrize("kind", ["local", "sqlite", "mongo", "redis"])
async def test_reseal_lets_the_old_key_go(kind: str, tmp_path: Path, redis_url: str) -> None:
    """Filed under key A, resealed after rotating to B (A previous): B alone opens every entry,
    in the same order and answered marks; a second reseal rewrites nothing."""
    old, new = parse_key(generate_key()), parse_key(generate_key())
    bot, other = _bot(), _bot()
    async with _store(kind, tmp_path, redis_url) as reopen:
        async with reopen(PayloadSeal(FieldCipher([old]))) as inbox:
            await inbox.file(bot, [(1, b'{"a":"\xd0\xbf"}'), (2, b"{}"), (3, b'{"c":3}')])
            await inbox.file(other, [(1, b"other")])
            await inbox.answered(bot, 1)
        async with reopen(PayloadSeal(FieldCipher([new]))) as inbox:
            assert not any(e.opened for e in await inbox.pending(bot, 10))
        async with reopen(PayloadSeal(FieldCipher([new, old]))) as inbox:
            assert await inbox.reseal(bot) == 3
            assert await inbox.reseal(bot) == 0
        async with reopen(PayloadSeal(FieldCipher([new]))) as inbox:
            entries = await inbox.pending(bot, 10)
            assert [(e.update_id, e.payload, e.answered, e.opened) for e in entries] == [
                (1, b'{"a":"\xd0\xbf"}', True, True),
                (2, b"{}", False, True),
                (3, b'{"c":3}', False, True),
            ]
            assert [e.opened for e in await inbox.pending(other, 10)] == [False]  # not its bot
            await inbox.done(bot, 2)  # still found after the entry was rewritten
            assert [e.update_id for e in await inbox.pending(bot, 10)] == [1, 3]


@pytest.mark.parametrize("kind", ["local", "sqlite", "mongo", "redis"])
async def test_reseal_seals_clear_entries_once_a_key_is_set(
    kind: str, tmp_path: Path, redis_url: str
) -> None:
    """Entries filed without a key are sealed by ``reseal`` once one is configured; without a
    key ``reseal`` changes nothing."""
    bot = _bot()
    async with _store(kind, tmp_path, redis_url) as reopen:
        async with reopen(PayloadSeal()) as inbox:
            await inbox.file(bot, [(1, b'{"text":"clear"}')])
            assert await inbox.reseal(bot) == 0
        async with reopen(PayloadSeal(FieldCipher([KEY]))) as inbox:
            assert await inbox.reseal(bot) == 1
            assert [e.payload for e in await inbox.pending(bot, 10)] == [b'{"text":"clear"}']
        async with reopen(PayloadSeal()) as inbox:  # now sealed: no key cannot open it
            assert [e.opened for e in await inbox.pending(bot, 10)] == [False]
