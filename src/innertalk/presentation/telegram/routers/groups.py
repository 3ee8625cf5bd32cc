"""Groups: the bot does not converse there; it invites people to a private chat instead —
when it is added, and then at most once per ``group_invite_interval`` however busy the group."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import ChatMemberUpdated, Message

from innertalk.domain.users import Language
from innertalk.presentation.telegram.cooldowns import Cooldown
from innertalk.presentation.telegram.keyboards import menus as keyboards
from innertalk.presentation.telegram.transport.sender import Sender

GROUPS = F.chat.type.in_({"group", "supergroup"})
_PRESENT = frozenset({"member", "administrator", "creator"})


async def on_group_message(
    message: Message, bot: Bot, language: Language, invites: Cooldown, sender: Sender
) -> None:
    if invites.ready(message.chat.id):
        await invite(message.chat.id, bot, language, sender)


async def on_added(
    update: ChatMemberUpdated, bot: Bot, language: Language, invites: Cooldown, sender: Sender
) -> None:
    if update.new_chat_member.status in _PRESENT and invites.ready(update.chat.id):
        await invite(update.chat.id, bot, language, sender)


async def invite(chat_id: int, bot: Bot, language: Language, sender: Sender) -> None:
    me = await bot.me()
    markup = keyboards.private_chat(language, me.username or "")
    await sender.say(chat_id, language, "group_invite", markup)


async def ignore(_: object) -> None:
    """Edits in groups: nothing to say."""


def build() -> Router:
    router = Router(name="groups")
    router.message.register(on_group_message, GROUPS)
    router.my_chat_member.register(on_added, GROUPS)
    router.edited_message.register(ignore, GROUPS)
    return router
