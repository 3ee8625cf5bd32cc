"""The real bot process restarted in the middle of a questionnaire: it resumes where it was."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.bot_process import bot_process, onboard
from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram_updates import SimulatedUser


def offered(user: SimulatedUser, data: str) -> bool:
    """Whether a button with ``data`` is on one of the bot's messages to ``user``."""
    return any(
        button.get("callback_data") == data
        for message in user.messages()
        for button in message.buttons()
    )


async def test_a_questionnaire_resumes_after_the_process_restarts(tmp_path: Path) -> None:
    """Two PHQ-9 answers, SIGTERM, a new process: /tests continues at question 3 of 9."""
    async with FakeTelegram() as telegram:
        alex = telegram.user(language_code="en")
        async with bot_process(tmp_path, telegram) as bot:
            await onboard(telegram, alex)
            before = len(alex.messages())
            alex.send("/tests")
            await alex.wait_for_messages(before + 1, timeout=10)
            for data in ("qpick:phq9", "qz:phq9:0:g", "qz:phq9:0:a1", "qz:phq9:1:a2"):
                await telegram.wait_for(lambda data=data: offered(alex, data), timeout=10)
                alex.press(data)
            await telegram.wait_for(lambda: offered(alex, "qz:phq9:2:a0"), timeout=10)
            assert await bot.terminate() == 0
        async with bot_process(tmp_path, telegram):
            before = len(alex.messages())
            alex.send("/tests")
            await alex.wait_for_messages(before + 1, timeout=10)
            await telegram.wait_for(
                lambda: "question 3 of 9" in alex.messages()[-1].text, timeout=10
            )
