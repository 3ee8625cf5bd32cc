"""A tenant's persona and its own provider key reach the provider's wire: the real TalkService,
the composition root's chains (``build_model``, ``TenantModelChains``) and the openai SDK,
against the loopback OpenAI fake."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from innertalk.bootstrap import build_model
from innertalk.bootstrap.tenant_models import TenantModelChains
from innertalk.config import load_settings
from innertalk.domain.tenants import ApiKey, Tenant, TenantSettings, api_realm
from innertalk.domain.users import Language, UserKey
from tests.fakes.clock import FakeClock
from tests.fakes.core import build_core
from tests.fakes.providers import OpenAIServer
from tests.fakes.providers.base import credential_digest

PERSONA = "You work for the Riverside clinic; mention its night line when it fits."
CLINIC = Tenant(
    "clinic",
    datetime(2025, 1, 1, tzinfo=UTC),
    TenantSettings(persona=PERSONA, provider_keys={"openai": "sk-clinic"}),
)
OTHER = Tenant("other", datetime(2025, 1, 1, tzinfo=UTC))


class FakeTenants:
    """``TenantDirectory``: the clinic's API realm and another tenant's bot."""

    async def tenant(self, name: str) -> Tenant | None:
        return {"clinic": CLINIC, "other": OTHER}.get(name)

    async def tenant_of(self, realm: str) -> Tenant | None:
        return {api_realm("clinic"): CLINIC, "other-bot": OTHER}.get(realm)

    async def realms(self, name: str) -> list[str]:
        return []

    async def authenticate(self, secret: str) -> ApiKey | None:
        return None


@pytest.fixture
async def server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AsyncIterator[OpenAIServer]:
    """The deployment's chain is OpenAI (key ``sk-deployment``) at the loopback fake."""
    for name in list(os.environ):
        if name.startswith(("LLM_", "GEMINI_", "OPENAI_", "ANTHROPIC_", "OLLAMA_", "GOOGLE_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    async with OpenAIServer() as fake:
        monkeypatch.setenv("LLM_PROVIDERS", "openai")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-deployment")
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        yield fake


async def test_the_persona_and_the_tenants_key_are_on_the_wire(
    server: OpenAIServer, clock: FakeClock
) -> None:
    """The clinic's request carries its persona in the system message and its own key; another
    tenant's carries neither (the deployment's key); both chains are closed at the end."""
    settings = load_settings(env_file=None)
    deployment = build_model(settings, clock)
    chains = TenantModelChains(settings, clock, alert=None)
    core = build_core(deployment, clock, tenants=FakeTenants(), tenant_models=chains)
    clinic_person, other_person = UserKey(api_realm("clinic"), 1), UserKey("other-bot", 1)
    try:
        for key in (clinic_person, other_person):
            await core.profiles.ensure(key, language=Language.EN, consent=True)
            await core.talk.reply(key, "I feel a bit lost today")
        await core.talk.reply(clinic_person, "still lost", on_chunk=_ignore)
    finally:
        await chains.aclose()
        await deployment.aclose()
    clinic_first, other, clinic_streamed = server.requests
    for sent in (clinic_first, clinic_streamed):
        assert PERSONA in _system(sent.body)
        assert sent.credential_digest == credential_digest("sk-clinic")
    assert PERSONA not in _system(other.body)
    assert other.credential_digest == credential_digest("sk-deployment")


async def test_changed_keys_get_a_new_chain(clock: FakeClock, server: OpenAIServer) -> None:
    """The chain is built once per tenant and rebuilt only when its keys change."""
    chains = TenantModelChains(load_settings(env_file=None), clock, alert=None)
    try:
        first = chains.model_for("clinic", {"openai": "sk-1"})
        assert chains.model_for("clinic", {"openai": "sk-1"}) is first
        assert chains.model_for("clinic", {"openai": "sk-2"}) is not first
    finally:
        await chains.aclose()


async def _ignore(_: str) -> None:
    return None


def _system(body: dict[str, object]) -> str:
    messages = body["messages"]
    assert isinstance(messages, list)
    return str(next(m["content"] for m in messages if m["role"] == "system"))
