"""The mood diary and Progress in the bot: check-in with tags and a note, cooldown, chart."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.bot_harness import running_bot

PNG = b"\x89PNG\r\n\x1a\n"


async def test_check_in_with_tags_and_note_is_stored_then_cooldown(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Score → two tags toggled (one untoggled) → Done → a typed note: stored as chosen; a
    second check-in within MOOD_COOLDOWN gets the kind message with minutes and a time."""
    async with running_bot(monkeypatch, tmp_path) as running:
        alex = running.telegram.user()
        await running.consent(alex)
        alex.send("📓 Diary")
        await running.telegram.wait_for(lambda: "Choose from 1" in alex.messages()[-1].text)
        alex.press("md:score:7:")
        await running.telegram.wait_for(lambda: "feelings fit" in alex.messages()[-1].text)
        for tag in ("calm", "tired", "sad"):
            alex.press(f"md:tag:7:{tag}")
            await running.idle()
        alex.press("md:tag:7:sad")
        await running.idle()
        assert "✓ 😌 calm" in [b["text"] for b in alex.messages()[-1].buttons()]
        alex.press("md:tags_done:7:")
        await running.telegram.wait_for(lambda: "add a few words" in alex.messages()[-1].text)
        alex.send("a long day at work")
        await running.telegram.wait_for(lambda: "Saved: 7/10" in alex.messages()[-1].text)
        assert "😌 calm, 😴 tired" in alex.messages()[-1].text
        await running.app.storage.flush()
        [entry] = await running.app.storage.moods(running.key(alex), 10)
        assert (entry.score, entry.tags, entry.note) == (
            7,
            ("calm", "tired"),
            "a long day at work",
        )
        alex.send("/mood")
        await running.telegram.wait_for(
            lambda: "checked in not long ago" in alex.messages()[-1].text
        )
        assert "120 min" in alex.messages()[-1].text
        assert await running.turns(alex) == []  # the note never reached the conversation


async def test_progress_shows_statistics_and_a_chart_photo(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """/progress: count, average, latest, trend, streak and top feelings, then a PNG chart with
    30/90-day buttons; the 90-day button sends another chart."""
    async with running_bot(monkeypatch, tmp_path, MOOD_COOLDOWN="0") as running:
        alex = running.telegram.user(language_code="ru")
        await running.consent(alex)
        for score in (4, 6):
            await running.app.services.diary.record(running.key(alex), score, tags=["calm"])
        alex.send("/progress")
        await running.telegram.wait_for(lambda: alex.messages()[-1].kind == "photo")
        text, photo = alex.messages()[-2:]
        assert "Записей: 2" in text.text
        assert "5.0/10" in text.text
        assert photo.file is not None
        assert photo.file.data.startswith(PNG)
        alex.press("chart:90")
        await running.telegram.wait_for(
            lambda: sum(m.kind == "photo" for m in alex.messages()) == 2
        )
        assert alex.messages()[-1].text.endswith("90 дн.")
