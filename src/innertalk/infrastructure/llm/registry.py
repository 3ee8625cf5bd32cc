"""Every provider InnerTalk can use, as data: one ``ProviderSpec`` row each, the one place that
names them.

A row declares the provider's name, its kind, the adapter that builds it, the environment
variables it reads, its defaults and its circuit breaker. The settings (``config.py``) read the
variables of every row generically, ``LLM_PROVIDERS``/``LLM_BREAKERS``/``LLM_PRICES``/
``LLM_EXPERIMENT`` accept every row's name, and the composition root builds the chain from the
rows: a server that speaks OpenAI Chat Completions is one row of kind ``OPENAI_COMPATIBLE``; a
provider with its own SDK is an adapter module plus a row (docs/architecture.md, *How to add a
provider*). Nothing in this package reads the environment.

Default models, chosen in November 2026 against the installed SDKs and the providers' model and
deprecation pages:

- gemini: ``gemini-3.6-flash``, fast ``gemini-3.5-flash-lite``: the current generally
  available Flash and Flash-Lite (``gemini-2.5-flash`` is deprecated, shut down 2026-12-01).
- openai: ``gpt-6-luna`` without a fast model: OpenAI's efficient GPT-6 and the named
  replacement of ``gpt-4.1-mini``/``gpt-4o-mini`` (shut down on 2027-01-14); sent with
  ``reasoning_effort="none"`` so it answers at once and accepts a temperature.
- anthropic: ``claude-sonnet-5-5``, fast ``claude-haiku-5-5``: the current Sonnet and Haiku
  (the SDK already warns that ``claude-sonnet-4-5`` ends on 2026-11-30).
- ollama, llamacpp, vllm: local servers serve what their operator loaded; the defaults are
  a common starting point and usually overridden. openrouter: ``google/gemini-3.1-flash-lite``
  (a quick model that takes every sampling parameter).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import StrEnum

from innertalk.infrastructure.llm.breaker import BreakerPolicy
from innertalk.infrastructure.llm.providers import models
from innertalk.infrastructure.llm.providers.provider import Provider

DEFAULT_BREAKER = BreakerPolicy(5, 60.0)
"""Open after 5 failures in a row, for 60 s: every row that does not say otherwise."""


class ProviderKind(StrEnum):
    SDK = "sdk"
    """Its own SDK and adapter module; joins the default chain when its key is set."""
    OPENAI_COMPATIBLE = "openai_compatible"
    """Speaks OpenAI Chat Completions; in the chain only when ``LLM_PROVIDERS`` lists it."""


@dataclass(frozen=True, slots=True)
class ProviderVariables:
    """The environment variables one provider reads (``fast_model`` ``None``: none).

    ``api_key`` lists the key's names, the documented one first; the others are accepted too
    (``GOOGLE_API_KEY``, the google-genai SDK's own name).
    """

    api_key: tuple[str, ...]
    base_url: str
    model: str
    fast_model: str | None = None

    @classmethod
    def prefixed(cls, prefix: str, *, fast_model: bool = False) -> ProviderVariables:
        """``PREFIX_API_KEY``, ``PREFIX_BASE_URL``, ``PREFIX_MODEL`` (``PREFIX_FAST_MODEL``)."""
        fast = f"{prefix}_FAST_MODEL" if fast_model else None
        return cls((f"{prefix}_API_KEY",), f"{prefix}_BASE_URL", f"{prefix}_MODEL", fast)

    def documented(self) -> tuple[str, ...]:
        """The names ``.env.example`` lists (aliases of the key apart)."""
        names = (self.api_key[0], self.base_url, self.model, self.fast_model)
        return tuple(name for name in names if name)


@dataclass(frozen=True, slots=True)
class Connection:
    """What an adapter is built with: the operator's settings over the row's defaults."""

    name: str
    api_key: str
    base_url: str | None
    default_model: str
    fast_model: str | None
    connect_timeout: float
    read_timeout: float


Adapter = Callable[[Connection], Provider]
"""Builds one provider; imports its SDK only when called (each SDK costs ≈20–30 MB and
seconds to import, docs/benchmarks.md, *Load*)."""


def gemini_sdk(connection: Connection) -> Provider:
    """The google-genai adapter."""
    from innertalk.infrastructure.llm.providers.gemini import GeminiProvider

    return GeminiProvider(**asdict(connection))


def anthropic_sdk(connection: Connection) -> Provider:
    """The anthropic adapter."""
    from innertalk.infrastructure.llm.providers.anthropic import AnthropicProvider

    return AnthropicProvider(**asdict(connection))


def openai_sdk(connection: Connection) -> Provider:
    """The openai adapter, against OpenAI itself."""
    from innertalk.infrastructure.llm.providers.openai import OpenAIProvider

    return OpenAIProvider(**asdict(connection))


def openai_compatible(connection: Connection) -> Provider:
    """The openai adapter against another server that speaks Chat Completions."""
    from innertalk.infrastructure.llm.providers.openai import OpenAIProvider

    # Compatible servers know max_tokens, no reasoning effort, and may reject OpenAI's
    # prompt_cache_key.
    return OpenAIProvider(
        **asdict(connection),
        length_parameter="max_tokens",
        reasoning_effort=None,
        prompt_cache_key=False,
    )


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    """One provider: its adapter, its variables, its defaults and its breaker.

    ``key_required=False`` marks local servers that accept requests without a key.
    ``default_base_url`` ``None`` means the SDK's own default endpoint.
    """

    name: str
    kind: ProviderKind
    adapter: Adapter
    variables: ProviderVariables
    default_model: str
    fast_model: str | None = None
    default_base_url: str | None = None
    key_required: bool = True
    breaker: BreakerPolicy = DEFAULT_BREAKER
    """Open after this many failures in a row, for this long, unless ``LLM_BREAKERS`` says."""


def _local(name: str, base_url: str, model: str) -> ProviderSpec:
    """A keyless OpenAI-compatible server on this machine or network."""
    return ProviderSpec(
        name=name,
        kind=ProviderKind.OPENAI_COMPATIBLE,
        adapter=openai_compatible,
        variables=ProviderVariables.prefixed(name.upper()),
        default_model=model,
        default_base_url=base_url,
        key_required=False,
    )


PROVIDERS: dict[str, ProviderSpec] = {
    spec.name: spec
    for spec in (
        ProviderSpec(
            name="gemini",
            kind=ProviderKind.SDK,
            adapter=gemini_sdk,
            # google-genai's own names; it prefers GOOGLE_API_KEY when both are set
            variables=ProviderVariables(
                ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
                "GOOGLE_GEMINI_BASE_URL",
                "GEMINI_MODEL",
                "GEMINI_FAST_MODEL",
            ),
            default_model=models.GEMINI_DEFAULT,
            fast_model=models.GEMINI_FAST,
            breaker=BreakerPolicy(3, 30.0),  # fails fast and recovers fast
        ),
        ProviderSpec(
            name="openai",
            kind=ProviderKind.SDK,
            adapter=openai_sdk,
            variables=ProviderVariables.prefixed("OPENAI", fast_model=True),
            default_model=models.OPENAI_DEFAULT,
            fast_model=models.OPENAI_FAST,
        ),
        ProviderSpec(
            name="anthropic",
            kind=ProviderKind.SDK,
            adapter=anthropic_sdk,
            variables=ProviderVariables.prefixed("ANTHROPIC", fast_model=True),
            default_model=models.ANTHROPIC_DEFAULT,
            fast_model=models.ANTHROPIC_FAST,
        ),
        _local("ollama", "http://localhost:11434/v1", "llama3.2"),
        # llama-server answers with the model it loaded, whatever the name
        _local("llamacpp", "http://localhost:8080/v1", "default"),
        # must match the name vLLM serves
        _local("vllm", "http://localhost:8000/v1", "Qwen/Qwen3-8B"),
        ProviderSpec(
            name="openrouter",
            kind=ProviderKind.OPENAI_COMPATIBLE,
            adapter=openai_compatible,
            variables=ProviderVariables.prefixed("OPENROUTER"),
            default_model="google/gemini-3.1-flash-lite",
            default_base_url="https://openrouter.ai/api/v1",
        ),
    )
}
"""The rows, in the default chain's order."""

_KEYLESS = "unused"
"""What keyless local servers are sent: the OpenAI SDK insists on some key."""


def build_provider(
    spec: ProviderSpec,
    *,
    api_key: str | None,
    base_url: str | None = None,
    model: str | None = None,
    fast_model: str | None = None,
    connect_timeout: float = 5.0,
    read_timeout: float = 60.0,
) -> Provider:
    """The provider ``spec`` describes; ``None`` arguments take the row's defaults.

    Raises ``ValueError`` when the row needs a key and ``api_key`` is empty.
    """
    if not api_key and spec.key_required:
        raise ValueError(f"{spec.name}: {spec.variables.api_key[0]} is not set")
    return spec.adapter(
        Connection(
            name=spec.name,
            api_key=api_key or _KEYLESS,
            base_url=base_url or spec.default_base_url,
            default_model=model or spec.default_model,
            fast_model=fast_model or spec.fast_model,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
        )
    )
