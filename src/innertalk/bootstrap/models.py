"""The model chain from ``LLM_*`` settings: the provider router, its policy, prices and
breakers, the learned crisis layer, and who gives a second opinion on uncertain messages."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

from innertalk.application.ports import (
    Clock,
    LanguageModel,
)
from innertalk.application.safety_opinion import CrisisOpinion
from innertalk.config import OFFLINE, ConfigError, LLMSettings, Settings
from innertalk.infrastructure.llm.breaker import BreakerPolicy, BreakerStateStore
from innertalk.infrastructure.llm.crisis_opinion import ModelCrisisOpinion
from innertalk.infrastructure.llm.moderation import OpenAIModerationOpinion
from innertalk.infrastructure.llm.prices import PriceTable
from innertalk.infrastructure.llm.providers.provider import Provider
from innertalk.infrastructure.llm.registry import PROVIDERS, build_provider
from innertalk.infrastructure.llm.router import AdminAlert, ChainLink, ModelRouter, RouterPolicy
from innertalk.infrastructure.observability.metrics import mark_crisis_encoder
from innertalk.infrastructure.safety_model.classifier import (
    LinearCrisisClassifier,
    shipped_classifier,
)
from innertalk.infrastructure.safety_model.encoder import try_load_encoder
from innertalk.presentation.reply_words import cut_off_note


def chain_names(settings: Settings) -> list[str]:
    """Providers of the chain, in order: ``LLM_PROVIDERS``, or every SDK provider with a key.

    ``offline`` always ends the chain; listing it ends it there (``LLM_PROVIDERS=offline``
    answers offline even with keys set).
    """
    names = list(settings.llm.llm_providers) or settings.keyed_providers()
    return names[: names.index(OFFLINE)] if OFFLINE in names else names


def router_policy(llm: LLMSettings) -> RouterPolicy:
    """The router's timeouts and limits from ``LLM_*`` settings."""
    return RouterPolicy(
        first_token_timeout=llm.llm_first_token_timeout,
        total_timeout=llm.llm_total_timeout,
        hedge_after=llm.llm_hedge_after,
        max_rounds=llm.llm_max_rounds,
        backoff_max=llm.llm_backoff_max,
        auth_cooldown=llm.llm_auth_cooldown,
    )


def price_table(llm: LLMSettings) -> PriceTable:
    """The built-in prices with ``LLM_PRICES`` over them."""
    overrides = {}
    for key, price in llm.llm_prices.items():
        provider, _, model = key.partition("=")
        overrides[(provider, model)] = price
    return PriceTable(overrides)


def breaker_policy(llm: LLMSettings, provider: str) -> BreakerPolicy:
    """``LLM_BREAKERS``' rule for ``provider`` (its own, else ``*``), else its registry row's."""
    rule = llm.llm_breakers.get(provider) or llm.llm_breakers.get("*")
    return BreakerPolicy(*rule) if rule else PROVIDERS[provider].breaker


def build_model(
    settings: Settings,
    clock: Clock,
    *,
    factory: ProviderFactory | None = None,
    alert: AdminAlert | None = None,
    breaker_store: BreakerStateStore | None = None,
    keys: Mapping[str, str] | None = None,
) -> ModelRouter:
    """The router over the configured chain, the offline responder last.

    ``factory`` builds one provider by name (tests pass fakes); by default the registry's
    SDK adapters, imported only when some provider is configured (the SDKs take seconds).
    ``alert`` reaches admins when a provider's key is rejected (default: an error log line).
    ``breaker_store`` holds the breakers' open flags (default: in this process).
    ``keys`` (provider name → API key) replace the configured keys of those providers (a
    tenant's own keys); the chain stays the configured one.
    """
    llm = settings.llm
    names = chain_names(settings)
    if names and factory is None:
        factory = _registry_factory(settings, keys or {})
    links = [ChainLink(factory(name), breaker_policy(llm, name)) for name in names if factory]
    try:
        return ModelRouter(
            links,
            clock=clock,
            cut_off_note=cut_off_note,
            policy=router_policy(llm),
            experiment=llm.experiment(),
            alert=alert,
            breaker_store=breaker_store,
            prices=price_table(llm),
        )
    except ValueError as error:  # an experiment naming a provider outside the chain
        raise ConfigError(f"LLM_EXPERIMENT: {error}") from None


ProviderFactory = Callable[[str], Provider]


def _registry_factory(settings: Settings, keys: Mapping[str, str]) -> ProviderFactory:
    llm = settings.llm

    def build(name: str) -> Provider:
        chosen = settings.provider(name)
        try:
            return build_provider(
                PROVIDERS[name],
                api_key=keys.get(name) or chosen.key,
                base_url=chosen.base_url,
                model=chosen.model,
                fast_model=chosen.fast_model,
                connect_timeout=llm.llm_connect_timeout,
                # the router enforces first-token and total deadlines; the SDK only needs
                # to never give up before them
                read_timeout=llm.llm_total_timeout,
            )
        except ValueError as error:  # a listed provider without its key
            raise ConfigError(f"LLM_PROVIDERS: {error}") from None

    return build


def crisis_opinion(settings: Settings, model: LanguageModel) -> CrisisOpinion | None:
    """Who is asked about messages the local layers are unsure of (``SAFETY_OPINION``).

    ``auto`` sends them only where messages already go: OpenAI's moderation endpoint when
    OpenAI is in the chain, else the chain's fast model, else nobody (offline only).
    """
    choice, llm = settings.wellbeing.safety_opinion, settings.llm
    chain = chain_names(settings)
    openai = settings.provider("openai")
    key = openai.key
    if choice == "openai" or (choice == "auto" and key and "openai" in chain):
        if key is None:
            raise ConfigError("SAFETY_OPINION: openai needs OPENAI_API_KEY")
        return OpenAIModerationOpinion(
            api_key=key, base_url=openai.base_url, connect_timeout=llm.llm_connect_timeout
        )
    if choice == "model" and not chain:
        raise ConfigError("SAFETY_OPINION: model needs a provider (LLM_PROVIDERS or an API key)")
    if choice == "off" or not chain:
        return None
    return ModelCrisisOpinion(model)


async def crisis_classifier(settings: Settings) -> LinearCrisisClassifier:
    """The learned crisis layer, with its sentence encoder unless ``SAFETY_ENCODER=off``.

    The encoder takes seconds to load, the n-gram weights tens of milliseconds: both off the
    event loop. Without the encoder, rules + n-grams still screen every message.
    """
    wanted = settings.wellbeing.safety_encoder == "on"
    encoder = await asyncio.to_thread(try_load_encoder) if wanted else None
    classifier = await asyncio.to_thread(shipped_classifier, encoder)
    mark_crisis_encoder(classifier.uses_encoder)
    return classifier
