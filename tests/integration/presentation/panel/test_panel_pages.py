"""The shell's pages over HTTP: tenant isolation (an operator of alpha never sees beta's
people or the tenants page), block/unblock and erase behind a confirmation, API keys made
and revoked, CSRF on every page POST, and audit lines that name ids, never content."""

from __future__ import annotations

import re

from innertalk.domain.conversation import Session
from innertalk.domain.tenants import api_realm, person_key
from innertalk.domain.users import UserKey
from tests.integration.presentation.panel.harness import (
    ALPHA_BOT,
    given_person,
    page_token,
    panel,
    sign_in,
)

ALICE = UserKey(ALPHA_BOT, 4242)


async def test_an_operator_of_one_tenant_never_sees_the_tenants_page() -> None:
    """403 for alpha's operator, no Tenants link in the navigation; root gets both."""
    async with panel() as p, p.client() as amy, p.client() as root:
        await sign_in(amy, "amy")
        await sign_in(root, "root")
        assert (await amy.get("/admin/tenants")).status_code == 403
        assert (await amy.post("/admin/tenants", data=await page_token(amy))).status_code == 403
        assert 'href="/admin/tenants"' not in (await amy.get("/admin/people")).text
        page = await root.get("/admin/tenants")
        assert page.status_code == 200
        assert "alpha" in page.text
        assert "beta" in page.text


async def test_people_are_found_only_within_the_viewers_tenant() -> None:
    """alpha's person by Telegram id: amy finds them (with their number of conversations),
    bea (beta) does not, root does; an API person by ref likewise; no name is ever shown."""
    async with panel() as p, p.client() as amy, p.client() as bea, p.client() as root:
        await given_person(p, ALICE)
        await p.core.services.profiles.ensure(ALICE, display_name="Alice Secretname")
        now = p.clock.now()
        await p.storage.write([Session("s1", ALICE, now), Session("s2", ALICE, now)])
        await given_person(p, person_key("beta", "patient-7"))
        for client, name in ((amy, "amy"), (bea, "bea"), (root, "root")):
            await sign_in(client, name)
        found = (await amy.get("/admin/people", params={"telegram": "4242"})).text
        assert f"{ALPHA_BOT} (alpha)" in found
        assert "<dt>Conversations</dt><dd>2</dd>" in found
        assert "Secretname" not in found
        assert ALPHA_BOT not in (await bea.get("/admin/people", params={"telegram": "4242"})).text
        assert ALPHA_BOT in (await root.get("/admin/people", params={"telegram": "4242"})).text
        by_ref = {"ref": "patient-7"}
        assert api_realm("beta") in (await bea.get("/admin/people", params=by_ref)).text
        assert api_realm("beta") not in (await amy.get("/admin/people", params=by_ref)).text


async def test_another_tenants_person_cannot_be_blocked_or_erased() -> None:
    """bea posting alpha's person's key changes nothing (and nothing is audited)."""
    async with panel() as p, p.client() as bea:
        await given_person(p, ALICE)
        await sign_in(bea, "bea")
        token = await page_token(bea, "/admin/people")
        handle = f"{ALPHA_BOT}/4242"
        for action in ("block", "erase_confirmed"):
            await bea.post(
                "/admin/people",
                data={**token, "key": handle, "action": action, "confirm": "ERASE"},
            )
        profile = await p.core.services.profiles.get(ALICE)
        assert profile is not None
        assert not profile.blocked
        assert [e.action for e in await p.storage.entries(None, 10)] == ["login"]


async def test_block_and_unblock_are_audited_by_id() -> None:
    """Blocking sets the profile's flag; both actions are audited with realm/id only."""
    async with panel() as p, p.client() as amy:
        await given_person(p, ALICE)
        await sign_in(amy, "amy")
        token = await page_token(amy, "/admin/people")
        form = {**token, "key": f"{ALPHA_BOT}/4242"}
        blocked = await amy.post("/admin/people", data={**form, "action": "block"})
        assert blocked.status_code == 303
        profile = await p.core.services.profiles.get(ALICE)
        assert profile is not None
        assert profile.blocked
        assert "Unblock" in (await amy.get(blocked.headers["location"])).text
        await amy.post("/admin/people", data={**form, "action": "unblock"})
        profile = await p.core.services.profiles.get(ALICE)
        assert profile is not None
        assert not profile.blocked
        actions = [(e.operator, e.action, e.tenant) for e in await p.storage.entries("alpha", 5)]
        assert actions[:2] == [
            ("amy", f"people.unblock {ALPHA_BOT}/4242", "alpha"),
            ("amy", f"people.block {ALPHA_BOT}/4242", "alpha"),
        ]


async def test_erasing_needs_the_confirmation_step() -> None:
    """The first POST only asks; a wrong word erases nothing; ERASE erases the person and
    their ref."""
    async with panel() as p, p.client() as bea:
        key = person_key("beta", "patient-7")
        await given_person(p, key)
        await p.storage.remember(key, "patient-7")
        await sign_in(bea, "bea")
        token = await page_token(bea, "/admin/people")
        form = {**token, "key": f"{key.bot_id}/{key.user_id}"}
        asked = await bea.post("/admin/people", data={**form, "action": "erase"})
        assert asked.status_code == 200
        assert 'value="erase_confirmed"' in asked.text
        assert await p.core.services.profiles.get(key) is not None
        await bea.post(
            "/admin/people", data={**form, "action": "erase_confirmed", "confirm": "yes"}
        )
        assert await p.core.services.profiles.get(key) is not None
        erased = await bea.post(
            "/admin/people", data={**form, "action": "erase_confirmed", "confirm": "ERASE"}
        )
        assert erased.status_code == 200
        assert await p.core.services.profiles.get(key) is None
        assert await p.storage.ref_of(key) is None
        audit = next(e.action for e in await p.storage.entries("beta", 1))
        assert re.fullmatch(rf"people\.erase api:beta/{key.user_id} records=\d+", audit)


async def test_a_page_post_without_csrf_is_refused() -> None:
    """403 and no change, for a page's form as for every other POST."""
    async with panel() as p, p.client() as amy:
        await given_person(p, ALICE)
        await sign_in(amy, "amy")
        refused = await amy.post(
            "/admin/people", data={"key": f"{ALPHA_BOT}/4242", "action": "block"}
        )
        assert refused.status_code == 403
        wrong = {"csrf_token": "forged", "key": f"{ALPHA_BOT}/4242", "action": "block"}
        assert (await amy.post("/admin/people", data=wrong)).status_code == 403
        profile = await p.core.services.profiles.get(ALICE)
        assert profile is not None
        assert not profile.blocked


async def test_an_api_key_is_shown_once_and_can_be_revoked() -> None:
    """Created: the secret is in the POST's answer only (the page never lists it again);
    revoked: the key no longer authenticates. Both audited by key id."""
    async with panel() as p, p.client() as root:
        await sign_in(root, "root")
        token = await page_token(root, "/admin/tenants")
        created = await root.post(
            "/admin/tenants", data={**token, "action": "create", "tenant": "alpha"}
        )
        secret = re.search(r'id="new-key">([^<]+)<', created.text)
        assert secret is not None
        key = await p.storage.authenticate(secret.group(1))
        assert key is not None
        assert key.tenant == "alpha"
        assert secret.group(1) not in (await root.get("/admin/tenants")).text
        revoked = await root.post(
            "/admin/tenants", data={**token, "action": "revoke", "key": key.id}
        )
        assert revoked.status_code == 303
        assert await p.storage.authenticate(secret.group(1)) is None
        actions = [e.action for e in await p.storage.entries(None, 2)]
        assert actions == [
            f"apikey.revoke {key.id} tenant=alpha",
            f"apikey.create {key.id} tenant=alpha",
        ]
        assert all(secret.group(1) not in a for a in actions)


async def test_the_audit_page_shows_the_viewers_tenant_only() -> None:
    """amy sees alpha's entries, not bea's sign-in."""
    async with panel() as p, p.client() as amy, p.client() as bea:
        await sign_in(bea, "bea")
        await sign_in(amy, "amy")
        page = (await amy.get("/admin/audit")).text
        assert "amy" in page
        assert "bea" not in page


async def test_the_language_switch_keeps_the_operators_choice() -> None:
    """Russian by Accept-Language at sign-in; the switch (a CSRF POST) turns it English."""
    async with panel() as p, p.client(**{"Accept-Language": "ru-RU,ru;q=0.9"}) as amy:
        await sign_in(amy, "amy")
        assert "Люди" in (await amy.get("/admin/people")).text
        token = await page_token(amy, "/admin/people")
        switched = await amy.post(
            "/admin/language", data={**token, "language": "en", "next": "/admin/people"}
        )
        assert switched.headers["location"] == "/admin/people"
        assert "People" in (await amy.get("/admin/people")).text


async def test_the_landing_page_is_the_first_page_and_the_static_css_is_served() -> None:
    """/admin/ goes to the first page the operator may see; the stylesheet comes from the
    app itself."""
    async with panel() as p, p.client() as amy:
        await sign_in(amy, "amy")
        landing = await amy.get("/admin/")
        assert landing.headers["location"] == "/admin/people"
        css = await amy.get("/admin/static/panel.css")
        assert css.status_code == 200
        assert css.headers["content-type"].startswith("text/css")
