"""Admin alerts in Telegram: a short localized line (kind and subject, never anything a person
wrote) to every admin's private chat."""

from __future__ import annotations

import asyncio

import structlog
from aiogram import Bot

from innertalk.application.operations.alerts import AlertKind
from innertalk.application.profiles import ProfileService
from innertalk.domain.users import Language, UserKey
from innertalk.presentation.telegram.texts.bot import has_text, label, say

log = structlog.get_logger(__name__)


class TelegramAlertChannel:
    """An ``AlertChannel`` that writes to the admins (each in their own profile's language)."""

    def __init__(
        self, bot: Bot, admin_ids: frozenset[int], profiles: ProfileService, bot_id: str
    ) -> None:
        self._bot = bot
        self._admins = sorted(admin_ids)
        self._profiles = profiles
        self._bot_id = bot_id

    async def send(self, kind: AlertKind, subject: str) -> None:
        results = await asyncio.gather(
            *(self._send_to(admin, kind, subject) for admin in self._admins),
            return_exceptions=True,
        )
        failed = [result for result in results if isinstance(result, Exception)]
        if failed:
            log.warning(
                "telegram.alert_undelivered", admins=len(failed), error=type(failed[0]).__name__
            )

    async def _send_to(self, admin: int, kind: AlertKind, subject: str) -> None:
        profile = await self._profiles.get(UserKey(self._bot_id, admin))
        language = profile.language if profile is not None else Language.EN
        key = f"alert_kind_{kind.value}"
        described = label(language, key) if has_text(language, key) else kind.value
        await self._bot.send_message(
            admin, say(language, "alert", kind=described, subject=subject or "—")
        )
