"""``TenantAdmin`` and ``ApiKeyService``: names, every setting's validation, bot ownership,
and keys shown once and stored as hashes."""

from __future__ import annotations

import re

import pytest

from innertalk.application.operations.api_keys import (
    ApiKeyService,
    key_digest,
    parse_scopes,
)
from innertalk.application.operations.tenant_settings import SettingRules
from innertalk.application.operations.tenants import TenantAdmin, TenantError
from innertalk.domain.tenants import DEFAULT_TENANT, CrisisWebhook, Scope
from innertalk.domain.users import Language
from tests.fakes.clock import FakeClock
from tests.fakes.tenants import InProcessTenants

RULES = SettingRules(
    hotline_countries=frozenset({"GB", "RU", "US"}),
    providers=frozenset({"openai", "gemini"}),
    valid_rate=lambda text: re.fullmatch(r"\d+/(second|minute|hour|day)", text) is not None,
)
DEPLOYMENT_BOT = "111"


@pytest.fixture
def tenants() -> InProcessTenants:
    return InProcessTenants()


@pytest.fixture
def admin(tenants: InProcessTenants) -> TenantAdmin:
    return TenantAdmin(tenants, FakeClock(), RULES, deployment_bot=DEPLOYMENT_BOT)


async def test_add_validates_the_name_and_refuses_duplicates(admin: TenantAdmin) -> None:
    """A good name is added once; a bad one, a second one, or ``default`` is refused."""
    assert (await admin.add("clinic-1")).name == "clinic-1"
    for bad, words in (("Clinic", "lowercase"), ("clinic-1", "already"), ("default", "already")):
        with pytest.raises(TenantError, match=words):
            await admin.add(bad)
    assert [tenant.name for tenant in await admin.tenants()] == ["clinic-1", DEFAULT_TENANT]


async def test_set_applies_every_known_key(admin: TenantAdmin) -> None:
    """Each key lands in its field; codes are upper-cased; nothing generated when given."""
    await admin.add("clinic")
    change = await admin.set(
        "clinic",
        [
            "persona=Speak as the clinic's night line.",
            "language=en",
            "hotline_country=gb",
            "sessions_per_day=4",
            "rate=30/minute",
            "daily_tokens=50000",
            "session_tokens=9000",
            "provider_key.openai=sk-1",
            "crisis_webhook_url=https://care.example/hook",
            "crisis_webhook_secret=" + "x" * 16,
        ],
    )
    settings = (await admin.existing("clinic")).settings
    assert settings == change.tenant.settings
    assert settings.persona == "Speak as the clinic's night line."
    assert settings.language is Language.EN
    assert settings.hotline_country == "GB"
    assert (settings.sessions_per_day, settings.daily_tokens, settings.session_tokens) == (
        4,
        50000,
        9000,
    )
    assert settings.rate == "30/minute"
    assert settings.provider_keys == {"openai": "sk-1"}
    assert settings.crisis_webhook == CrisisWebhook("https://care.example/hook", "x" * 16)
    assert change.generated_secret is None


async def test_an_empty_value_clears(admin: TenantAdmin) -> None:
    """``KEY=`` returns a setting to the deployment's; clearing the URL drops the webhook."""
    await admin.add("clinic")
    await admin.set("clinic", ["language=ru", "provider_key.openai=sk", "rate=5/minute"])
    await admin.set("clinic", ["crisis_webhook_url=https://care.example/hook"])
    await admin.set(
        "clinic", ["language=", "provider_key.openai=", "rate=", "crisis_webhook_url="]
    )
    settings = (await admin.existing("clinic")).settings
    assert settings.language is None
    assert settings.provider_keys == {}
    assert settings.rate is None
    assert settings.crisis_webhook is None


async def test_a_webhook_url_without_a_secret_gets_one_shown_once(admin: TenantAdmin) -> None:
    """The generated secret is returned by the change that made it, and kept after."""
    await admin.add("clinic")
    change = await admin.set("clinic", ["crisis_webhook_url=http://localhost:9000/hook"])
    assert change.generated_secret is not None
    assert len(change.generated_secret) >= 32
    later = await admin.set("clinic", ["language=en"])
    assert later.generated_secret is None
    webhook = later.tenant.settings.crisis_webhook
    assert webhook == CrisisWebhook("http://localhost:9000/hook", change.generated_secret)


@pytest.mark.parametrize(
    ("assignment", "words"),
    [
        ("persona=" + "p" * 2001, "persona: at most 2000"),
        ("language=de", "language: expected ru or en"),
        ("hotline_country=GBR", "two-letter"),
        ("hotline_country=FR", "no hotlines for FR"),
        ("sessions_per_day=-1", "sessions_per_day: expected a whole number"),
        ("daily_tokens=lots", "daily_tokens"),
        ("rate=fast", "rate: 'fast' is not a rate"),
        ("provider_key.acme=k", "provider_key.acme: unknown provider"),
        ("crisis_webhook_url=http://care.example/hook", "https:// only"),
        ("crisis_webhook_url=ftp://care.example", "https:// only"),
        ("crisis_webhook_secret=" + "x" * 20, "set crisis_webhook_url first"),
        ("mood=happy", "unknown setting 'mood'"),
        ("language", "expected KEY=VALUE"),
    ],
)
async def test_set_refuses_a_bad_value_naming_its_key(
    admin: TenantAdmin, assignment: str, words: str
) -> None:
    """Each bad assignment is one error naming the key; nothing of the command is saved."""
    await admin.add("clinic")
    with pytest.raises(TenantError, match=re.escape(words)):
        await admin.set("clinic", ["language=en", assignment])
    assert (await admin.existing("clinic")).settings.language is None


async def test_a_short_webhook_secret_is_refused(admin: TenantAdmin) -> None:
    """A signing secret under 16 characters would be guessable."""
    await admin.add("clinic")
    with pytest.raises(TenantError, match="at least 16"):
        await admin.set(
            "clinic", ["crisis_webhook_url=https://c.example", "crisis_webhook_secret=short"]
        )


async def test_set_needs_an_existing_tenant_but_the_default_always_is(admin: TenantAdmin) -> None:
    """An unknown tenant is named; the default tenant is settable without being added."""
    with pytest.raises(TenantError, match="no tenant 'ghost'"):
        await admin.set("ghost", ["language=en"])
    change = await admin.set(DEFAULT_TENANT, ["language=ru"])
    assert change.tenant.settings.language is Language.RU


async def test_a_bot_gets_its_id_from_the_token_and_one_owner(admin: TenantAdmin) -> None:
    """The id is the token's prefix; another tenant's bot and the deployment's are refused."""
    for name in ("clinic", "campus"):
        await admin.add(name)
    bot = await admin.add_bot("clinic", "4242:" + "A" * 35)
    assert (bot.tenant, bot.bot_id) == ("clinic", "4242")
    with pytest.raises(TenantError, match="already belongs to tenant 'clinic'"):
        await admin.add_bot("campus", "4242:" + "B" * 35)
    with pytest.raises(TenantError, match="TELEGRAM_BOT_TOKEN"):
        await admin.add_bot("campus", f"{DEPLOYMENT_BOT}:" + "C" * 35)
    for token in ("4242", "abc:def", "12 3:x", "4242:"):
        with pytest.raises(TenantError, match="not a Telegram bot token"):
            await admin.add_bot("campus", token)


async def test_an_api_key_is_shown_once_and_stored_as_its_hash(tenants: InProcessTenants) -> None:
    """``itk_<12 hex>_<43>``; the store sees the digest only; the key authenticates."""
    await tenants.given_tenant("clinic")
    service = ApiKeyService(tenants, FakeClock(), RULES.valid_rate)
    issued = await service.create("clinic")
    assert re.fullmatch(r"itk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", issued.secret)
    assert issued.secret.split("_")[1] == issued.key.id
    assert issued.key.scopes == frozenset(Scope)
    assert issued.key.rate == "600/minute"
    assert await tenants.api_key_by_digest(key_digest(issued.secret)) == issued.key
    assert await tenants.authenticate(issued.secret) == issued.key
    assert issued.secret not in repr(issued)


async def test_key_creation_checks_tenant_rate_and_scopes(tenants: InProcessTenants) -> None:
    """Unknown tenant, bad rate, unknown scope: one clear error each; revoke names the id."""
    await tenants.given_tenant("clinic")
    service = ApiKeyService(tenants, FakeClock(), RULES.valid_rate)
    with pytest.raises(TenantError, match="no tenant 'ghost'"):
        await service.create("ghost")
    with pytest.raises(TenantError, match="--rate"):
        await service.create("clinic", rate="often")
    with pytest.raises(TenantError, match="unknown scope"):
        parse_scopes("conversation,admin")
    assert parse_scopes("stats, privacy") == {Scope.STATS, Scope.PRIVACY}
    with pytest.raises(TenantError, match="no API key 'nope'"):
        await service.revoke("nope")
    issued = await service.create("clinic", frozenset({Scope.STATS}), "10/minute")
    assert (await service.revoke(issued.key.id)).revoked_at is not None
    assert await tenants.authenticate(issued.secret) is None
    assert [key.id for key in await service.keys("clinic")] == [issued.key.id]
