"""ProfileService: creating profiles, recording consent and preferences."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Protocol

import structlog

from innertalk.application.conversation.contexts import ContextLoader
from innertalk.application.ports import Clock, ProfileStore, RecordStore, UserLocks
from innertalk.application.tenant_policy import TenantPolicies
from innertalk.domain.sessions import is_valid_timezone
from innertalk.domain.users import Language, Profile, Style, UserKey, new_profile

log = structlog.get_logger(__name__)

TimezoneListener = Callable[[UserKey, str], Awaitable[None]]
"""Called with the person and their new time zone after it changed (reminders reschedule)."""


class ProfileRecords(RecordStore, ProfileStore, Protocol):
    """What the profile use cases read and write."""


class ProfileService:
    """Keeps profiles; every change replaces the cached context's profile."""

    def __init__(
        self,
        *,
        store: ProfileRecords,
        contexts: ContextLoader,
        locks: UserLocks,
        clock: Clock,
        tenants: TenantPolicies | None = None,
    ) -> None:
        self._tenants = tenants
        self._store = store
        self._contexts = contexts
        self._locks = locks
        self._clock = clock
        self._timezone_listeners: list[TimezoneListener] = []

    def on_timezone_change(self, listener: TimezoneListener) -> None:
        """Call ``listener`` after each time-zone change, outside the person's lock."""
        self._timezone_listeners.append(listener)

    async def get(self, key: UserKey) -> Profile | None:
        return (await self._contexts.load(key)).profile

    async def ensure(
        self,
        key: UserKey,
        *,
        language: Language | None = None,
        display_name: str = "",
        consent: bool = False,
    ) -> Profile:
        """The profile of ``key``, created if new; ``consent`` records consent if not yet given.

        A new profile without a ``language`` gets the default of the person's tenant (see
        ``default_language``)."""
        async with self._locks.hold(key):
            context = await self._contexts.load(key)
            profile = context.profile
            if profile is None:
                chosen = language or await self.default_language(key)
                profile = new_profile(
                    key, self._clock.now(), language=chosen, display_name=display_name
                )
            if consent:
                profile = profile.with_consent(self._clock.now())
            if profile != context.profile:
                await self._save(profile)
            return profile

    async def default_language(self, key: UserKey) -> Language:
        """The language of a new person who named none: their tenant's, else English."""
        own = None if self._tenants is None else (await self._tenants.for_key(key)).language
        return own or Language.EN

    async def update(
        self,
        key: UserKey,
        *,
        language: Language | None = None,
        style: Style | None = None,
        timezone: str | None = None,
        display_name: str | None = None,
    ) -> Profile:
        """Change preferences of an existing profile; fields left ``None`` stay as they are."""
        if timezone is not None and not is_valid_timezone(timezone):
            raise ValueError(f"unknown time zone {timezone!r}")
        async with self._locks.hold(key):
            profile = (await self._contexts.load(key)).profile
            if profile is None:
                raise LookupError(f"no profile for {key}")
            updated = replace(
                profile,
                language=language or profile.language,
                style=style or profile.style,
                timezone=timezone or profile.timezone,
                display_name=profile.display_name if display_name is None else display_name,
            )
            if updated != profile:
                await self._save(updated)
        if updated.timezone != profile.timezone:
            await self._timezone_changed(key, updated.timezone)
        return updated

    async def _timezone_changed(self, key: UserKey, timezone: str) -> None:
        for listener in self._timezone_listeners:
            try:
                await listener(key, timezone)
            except Exception as error:  # the profile is saved; reminders repair themselves
                log.warning("profile.timezone_listener_failed", error=type(error).__name__)

    async def set_reachable(self, key: UserKey, reachable: bool) -> None:
        """Record that Telegram refused (the person blocked the bot) or delivered again."""
        async with self._locks.hold(key):
            profile = (await self._contexts.load(key)).profile
            if profile is not None and profile.active != reachable:
                await self._save(replace(profile, active=reachable))

    async def set_blocked(self, key: UserKey, blocked: bool) -> bool:
        """An administrator blocks or unblocks a person; ``False`` when there is no profile."""
        async with self._locks.hold(key):
            profile = (await self._contexts.load(key)).profile
            if profile is None:
                return False
            if profile.blocked != blocked:
                await self._save(replace(profile, blocked=blocked))
            return True

    async def _save(self, profile: Profile) -> None:
        await self._store.write([profile])
        context = await self._contexts.load(profile.key)
        await self._contexts.remember(replace(context, profile=profile))
