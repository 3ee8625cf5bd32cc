"""Reminders in the bot: enable, quiet hours, the reminder message, snooze, stop, 403."""

from __future__ import annotations

from pathlib import Path

import pytest

from innertalk.application.wellbeing.reminder_dispatch import SendOutcome
from innertalk.domain.users import Language
from tests.integration.bot_harness import running_bot


async def test_enable_quiet_send_snooze_stop_and_a_block(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """/reminders → 20:00 and quiet 22-07 stored; a typed time too; the Telegram sender
    delivers the reminder with its buttons; Snooze 1 h moves it; Stop turns it off; a
    blocked chat is UNREACHABLE."""
    async with running_bot(monkeypatch, tmp_path, RATE_LIMIT="1000/minute") as running:
        alex = running.telegram.user()
        key = running.key(alex)
        await running.consent(alex)
        alex.send("/reminders")
        await running.idle()
        assert alex.messages()[-1].text.startswith("Reminders\nOff.")
        alex.press("rem:at:2000")
        await running.idle()
        assert "every day at 20:00" in alex.messages()[-1].text
        alex.press("rem:quiet:22000700")
        await running.idle()
        settings = await running.app.services.reminders.settings(key)
        assert settings.enabled
        assert (str(settings.at), str(settings.quiet_start)) == ("20:00:00", "22:00:00")
        alex.send("/reminders")
        await running.idle()
        alex.press("rem:typed:")
        await running.idle()
        alex.send("7:45")
        await running.idle()
        assert "every day at 07:45" in alex.messages()[-1].text
        assert await running.bot.reminder_sender.send(key, Language.EN) is SendOutcome.SENT
        await running.idle()
        reminder = alex.messages()[-1]
        assert reminder.text.startswith("🔔 Time for a short check-in")
        alex.press("rem:snooze:60", message=reminder)
        await running.idle()
        assert "remind you again at" in alex.messages()[-1].text
        snoozed = await running.app.services.reminders.settings(key)
        assert snoozed.snoozed_until is not None
        alex.press("rem:checkin:", message=reminder)
        await running.idle()
        assert "How are you feeling right now?" in alex.messages()[-1].text
        alex.press("rem:stop:", message=reminder)
        await running.idle()
        assert not (await running.app.services.reminders.settings(key)).enabled
        running.telegram.block(alex.id)
        outcome = await running.bot.reminder_sender.send(key, Language.EN)
        assert outcome is SendOutcome.UNREACHABLE
