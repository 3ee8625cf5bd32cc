"""PrivacyService: a complete, readable export, and an erasure that leaves no cached copy."""

from __future__ import annotations

import json

from innertalk.application.privacy import PrivacyService
from innertalk.domain.users import Language, UserKey
from innertalk.presentation.texts import catalog
from tests.fakes.clock import FakeClock
from tests.fakes.core import build_core
from tests.fakes.models import ScriptedModel

ALICE = UserKey("bot", 1)


async def test_export_has_every_turn_in_json_and_markdown(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """Both files contain what the person wrote and what the companion answered."""
    core = build_core(model, clock)
    await core.profiles.ensure(ALICE, language=Language.RU, consent=True)
    await core.talk.reply(ALICE, "Мне сегодня тревожно")
    privacy = PrivacyService(
        store=core.storage, contexts=core.contexts, locks=core.locks, clock=clock
    )
    files = await privacy.export(ALICE, labels=catalog("export", Language.RU))
    document = json.loads(files.json)
    assert document["format"] == "innertalk-export/1"
    assert [turn["text"] for turn in document["turns"]] == [
        "Мне сегодня тревожно",
        "echo: Мне сегодня тревожно",
    ]
    assert document["profile"]["language"] == "ru"
    markdown = files.markdown.decode()
    assert "Мне сегодня тревожно" in markdown
    assert markdown.startswith("# Всё, что InnerTalk хранит о тебе")
    assert files.records == 4


async def test_erasure_removes_records_and_the_cached_context(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """After delete nothing is stored or cached: the next reply has no history or profile."""
    core = build_core(model, clock)
    await core.profiles.ensure(ALICE, language=Language.EN, consent=True)
    await core.talk.reply(ALICE, "remember this")
    privacy = PrivacyService(
        store=core.storage, contexts=core.contexts, locks=core.locks, clock=clock
    )
    assert await privacy.delete(ALICE) == 4
    assert set((await core.storage.count_user_rows(ALICE)).values()) == {0}
    assert await core.profiles.get(ALICE) is None
