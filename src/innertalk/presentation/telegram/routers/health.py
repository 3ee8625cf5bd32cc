"""/health for the operators in ``ADMIN_IDS``: the same component table as ``/readyz``.

Everyone else gets exactly the answer to an unknown command (the fallback router), so the
command reveals nothing about internals. Operators get it before consent too, and it stores
nothing.
"""

from __future__ import annotations

import html

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.types import Message

from innertalk.application.operations.health import HealthReport, Status
from innertalk.application.services import Services
from innertalk.domain.users import Language
from innertalk.presentation.telegram.filters import IsAdmin
from innertalk.presentation.telegram.texts.bot import say
from innertalk.presentation.telegram.transport.sender import Sender

_STATUS = {Status.UP: "✅", Status.DEGRADED: "⚠️", Status.DOWN: "❌"}


def health_table(report: HealthReport, language: Language) -> str:
    """The report as Telegram HTML: a verdict line and a preformatted table."""
    width = max((len(component.name) for component in report.components), default=0)
    rows = [
        f"{_STATUS[c.status]} {c.name:<{width}}  {c.status.value:<8}  {c.detail}".rstrip()
        for c in report.components
    ]
    verdict = say(language, "health_ready" if report.ready else "health_not_ready")
    return f"{verdict}\n<pre>{html.escape(chr(10).join(rows), quote=False)}</pre>"


async def on_health(
    message: Message, language: Language, services: Services, sender: Sender
) -> None:
    report = await services.health.check()
    await sender.html(message.chat.id, health_table(report, language))


def build() -> Router:
    router = Router(name="health")
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.message.register(on_health, Command("health"), IsAdmin())
    return router
