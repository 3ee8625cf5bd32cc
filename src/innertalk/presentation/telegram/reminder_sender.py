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
    """``SENT``; ``UNREACHABLE`` on 403 (blocked, deactivated); ``FAILED`` otherwise.

    Each reminder goes through the bot the person talks to (``key.bot_id``): with several bots
    in one process, the others are added with ``add_bot``. A person of a bot not served here
    (an API person, a bot whose token failed) is ``FAILED``: tried again later.
    """

    def __init__(self, bot: Bot) -> None:
        self._bots = {str(bot.id): bot}

    def add_bot(self, bot: Bot) -> None:
        self._bots[str(bot.id)] = bot

    async def send(self, key: UserKey, language: Language) -> SendOutcome:
        bot = self._bots.get(key.bot_id)
        if bot is None:
            log.warning("reminders.no_bot", bot_id=key.bot_id)
            return SendOutcome.FAILED
        try:
            await bot.send_message(
                key.user_id, say(language, "reminder"), reply_markup=kb.reminder(language)
            )
        except TelegramForbiddenError:
            return SendOutcome.UNREACHABLE
        except (TelegramAPIError, OSError, TimeoutError) as error:
            log.warning("reminders.send_failed", error=type(error).__name__)
            return SendOutcome.FAILED
        return SendOutcome.SENT
