"""What keeps the panel safe in a browser: CSRF tokens, cookies, headers, the client address.

- CSRF: a token is the HMAC-SHA256 of the session id (or, before sign-in, of a random nonce in
  its own cookie) under the panel's secret; a POST carries it in the ``csrf_token`` field and
  it is compared in constant time. Another site can neither read the token nor make one.
- Cookies: HttpOnly, SameSite=Strict, Path=/admin, Secure whenever the request came over https
  (``X-Forwarded-Proto`` counts only when ``PANEL_TRUST_PROXY`` says a proxy sets it).
- Headers on every panel response: a self-only Content-Security-Policy, no framing, no
  referrer, no caching (pages show people's figures).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from urllib.parse import parse_qsl

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

CSRF_FIELD = "csrf_token"
SESSION_COOKIE = "itk_panel"
LOGIN_COOKIE = "itk_panel_login"
PREFIX = "/admin"
MAX_FORM_BYTES = 64 * 1024
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


class FormTooLargeError(Exception):
    """A form body over ``MAX_FORM_BYTES``."""


def new_secret_id() -> str:
    """A session id or login nonce: 256 random bits."""
    return secrets.token_urlsafe(32)


class CsrfTokens:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def token(self, purpose: str, bound_to: str) -> str:
        mac = hmac.new(self._secret, f"{purpose}:{bound_to}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")

    def valid(self, purpose: str, bound_to: str | None, offered: str | None) -> bool:
        if not bound_to or not offered:
            return False
        return hmac.compare_digest(self.token(purpose, bound_to), offered)

    def field(self, purpose: str, bound_to: str) -> Markup:
        """The hidden ``<input>`` a form carries."""
        return Markup('<input type="hidden" name="{}" value="{}">').format(
            CSRF_FIELD, self.token(purpose, bound_to)
        )


def is_https(request: Request, *, trust_proxy: bool) -> bool:
    if trust_proxy:
        forwarded = request.headers.get("x-forwarded-proto", "")
        if forwarded:
            return forwarded.split(",")[0].strip().lower() == "https"
    return request.url.scheme == "https"


def client_address(request: Request, *, trust_proxy: bool) -> str:
    """The client's address; behind a trusted proxy, the last ``X-Forwarded-For`` hop (the one
    the proxy itself added: earlier hops are whatever the client claimed)."""
    if trust_proxy:
        hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",")]
        if hops[-1]:
            return hops[-1][:64]
    return request.client.host if request.client else "unknown"


def set_cookie(response: Response, name: str, value: str, *, secure: bool) -> None:
    response.set_cookie(name, value, path=PREFIX, httponly=True, samesite="strict", secure=secure)


def clear_cookie(response: Response, name: str, *, secure: bool) -> None:
    response.delete_cookie(name, path=PREFIX, httponly=True, samesite="strict", secure=secure)


def secured(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


async def form_fields(request: Request) -> dict[str, str]:
    """A urlencoded form's fields (the first value of each); no multipart parser needed."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise FormTooLargeError
    fields: dict[str, str] = {}
    for name, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        fields.setdefault(name, value)
    return fields
