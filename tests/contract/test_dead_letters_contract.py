"""Dead letters against every storage adapter: noted, listed newest first, erased with the
person."""

from __future__ import annotations

from innertalk.application.ports import DeadLetter, Storage
from tests.contract.records import ALICE, BOB, at


def letter(key: object, record_id: str, minutes: float) -> DeadLetter:
    assert key in (ALICE, BOB)
    return DeadLetter(ALICE if key == ALICE else BOB, record_id, "Turn", "UnicodeEncodeError",
                      at(minutes))  # fmt: skip


async def test_dead_letters_are_listed_newest_first(storage: Storage) -> None:
    """dead_letters returns what dead_letter noted, newest first, at most ``limit``."""
    await storage.dead_letter([letter(ALICE, "t1", 1), letter(BOB, "t2", 2)])
    await storage.dead_letter([letter(ALICE, "t3", 3)])
    listed = await storage.dead_letters(2)
    assert [(x.record_id, x.key, x.kind, x.error) for x in listed] == [
        ("t3", ALICE, "Turn", "UnicodeEncodeError"),
        ("t2", BOB, "Turn", "UnicodeEncodeError"),
    ]
    assert listed[0].failed_at == at(3)


async def test_delete_user_erases_the_persons_dead_letters(storage: Storage) -> None:
    """Dead letters carry a person's ids, so /delete erases them with everything else."""
    await storage.dead_letter([letter(ALICE, "t1", 1), letter(BOB, "t2", 2)])
    await storage.delete_user(ALICE)
    assert [x.record_id for x in await storage.dead_letters(10)] == ["t2"]
