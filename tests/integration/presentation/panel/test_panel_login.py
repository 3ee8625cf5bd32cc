"""The panel's sign-in over plain HTTP against the live server: CSRF, lockout by name and by
address (released after 15 minutes on a fake clock), cookie flags, idle timeout, logout,
anonymous redirects, TOTP and security headers."""

from __future__ import annotations

import pyotp

from innertalk.domain.operators import ALL_TENANTS
from tests.integration.presentation.panel.harness import PASSWORD, csrf, page_token, panel, sign_in

LOCKOUT = 15 * 60


async def test_anonymous_requests_are_sent_to_the_login_page() -> None:
    """Every /admin path (pages, unknown ones, POSTs) answers 303 to /admin/login."""
    async with panel() as p, p.client() as client:
        for path in ("/admin", "/admin/", "/admin/people", "/admin/tenants", "/admin/nope"):
            response = await client.get(path)
            assert response.status_code == 303, path
            assert response.headers["location"] in ("/admin/", "/admin/login"), path
        assert (await client.get("/admin/people")).headers["location"] == "/admin/login"
        posted = await client.post("/admin/people", data={"action": "block"})
        assert posted.status_code == 303
        assert posted.headers["location"] == "/admin/login"


async def test_the_login_form_carries_a_csrf_field_and_security_headers() -> None:
    """A hidden field named csrf…; CSP self only, no framing, no referrer, no caching."""
    async with panel() as p, p.client() as client:
        response = await client.get("/admin/login")
        assert response.status_code == 200
        assert 'type="hidden" name="csrf_token"' in response.text
        headers = response.headers
        assert "default-src 'self'" in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["cache-control"] == "no-store"
        assert "cdn" not in response.text.lower()


async def test_a_login_without_a_valid_csrf_token_is_refused_with_403() -> None:
    """Missing, wrong, or another browser's token: 403, and nobody is signed in."""
    async with panel() as p, p.client() as client, p.client() as other:
        await client.get("/admin/login")
        fields = {"name": "root", "password": PASSWORD}
        assert (await client.post("/admin/login", data=fields)).status_code == 403
        wrong = {"csrf_token": "x" * 43, **fields}
        assert (await client.post("/admin/login", data=wrong)).status_code == 403
        foreign = csrf((await other.get("/admin/login")).text)
        assert (await client.post("/admin/login", data={**foreign, **fields})).status_code == 403
        assert (await client.get("/admin/people")).status_code == 303


async def test_a_signed_in_operator_gets_a_strict_http_only_cookie() -> None:
    """HttpOnly, SameSite=Strict, Path=/admin; not Secure over plain http."""
    async with panel() as p, p.client() as client:
        response = await sign_in(client, "root")
        assert response.status_code == 303
        cookie = response.headers.get_list("set-cookie")
        session = next(c for c in cookie if c.startswith("itk_panel="))
        lowered = session.lower()
        assert "httponly" in lowered
        assert "samesite=strict" in lowered
        assert "path=/admin" in lowered
        assert "secure" not in lowered
        assert (await client.get("/admin/people")).status_code == 200


async def test_the_cookie_is_secure_behind_a_trusted_https_proxy_only() -> None:
    """X-Forwarded-Proto https makes it Secure with PANEL_TRUST_PROXY, and is ignored
    without it."""
    for trusted in (True, False):
        async with (
            panel(trust_proxy=trusted) as p,
            p.client(**{"X-Forwarded-Proto": "https"}) as c,
        ):
            form_page = await c.get("/admin/login")
            nonce = form_page.cookies["itk_panel_login"]  # sent by hand: http drops Secure ones
            response = await c.post(
                "/admin/login",
                data={**csrf(form_page.text), "name": "root", "password": PASSWORD},
                headers={"Cookie": f"itk_panel_login={nonce}"},
            )
            assert response.status_code == 303
            session = next(
                h for h in response.headers.get_list("set-cookie") if h.startswith("itk_panel=")
            )
            assert ("secure" in session.lower()) is trusted


async def test_five_failures_lock_a_name_for_fifteen_minutes() -> None:
    """The 6th attempt for the name gets 429 even with the right password; 15 minutes later
    the right password signs in."""
    async with panel() as p, p.client() as client:
        for _ in range(5):
            assert (await sign_in(client, "amy", "wrong password!")).status_code == 401
        assert (await sign_in(client, "amy")).status_code == 429
        async with p.client() as other:  # other names still sign in
            assert (await sign_in(other, "bea")).status_code == 303
        p.clock.advance(LOCKOUT - 1)
        assert (await sign_in(client, "amy")).status_code == 429
        p.clock.advance(2)
        assert (await sign_in(client, "amy")).status_code == 303


async def test_twenty_failures_from_one_address_lock_the_address() -> None:
    """Failures spread over many names still lock the address: 429 for any name, released
    after 15 minutes."""
    async with panel() as p, p.client() as client:
        for attempt in range(20):
            assert (await sign_in(client, f"guess{attempt}", "nope")).status_code == 401
        assert (await sign_in(client, "root")).status_code == 429
        p.clock.advance(LOCKOUT + 1)
        assert (await sign_in(client, "root")).status_code == 303


async def test_an_idle_session_times_out() -> None:
    """Activity keeps a session alive; 30 idle minutes end it (then: the login page)."""
    async with panel() as p, p.client() as client:
        await sign_in(client, "root")
        for _ in range(3):
            p.clock.advance(29 * 60)
            assert (await client.get("/admin/people")).status_code == 200
        p.clock.advance(30 * 60 + 1)
        response = await client.get("/admin/people")
        assert response.status_code == 303
        assert response.headers["location"] == "/admin/login"


async def test_a_session_ends_after_its_absolute_lifetime() -> None:
    """However active, a sign-in lasts 12 hours at most."""
    async with panel() as p, p.client() as client:
        await sign_in(client, "root")
        for _ in range(25):
            p.clock.advance(29 * 60)
            await client.get("/admin/people")
        assert (await client.get("/admin/people")).status_code == 303


async def test_logout_is_a_post_with_csrf_and_ends_the_session() -> None:
    """Without the token: 403 and still signed in; with it: signed out, the old cookie opens
    nothing."""
    async with panel() as p, p.client() as client:
        await sign_in(client, "root")
        old_cookie = client.cookies.get("itk_panel")
        assert (await client.post("/admin/logout")).status_code == 403
        assert (await client.get("/admin/people")).status_code == 200
        response = await client.post("/admin/logout", data=await page_token(client))
        assert response.status_code == 303
        assert response.headers["location"] == "/admin/login"
        async with p.client() as replay:
            replay.cookies.set("itk_panel", old_cookie or "", path="/admin")
            assert (await replay.get("/admin/people")).status_code == 303


async def test_totp_is_required_once_enrolled() -> None:
    """Password alone is refused; with the current code the operator signs in."""
    async with panel() as p, p.client() as client:
        uri = await p.operators.enrol_totp("root")
        secret = pyotp.parse_uri(uri).secret
        assert (await sign_in(client, "root")).status_code == 401
        code = pyotp.TOTP(secret).at(p.clock.now())
        assert (await sign_in(client, "root", code=code)).status_code == 303


async def test_the_audit_log_records_sign_ins_without_content() -> None:
    """Login, failed login and logout are logged with who, when and the address; the
    password typed never is."""
    async with panel() as p, p.client() as client:
        await sign_in(client, "root", "typed-wrong-secret")
        await sign_in(client, "root")
        await client.post("/admin/logout", data=await page_token(client))
        entries = await p.storage.entries(None, 10)
        assert [(e.operator, e.action) for e in entries] == [
            ("root", "logout"), ("root", "login"), ("root", "login.failed")
        ]  # fmt: skip
        assert {e.address for e in entries} == {"127.0.0.1"}
        assert all(e.at == p.clock.now() for e in entries)
        assert "typed-wrong-secret" not in repr(entries)
        assert ALL_TENANTS  # the operator is of every tenant: entries carry no tenant
        assert {e.tenant for e in entries} == {None}
