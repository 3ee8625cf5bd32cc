"""A person blocking or unblocking the bot (``my_chat_member`` in their private chat)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.types import ChatMemberUpdated

from innertalk.application.services import Services
from innertalk.domain.users import UserKey

_GONE = frozenset({"kicked", "left"})


async def on_membership(update: ChatMemberUpdated, key: UserKey, services: Services) -> None:
    reachable = update.new_chat_member.status not in _GONE
    await services.profiles.set_reachable(key, reachable)


def build() -> Router:
    router = Router(name="membership")
    router.my_chat_member.register(on_membership, F.chat.type == ChatType.PRIVATE, F.from_user)
    return router
