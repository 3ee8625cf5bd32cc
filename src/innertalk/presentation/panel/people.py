"""``/admin/people``: find a person by Telegram id or API ref within the viewer's tenant, see
dates and states (never names or words), block or unblock, and erase on request behind a
confirmation step. Every action names the person by realm and id in the audit log."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from innertalk.application.operations.admin import AdminService
from innertalk.application.operations.tenants import TenantRegistry
from innertalk.application.privacy import PrivacyService
from innertalk.application.tenancy import PersonRefs
from innertalk.domain.tenants import PersonRefError, person_key, realm_tenant
from innertalk.domain.users import Profile, UserKey
from innertalk.presentation.panel.layout import render
from innertalk.presentation.panel.page import PanelPage, PanelViewer, PostOutcome

ERASE_WORD = "ERASE"
SESSIONS_COUNTED = 1000
"""Sessions counted for a person (the page says "1000+" beyond)."""


@dataclass(frozen=True, slots=True)
class PeopleAccess:
    directory: TenantRegistry
    refs: PersonRefs
    profile: Callable[[UserKey], Awaitable[Profile | None]]
    sessions: Callable[[UserKey, int], Awaitable[Sequence[object]]]
    """A person's newest sessions (only counted here, never shown)."""
    admin: AdminService
    privacy: PrivacyService


@dataclass(frozen=True, slots=True)
class Found:
    key: UserKey
    tenant: str
    profile: Profile
    sessions: int

    @property
    def handle(self) -> str:
        return f"{self.key.bot_id}/{self.key.user_id}"


class PeoplePage:
    def __init__(self, access: PeopleAccess) -> None:
        self._access = access

    async def _realms(self, viewer: PanelViewer) -> dict[str, str]:
        """Realm → tenant, for every realm the viewer may look into."""
        directory = self._access.directory
        names = (
            [viewer.tenant]
            if viewer.tenant is not None
            else [tenant.name for tenant in await directory.tenants()]
        )
        return {realm: name for name in names for realm in await directory.realms(name)}

    async def _find(self, viewer: PanelViewer, query: Mapping[str, str]) -> list[Found]:
        realms = await self._realms(viewer)
        keys: list[UserKey] = []
        telegram, ref, handle = (query.get(k, "").strip() for k in ("telegram", "ref", "key"))
        if telegram.isdigit():
            keys = [
                UserKey(realm, int(telegram)) for realm in realms if realm_tenant(realm) is None
            ]
        elif ref:
            try:
                keys = [person_key(name, ref) for name in sorted(set(realms.values()))]
            except PersonRefError:
                keys = []
        elif handle:
            keys = _parsed(handle)
        found = []
        for key in keys:
            profile = await self._access.profile(key) if key.bot_id in realms else None
            if profile is not None:
                sessions = len(await self._access.sessions(key, SESSIONS_COUNTED))
                found.append(Found(key, realms[key.bot_id], profile, sessions))
        return found

    async def get(self, viewer: PanelViewer, query: Mapping[str, str]) -> Markup:
        return await self._render(viewer, query, await self._find(viewer, query))

    async def _render(
        self,
        viewer: PanelViewer,
        query: Mapping[str, str],
        found: list[Found],
        *,
        notice: str | None = None,
        records: int = 0,
        confirm: Found | None = None,
    ) -> Markup:
        searched = any(query.get(k) for k in ("telegram", "ref", "key"))
        return render(
            "shell/people.html",
            viewer.language,
            viewer=viewer,
            query=query,
            found=found,
            searched=searched,
            notice=notice or _notice(query.get("done", "")),
            records=records,
            confirm=confirm,
            erase_word=ERASE_WORD,
        )

    async def post(self, viewer: PanelViewer, form: Mapping[str, str]) -> PostOutcome:
        action = form.get("action", "")
        targets = await self._find(viewer, {"key": form.get("key", "")})
        if not targets:  # not the viewer's person (or gone): nothing is done
            return PostOutcome(redirect="/people")
        person = targets[0]
        back = f"/people?key={person.handle}"
        if action in ("block", "unblock"):
            await self._access.admin.block(person.key, blocked=action == "block")
            done = "people_blocked_done" if action == "block" else "people_unblocked_done"
            return PostOutcome(
                redirect=f"{back}&done={done}", audit=f"people.{action} {person.handle}"
            )
        if action == "erase":
            html = await self._render(viewer, {}, [], confirm=person)
            return PostOutcome(html=html)
        if action == "erase_confirmed":
            if form.get("confirm", "").strip() != ERASE_WORD:
                return PostOutcome(redirect=f"{back}&done=people_not_confirmed")
            records = await self._access.privacy.delete(person.key)
            await self._access.refs.forget(person.key)
            html = await self._render(viewer, {}, [], notice="people_erased", records=records)
            return PostOutcome(html=html, audit=f"people.erase {person.handle} records={records}")
        return PostOutcome(redirect=back)


def _notice(done: str) -> str | None:
    """Only the page's own notices (the query string is the viewer's to edit)."""
    return done if done in _NOTICES else None


_NOTICES = frozenset({"people_blocked_done", "people_unblocked_done", "people_not_confirmed"})


def _parsed(handle: str) -> list[UserKey]:
    realm, _, user = handle.rpartition("/")
    return [UserKey(realm, int(user))] if realm and user.lstrip("-").isdigit() else []


def people_pages(access: PeopleAccess) -> list[PanelPage]:
    page = PeoplePage(access)
    return [PanelPage("/people", "nav_people", page.get, page.post)]
