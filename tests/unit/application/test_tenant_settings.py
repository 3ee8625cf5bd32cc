"""A tenant's settings change what the companion does for its people, and only for them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from innertalk.application.conversation.talk import (
    DailyTokenBudgetExhaustedError,
    SessionBudgetExhaustedError,
)
from innertalk.application.safety import SafetyService
from innertalk.application.tenant_policy import DEPLOYMENT_POLICY, TenantPolicies
from innertalk.domain.prompt_texts import OPERATOR_SECTION, ROLE, STYLE
from innertalk.domain.safety import DEFAULT_HOTLINES
from innertalk.domain.sessions import DailySessionLimitError, SessionPolicy
from innertalk.domain.tenants import ApiKey, Tenant, TenantSettings, api_realm
from innertalk.domain.users import Language, Style, UserKey
from tests.fakes.clock import FakeClock
from tests.fakes.core import Core, build_core
from tests.fakes.models import ScriptedModel

PERSONA = "You work for the Riverside clinic; mention its night line when it fits."
CLINIC_PERSON = UserKey("clinic-bot", 1)
"""A person of the clinic's Telegram bot."""
OTHER_PERSON = UserKey("other-bot", 1)
"""A person of another tenant's bot, with no settings."""
LOOSE_PERSON = UserKey("unclaimed-bot", 1)
"""A person of a realm no tenant claims."""
CRISIS = "I want to die"


class FakeTenants:
    """``TenantDirectory`` over a dict of realm → tenant; counts ``tenant_of`` calls."""

    def __init__(self, **by_realm: Tenant) -> None:
        self.by_realm = dict(by_realm)
        self.lookups = 0

    async def tenant(self, name: str) -> Tenant | None:
        return next((t for t in self.by_realm.values() if t.name == name), None)

    async def tenant_of(self, realm: str) -> Tenant | None:
        self.lookups += 1
        return self.by_realm.get(realm)

    async def realms(self, name: str) -> list[str]:
        return [realm for realm, t in self.by_realm.items() if t.name == name]

    async def authenticate(self, secret: str) -> ApiKey | None:
        return None


def tenant(name: str, **settings: object) -> Tenant:
    return Tenant(name, datetime(2025, 1, 1, tzinfo=UTC), TenantSettings(**settings))  # type: ignore[arg-type]


def directory(**clinic: object) -> FakeTenants:
    """The clinic (``clinic`` settings) owns its bot and its API realm; "other" owns its bot."""
    owned = tenant("clinic", **clinic)
    return FakeTenants(
        **{"clinic-bot": owned, api_realm("clinic"): owned, "other-bot": tenant("other")}
    )


def core_for(
    model: ScriptedModel, clock: FakeClock, tenants: FakeTenants, **options: object
) -> Core:
    return build_core(model, clock, tenants=tenants, **options)  # type: ignore[arg-type]


async def consented(core: Core, *keys: UserKey) -> None:
    for key in keys:
        await core.profiles.ensure(key, language=Language.EN, consent=True)


# -- the look-up ---------------------------------------------------------------------------------


async def test_a_realm_no_tenant_claims_gets_the_deployments_settings(clock: FakeClock) -> None:
    """Unclaimed realms and a missing directory both mean every setting is the deployment's."""
    policies = TenantPolicies(directory(persona=PERSONA), timer=clock.monotonic)
    assert await policies.for_key(LOOSE_PERSON) is DEPLOYMENT_POLICY
    assert (await policies.for_key(CLINIC_PERSON)).persona == PERSONA
    without = TenantPolicies(None, timer=clock.monotonic)
    assert await without.for_key(CLINIC_PERSON) is DEPLOYMENT_POLICY


async def test_a_realms_policy_is_reused_until_its_time_is_up(clock: FakeClock) -> None:
    """The directory is asked once per realm per 30 s, then a changed setting is seen."""
    tenants = directory(persona="first")
    policies = TenantPolicies(tenants, timer=clock.monotonic, ttl=30)
    for user in range(5):
        await policies.for_key(UserKey("clinic-bot", user))
    assert tenants.lookups == 1
    tenants.by_realm["clinic-bot"] = tenant("clinic", persona="second")
    clock.advance(29)
    assert (await policies.for_key(CLINIC_PERSON)).persona == "first"
    clock.advance(2)
    assert (await policies.for_key(CLINIC_PERSON)).persona == "second"
    assert tenants.lookups == 2


# -- 1. persona -----------------------------------------------------------------------------------


async def test_the_persona_reaches_the_model_after_the_base_instructions(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """The clinic's persona sits delimited right after ROLE, before the person's style, and is
    absent from another tenant's requests."""
    core = core_for(model, clock, directory(persona=PERSONA))
    await consented(core, CLINIC_PERSON, OTHER_PERSON)
    await core.talk.reply(CLINIC_PERSON, "hello")
    await core.talk.reply(OTHER_PERSON, "hello")
    clinic, other = (request.system for request in model.requests)
    opening, closing = OPERATOR_SECTION[Language.EN]
    section = f"{opening}\n{PERSONA}\n{closing}"
    assert clinic.startswith(
        f"{ROLE[Language.EN]}\n\n{section}\n\n{STYLE[Language.EN][Style.BALANCED]}"
    )
    assert PERSONA not in other
    assert opening not in other


async def test_the_persona_keeps_the_prompt_prefix_shared_by_the_tenants_people(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """Two people of one tenant with different names and styles share the prefix up to the
    end of the operator section (what a provider's prompt cache reuses)."""
    core = core_for(model, clock, directory(persona=PERSONA))
    second = UserKey("clinic-bot", 2)
    await consented(core, CLINIC_PERSON, second)
    await core.profiles.update(second, style=Style.ACTION, display_name="Ann")
    await core.talk.reply(CLINIC_PERSON, "hello")
    await core.talk.reply(second, "hi")
    first_system, second_system = (request.system for request in model.requests)
    closing = OPERATOR_SECTION[Language.EN][1]
    prefix = first_system[: first_system.index(closing) + len(closing)]
    assert second_system.startswith(prefix)


# -- 2. language ----------------------------------------------------------------------------------


async def test_people_created_without_a_language_get_the_tenants(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """The clinic's people default to Russian; another tenant's to English; a language given
    explicitly wins."""
    core = core_for(model, clock, directory(language=Language.RU))
    clinic = await core.profiles.ensure(CLINIC_PERSON)
    api_person = await core.profiles.ensure(UserKey(api_realm("clinic"), 7), consent=True)
    other = await core.profiles.ensure(OTHER_PERSON)
    chosen = await core.profiles.ensure(UserKey("clinic-bot", 2), language=Language.EN)
    assert (clinic.language, api_person.language) == (Language.RU, Language.RU)
    assert (other.language, chosen.language) == (Language.EN, Language.EN)


# -- 3. hotline country --------------------------------------------------------------------------


async def test_crisis_notices_show_the_tenants_hotline_country(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """The clinic's people get Ukraine's lines before and in a reply; another tenant's get the
    country the deployment would choose (international for English speakers in UTC)."""
    safety = SafetyService(directory=DEFAULT_HOTLINES)
    core = core_for(model, clock, directory(hotline_country="ua"), safety=safety)
    await consented(core, CLINIC_PERSON, OTHER_PERSON)
    before_consent = await core.talk.screen(CRISIS, Language.EN, key=UserKey("clinic-bot", 9))
    clinic = await core.talk.reply(CLINIC_PERSON, CRISIS)
    other = await core.talk.reply(OTHER_PERSON, CRISIS)
    assert before_consent is not None
    assert clinic.safety is not None
    assert other.safety is not None
    assert (before_consent.country, clinic.safety.country, other.safety.country) == (
        "UA",
        "UA",
        None,
    )
    assert any(line.contact == "7333" for line in clinic.safety.hotlines)


async def test_the_tenants_country_wins_over_crisis_country(clock: FakeClock) -> None:
    """A tenant's hotline country overrides CRISIS_COUNTRY; without one CRISIS_COUNTRY holds."""
    safety = SafetyService(directory=DEFAULT_HOTLINES, country="BY")
    tenant_notice = await safety.screen(CRISIS, Language.EN, country="GB")
    deployment_notice = await safety.screen(CRISIS, Language.EN)
    assert tenant_notice is not None
    assert deployment_notice is not None
    assert (tenant_notice.country, deployment_notice.country) == ("GB", "BY")


# -- 4. limits ------------------------------------------------------------------------------------


async def test_the_tenants_daily_session_limit_applies_to_its_people(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """With one session a day for the clinic, its second session is refused; the deployment
    has no limit, so another tenant's person opens as many as they like."""
    core = core_for(
        model, clock, directory(sessions_per_day=1), sessions=SessionPolicy(sessions_per_day=0)
    )
    await consented(core, CLINIC_PERSON, OTHER_PERSON)
    for key in (CLINIC_PERSON, OTHER_PERSON):
        await core.talk.reply(key, "first")
        await core.sessions.end(key)
    with pytest.raises(DailySessionLimitError):
        await core.talk.reply(CLINIC_PERSON, "second")
    await core.talk.reply(OTHER_PERSON, "second")


async def test_the_tenants_rate_limits_its_people(model: ScriptedModel, clock: FakeClock) -> None:
    """At 2/minute the clinic's third message in a minute is refused; the deployment's rate
    (1000/minute) lets another tenant's through; a minute later the clinic's pass again."""
    core = core_for(model, clock, directory(rate="2/minute"))
    limiter = core.services.rate_limiter
    assert [await limiter.allow(CLINIC_PERSON) for _ in range(3)] == [True, True, False]
    assert all([await limiter.allow(OTHER_PERSON) for _ in range(3)])
    clock.advance(61)
    assert await limiter.allow(CLINIC_PERSON)


async def test_an_unreadable_tenant_rate_falls_back_to_the_deployments(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """A typo in a tenant's rate leaves its people under the deployment's limit, not none."""
    core = core_for(model, clock, directory(rate="twenty a minute"))
    assert await core.services.rate_limiter.allow(CLINIC_PERSON)


async def test_the_tenants_daily_tokens_limit_its_people(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """With 5 tokens a day the clinic's person is refused after one reply; another tenant's
    person (the deployment has no budget) is not."""
    core = core_for(model, clock, directory(daily_tokens=5))
    await consented(core, CLINIC_PERSON, OTHER_PERSON)
    await core.talk.reply(CLINIC_PERSON, "tell me something long enough to spend tokens")
    with pytest.raises(DailyTokenBudgetExhaustedError):
        await core.talk.reply(CLINIC_PERSON, "again")
    for _ in range(2):
        await core.talk.reply(OTHER_PERSON, "tell me something long enough to spend tokens")


async def test_the_tenants_session_tokens_bound_its_sessions(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """With 1 token a session the clinic's second message asks to end the session; another
    tenant's person keeps the deployment's 10,000."""
    core = core_for(model, clock, directory(session_tokens=1))
    await consented(core, CLINIC_PERSON, OTHER_PERSON)
    await core.talk.reply(CLINIC_PERSON, "hello there")
    with pytest.raises(SessionBudgetExhaustedError):
        await core.talk.reply(CLINIC_PERSON, "and again")
    await core.talk.reply(OTHER_PERSON, "hello there")
    await core.talk.reply(OTHER_PERSON, "and again")


# -- 5. provider keys ---------------------------------------------------------------------------


class FakeTenantModels:
    """``TenantModels``: one scripted chain per tenant, recording the keys it was built with."""

    def __init__(self) -> None:
        self.built: dict[str, Mapping[str, str]] = {}
        self.chains: dict[str, ScriptedModel] = {}

    def model_for(self, tenant: str, keys: Mapping[str, str]) -> ScriptedModel:
        self.built[tenant] = dict(keys)
        return self.chains.setdefault(tenant, ScriptedModel(name=f"{tenant}-chain"))


async def test_a_tenant_with_its_own_keys_is_answered_by_its_own_chain(
    model: ScriptedModel, clock: FakeClock
) -> None:
    """The clinic's replies come from the chain built with its keys; another tenant (no keys)
    and an unclaimed realm are answered by the deployment's model."""
    chains = FakeTenantModels()
    core = core_for(
        model, clock, directory(provider_keys={"openai": "sk-clinic"}), tenant_models=chains
    )
    await consented(core, CLINIC_PERSON, OTHER_PERSON, LOOSE_PERSON)
    clinic = await core.talk.reply(CLINIC_PERSON, "hello")
    streamed = await core.talk.reply(CLINIC_PERSON, "again", on_chunk=_ignore)
    other = await core.talk.reply(OTHER_PERSON, "hello")
    loose = await core.talk.reply(LOOSE_PERSON, "hello")
    assert (clinic.model.provider, streamed.model.provider) == ("clinic-chain", "clinic-chain")
    assert (other.model.provider, loose.model.provider) == ("scripted", "scripted")
    assert chains.built == {"clinic": {"openai": "sk-clinic"}}
    assert len(model.requests) == 2


async def _ignore(_: str) -> None:
    return None


def test_the_policy_never_shows_provider_keys() -> None:
    """A policy's repr (in a log line or a traceback) leaves the keys out."""
    settings = TenantSettings(provider_keys={"openai": "sk-secret"})
    policy = replace(DEPLOYMENT_POLICY, provider_keys=settings.provider_keys)
    assert "sk-secret" not in repr(policy)
