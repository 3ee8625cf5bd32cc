"""Export and erasure against every storage adapter: complete, and nothing left behind."""

from __future__ import annotations

from innertalk.application.ports import Record, Storage
from innertalk.domain.users import UserKey
from innertalk.domain.wellbeing import Feedback
from innertalk.infrastructure.storage.local.storage import LocalStorage
from innertalk.infrastructure.storage.sqlite.storage import SqliteStorage
from tests.contract.records import ALICE, ALICE_ON_BOT_B, BOB, at, everything


def with_feedback(key: UserKey) -> list[Record]:
    return [*everything(key), Feedback(f"{key}:f", key, f"{key}:s1:turn-1", True, at(30))]


async def test_export_holds_every_record_of_the_person_and_no_one_else(storage: Storage) -> None:
    """export_user returns each kind of record of that person, oldest first, and only theirs."""
    await storage.write(
        [*with_feedback(ALICE), *with_feedback(BOB), *with_feedback(ALICE_ON_BOT_B)]
    )
    records = await storage.export_user(ALICE)
    assert records.profile is not None
    assert [s.id for s in records.sessions] == [f"{ALICE}:s0", f"{ALICE}:s1"]
    assert len(records.turns) == 5
    assert [t.id for t in records.turns][:2] == [f"{ALICE}:s0:turn-0", f"{ALICE}:s0:turn-1"]
    assert [m.id for m in records.moods] == [f"{ALICE}:m"]
    assert [r.id for r in records.results] == [f"{ALICE}:q"]
    assert [p.id for p in records.portraits] == [f"{ALICE}:p"]
    assert [f.id for f in records.feedback] == [f"{ALICE}:f"]
    everyone_else = {BOB, ALICE_ON_BOT_B}
    for group in (records.sessions, records.turns, records.moods, records.feedback):
        assert not {record.key for record in group} & everyone_else
    assert records.count == 1 + 2 + 5 + 1 + 1 + 1 + 1


async def test_delete_leaves_zero_rows_of_the_person(
    storage: LocalStorage | SqliteStorage,
) -> None:
    """After delete_user, every table holds zero rows of that person; others keep theirs."""
    await storage.write(
        [*with_feedback(ALICE), *with_feedback(BOB), *with_feedback(ALICE_ON_BOT_B)]
    )
    erased = await storage.delete_user(ALICE)
    assert erased == 12
    assert set((await storage.count_user_rows(ALICE)).values()) == {0}
    assert (await storage.export_user(ALICE)).count == 0
    assert (await storage.load_context(ALICE, 10)).profile is None
    assert sum((await storage.count_user_rows(BOB)).values()) == 12
    assert sum((await storage.count_user_rows(ALICE_ON_BOT_B)).values()) == 12


async def test_deleting_someone_unknown_erases_nothing(storage: Storage) -> None:
    """Erasing a person with no records is harmless and reports zero."""
    await storage.write(everything(BOB))
    assert await storage.delete_user(ALICE) == 0


async def test_retention_purges_only_old_turns(storage: Storage) -> None:
    """purge_turns_before erases older turns of everyone and nothing else."""
    await storage.write([*everything(ALICE), *everything(BOB)])
    erased = await storage.purge_turns_before(at(1.5))
    assert erased == 4  # turns 0 and 1 of each person's ended session (minutes 0 and 1)
    remaining = await storage.export_user(ALICE)
    assert [t.id for t in remaining.turns] == [f"{ALICE}:s1:turn-{n}" for n in range(3)]
    assert len(remaining.sessions) == 2
