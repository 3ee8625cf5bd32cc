"""What the /admin menu keeps between an operator's steps, and the mailing it runs.

One ``AdminConsole`` per bot (in the dispatcher's data as ``admin_console``, from
``build_dispatcher``). It remembers what each admin was asked for (a mailing's text, a person's
id), the previewed mailing waiting for confirmation, and the one mailing running in the
background, whose progress is shown by editing one status message at most every
``progress_interval`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from enum import StrEnum

import structlog
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError

from innertalk.application.operations.admin import AdminService, MailingBusyError, MailingReport
from innertalk.application.ports import Clock
from innertalk.application.wellbeing.reminder_dispatch import SendOutcome
from innertalk.domain.stats import Segment
from innertalk.domain.users import Language, UserKey
from innertalk.presentation.telegram.texts.admin import report_text, say
from innertalk.presentation.telegram.transport.sender import Sender

log = structlog.get_logger(__name__)

PROGRESS_INTERVAL = 2.0


class Awaiting(StrEnum):
    """What an admin's next plain message is."""

    MAIL_TEXT = "mail_text"
    USER_ID = "user_id"


@dataclass(frozen=True, slots=True)
class Draft:
    """A mailing previewed and waiting for Send or Cancel."""

    segment: Segment
    html: str
    count: int


class TelegramMessenger:
    """``Messenger`` over the bot's own sending path (split parts, 429s waited out)."""

    def __init__(self, sender: Sender) -> None:
        self._sender = sender

    async def send_text(self, key: UserKey, text: str) -> SendOutcome:
        try:
            await self._sender.html(key.user_id, text)
        except TelegramForbiddenError:
            return SendOutcome.UNREACHABLE
        except TelegramAPIError as error:
            log.info("admin.mailing_not_delivered", error=type(error).__name__)
            return SendOutcome.FAILED
        return SendOutcome.SENT


class AdminConsole:
    """The /admin menu's state for one bot."""

    def __init__(
        self,
        admin: AdminService,
        bot_id: str,
        sender: Sender,
        clock: Clock,
        *,
        progress_interval: float = PROGRESS_INTERVAL,
    ) -> None:
        self.admin = admin
        self.bot_id = bot_id
        self.sender = sender
        self._clock = clock
        self._interval = progress_interval
        self.awaiting: dict[int, tuple[Awaiting, Segment | None]] = {}
        self.drafts: dict[int, Draft] = {}
        self.mailing: asyncio.Task[MailingReport | None] | None = None

    def key(self, user_id: int) -> UserKey:
        return UserKey(self.bot_id, user_id)

    def reset(self, admin_id: int) -> None:
        """Forget what ``admin_id`` was asked for and any preview of theirs."""
        self.awaiting.pop(admin_id, None)
        self.drafts.pop(admin_id, None)

    @property
    def busy(self) -> bool:
        return self.mailing is not None and not self.mailing.done()

    def start_mailing(self, admin_id: int, draft: Draft, language: Language) -> None:
        """Run ``draft`` in the background; progress goes to ``admin_id``'s chat."""
        self.mailing = asyncio.create_task(
            self._run(admin_id, draft, language), name="admin-mailing"
        )

    async def aclose(self) -> None:
        """Stop a running mailing (the bot is shutting down); its report says how far it got."""
        if self.mailing is not None and not self.mailing.done():
            self.mailing.cancel()
            with contextlib.suppress(BaseException):
                await self.mailing

    async def _run(self, admin_id: int, draft: Draft, language: Language) -> MailingReport | None:
        """The mailing; ``None`` when another instance was already running one."""
        status = await self.sender.html(admin_id, "📣 …")
        shown = -self._interval

        async def progress(report: MailingReport) -> None:
            nonlocal shown
            now = self._clock.monotonic()
            if report.finished_at is None and now - shown < self._interval:
                return
            shown = now
            await self._show(admin_id, status.message_id if status else None, report, language)

        try:
            return await self.admin.mail(
                self.bot_id,
                draft.segment,
                draft.html,
                TelegramMessenger(self.sender),
                progress=progress,
                progress_every=1,
                by=f"telegram:{admin_id}",
            )
        except MailingBusyError:
            message_id = status.message_id if status else None
            await self._edit(admin_id, message_id, say(language, "mail_busy"))
            return None

    async def _show(
        self, chat_id: int, message_id: int | None, report: MailingReport, language: Language
    ) -> None:
        await self._edit(chat_id, message_id, report_text(report, language))

    async def _edit(self, chat_id: int, message_id: int | None, text: str) -> None:
        try:
            if message_id is None:
                await self.sender.html(chat_id, text)
            else:
                await self.sender.bot.edit_message_text(
                    text, chat_id=chat_id, message_id=message_id
                )
        except TelegramAPIError as error:  # progress is a courtesy; the mailing goes on
            log.info("admin.progress_not_shown", error=type(error).__name__)
