"""The Telegram ``ReminderSender``: the localized check-in reminder with its buttons."""

from __future__ import annotations

import structlog
from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError

from innertalk.application.wellbeing.reminder_dispatch import SendOutcome
from innertalk.domain.users import Language, UserKey
from innertalk.presentation.telegram.keyboards import wellbeing as kb
from innertalk.presentation.telegram.texts.wellbeing import say

log = structlog.get_logger(__name__)


class TelegramReminderSender:
    """``SENT``; ``UNREACHABLE`` on 403 (blocked, deactivated); ``FAILED`` otherwise."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(self, key: UserKey, language: Language) -> SendOutcome:
        try:
            await self._bot.send_message(
                key.user_id, say(language, "reminder"), reply_markup=kb.reminder(language)
            )
        except TelegramForbiddenError:
            return SendOutcome.UNREACHABLE
        except (TelegramAPIError, OSError, TimeoutError) as error:
            log.warning("reminders.send_failed", error=type(error).__name__)
            return SendOutcome.FAILED
        return SendOutcome.SENT
