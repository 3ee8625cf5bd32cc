"""Forgetting chosen memory (/forget) on every storage adapter: summaries and results."""

from __future__ import annotations

from dataclasses import replace

from innertalk.application.ports import Storage
from tests.contract.records import ALICE, BOB, at, result, session


async def test_forget_summaries_clears_only_that_persons_summaries(storage: Storage) -> None:
    """Every summary of the person becomes NULL (counted); another person's stays."""
    mine = replace(session("s1"), ended_at=at(5), summary="we talked about the sea")
    other = replace(session("s2", BOB), ended_at=at(5), summary="bob's summary")
    await storage.write([mine, other])
    assert await storage.forget_summaries(ALICE) == 1
    assert [s.summary for s in await storage.sessions(ALICE, 10)] == [None]
    assert (await storage.load_context(ALICE, 10)).previous_summary is None
    assert [s.summary for s in await storage.sessions(BOB, 10)] == ["bob's summary"]
    assert await storage.forget_summaries(ALICE) == 0


async def test_forget_summaries_clears_an_open_sessions_rolling_summary(storage: Storage) -> None:
    """The rolling summary of an open session's folded turns is forgotten too."""
    await storage.write([session("s1").folded("turn-9", "they talked about the sea")])
    assert await storage.forget_summaries(ALICE) == 1
    context = await storage.load_context(ALICE, 10)
    assert context.session is not None
    assert context.session.fold_summary is None
    assert await storage.forget_summaries(ALICE) == 0


async def test_delete_results_removes_only_that_persons_results(storage: Storage) -> None:
    """Every questionnaire result of the person is deleted (counted); another's stays."""
    await storage.write([result("r1"), result("r2"), result("r3", BOB)])
    assert await storage.delete_results(ALICE) == 2
    assert await storage.questionnaire_results(ALICE, 10) == []
    assert len(await storage.questionnaire_results(BOB, 10)) == 1
