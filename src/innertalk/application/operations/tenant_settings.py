"""``innertalk tenant set NAME KEY=VALUE…``: each key's validation, applied to one
``TenantSettings``.

What is valid beyond the shape (the hotline countries, the provider names, the ``limits`` rate
notation) comes from the composition root as ``SettingRules``: the tables live in
infrastructure, which this layer does not import.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from innertalk.domain.tenants import CrisisWebhook, TenantSettings
from innertalk.domain.users import Language

PERSONA_LIMIT = 2000
WEBHOOK_SECRET_MIN = 16
PROVIDER_KEY = "provider_key."
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
KEYS = (
    "persona",
    "language",
    "hotline_country",
    "sessions_per_day",
    "rate",
    "daily_tokens",
    "session_tokens",
    f"{PROVIDER_KEY}<provider>",
    "crisis_webhook_url",
    "crisis_webhook_secret",
)


class TenantSettingError(ValueError):
    """One assignment that cannot be applied; the message names the key."""


@dataclass(frozen=True, slots=True)
class SettingRules:
    hotline_countries: frozenset[str]
    """ISO codes the hotline table knows."""
    providers: frozenset[str]
    """Names of the LLM registry's providers."""
    valid_rate: Callable[[str], bool]
    """Whether a text is a rate in the ``limits`` notation (``20/minute``)."""


def settings_with(
    current: TenantSettings, assignments: Sequence[str], rules: SettingRules
) -> tuple[TenantSettings, str | None]:
    """``current`` with every ``KEY=VALUE`` applied (``KEY=``: back to the default), and the
    crisis webhook secret generated for it (``None`` when none was)."""
    settings = current
    webhook = _webhook_parts(current)
    for assignment in assignments:
        key, separator, value = assignment.partition("=")
        key = key.strip()
        if not separator:
            raise TenantSettingError(f"{assignment!r}: expected KEY=VALUE")
        if key in ("crisis_webhook_url", "crisis_webhook_secret"):
            webhook[key] = value.strip() or None
        else:
            settings = _one(settings, key, value.strip(), rules)
    if webhook["crisis_webhook_url"] is None and not any(
        a.strip().startswith("crisis_webhook_secret=") for a in assignments
    ):
        webhook["crisis_webhook_secret"] = None  # the URL's removal takes its secret along
    crisis, generated = _webhook(webhook)
    return replace(settings, crisis_webhook=crisis), generated


def _one(settings: TenantSettings, key: str, value: str, rules: SettingRules) -> TenantSettings:
    if key.startswith(PROVIDER_KEY):
        return _provider_key(settings, key.removeprefix(PROVIDER_KEY), value, rules)
    if key == "persona":
        if len(value) > PERSONA_LIMIT:
            raise TenantSettingError(f"persona: at most {PERSONA_LIMIT} characters")
        return replace(settings, persona=value)
    if key == "language":
        return replace(settings, language=_language(value))
    if key == "hotline_country":
        return replace(settings, hotline_country=_country(value, rules))
    if key == "rate":
        if value and not rules.valid_rate(value):
            raise TenantSettingError(f"rate: {value!r} is not a rate like 20/minute")
        return replace(settings, rate=value or None)
    if key == "sessions_per_day":
        return replace(settings, sessions_per_day=_count(key, value))
    if key == "daily_tokens":
        return replace(settings, daily_tokens=_count(key, value))
    if key == "session_tokens":
        return replace(settings, session_tokens=_count(key, value))
    raise TenantSettingError(f"unknown setting {key!r} (known: {', '.join(KEYS)})")


def _language(value: str) -> Language | None:
    if not value:
        return None
    try:
        return Language(value.lower())
    except ValueError:
        raise TenantSettingError("language: expected ru or en") from None


def _country(value: str, rules: SettingRules) -> str | None:
    if not value:
        return None
    code = value.upper()
    if len(code) != 2 or not code.isalpha() or not code.isascii():
        raise TenantSettingError("hotline_country: expected a two-letter country code")
    if code not in rules.hotline_countries:
        known = ", ".join(sorted(rules.hotline_countries))
        raise TenantSettingError(f"hotline_country: no hotlines for {code} (known: {known})")
    return code


def _count(key: str, value: str) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise TenantSettingError(f"{key}: expected a whole number ≥ 0")
    return int(value)


def _provider_key(
    settings: TenantSettings, provider: str, value: str, rules: SettingRules
) -> TenantSettings:
    if provider not in rules.providers:
        known = ", ".join(sorted(rules.providers))
        raise TenantSettingError(f"{PROVIDER_KEY}{provider}: unknown provider (known: {known})")
    keys = dict(settings.provider_keys)
    if value:
        keys[provider] = value
    else:
        keys.pop(provider, None)
    return replace(settings, provider_keys=keys)


def _webhook_parts(settings: TenantSettings) -> dict[str, str | None]:
    crisis = settings.crisis_webhook
    return {
        "crisis_webhook_url": None if crisis is None else crisis.url,
        "crisis_webhook_secret": None if crisis is None else crisis.secret,
    }


def _webhook(parts: dict[str, str | None]) -> tuple[CrisisWebhook | None, str | None]:
    url, secret = parts["crisis_webhook_url"], parts["crisis_webhook_secret"]
    if url is None:
        if secret is not None:
            raise TenantSettingError("crisis_webhook_secret: set crisis_webhook_url first")
        return None, None
    _check_url(url)
    if secret is None:
        # a webhook is never sent unsigned; the secret is shown once, when it is made
        generated = secrets.token_urlsafe(32)
        return CrisisWebhook(url, generated), generated
    if len(secret) < WEBHOOK_SECRET_MIN:
        raise TenantSettingError(
            f"crisis_webhook_secret: at least {WEBHOOK_SECRET_MIN} characters"
        )
    return CrisisWebhook(url, secret), None


def _check_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or not host:
        raise TenantSettingError(f"crisis_webhook_url: {url!r} is not a URL")
    # plain http only where nothing crosses a network: a care team's receiver in a test rig
    if parts.scheme == "https" or (parts.scheme == "http" and host in _LOOPBACK):
        return
    raise TenantSettingError("crisis_webhook_url: https:// only (http:// for localhost)")
