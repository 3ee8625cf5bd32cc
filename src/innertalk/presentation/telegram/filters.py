"""Filters the routers share: consent, admins, menu buttons, command-shaped messages."""

from __future__ import annotations

from aiogram.enums import MessageEntityType
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message

from innertalk.domain.users import Profile
from innertalk.presentation.telegram.keyboards.menus import menu_action
from innertalk.presentation.telegram.options import BotOptions


class NotConsented(Filter):
    """The person has not agreed yet (no profile, or a profile without consent)."""

    async def __call__(
        self, event: Message | CallbackQuery, profile: Profile | None = None
    ) -> bool:
        return profile is None or not profile.has_consented


class IsAdmin(Filter):
    """The sender is one of ``ADMIN_IDS``."""

    async def __call__(self, event: Message | CallbackQuery, options: BotOptions) -> bool:
        user = event.from_user
        return user is not None and user.id in options.admin_ids


class MenuButton(Filter):
    """The message is the main-menu button for ``action`` (its label in any language)."""

    def __init__(self, *actions: str) -> None:
        self._actions = frozenset(actions)

    async def __call__(self, message: Message) -> bool:
        return message.text is not None and menu_action(message.text) in self._actions


class CommandLike(Filter):
    """The message starts with a ``/command`` (known or not)."""

    async def __call__(self, message: Message) -> bool:
        return any(
            entity.type == MessageEntityType.BOT_COMMAND and entity.offset == 0
            for entity in message.entities or ()
        )
