"""Every provider InnerTalk can use, as data: one ``ProviderSpec`` row each.

A provider with its own SDK has a module (``gemini.py``, ``openai.py``, ``anthropic.py``);
every server that speaks OpenAI Chat Completions is only a row of kind
``"openai_compatible"``. Adding one is one line here plus its settings.

The rows name the environment variables the SDKs themselves use; the composition root reads
them (nothing in this package reads the environment). Default models, chosen in November
2026 against the installed SDKs and the providers' model and deprecation pages:

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

from dataclasses import dataclass
from typing import Literal

from innertalk.infrastructure.llm import models
from innertalk.infrastructure.llm.provider import Provider

ProviderKind = Literal["gemini", "openai", "anthropic", "openai_compatible"]


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    """One provider: which adapter serves it, where it lives, its models and its variables.

    ``key_variable`` holds the API key; ``key_required=False`` marks local servers that
    accept requests without one. ``default_base_url`` ``None`` means the SDK's own default.
    """

    name: str
    kind: ProviderKind
    key_variable: str
    default_base_url: str | None
    default_model: str
    fast_model: str | None
    key_required: bool = True


PROVIDERS: dict[str, ProviderSpec] = {
    spec.name: spec
    for spec in (
        ProviderSpec(
            name="gemini",
            kind="gemini",
            key_variable="GEMINI_API_KEY",  # google-genai prefers GOOGLE_API_KEY when both are set
            default_base_url=None,
            default_model=models.GEMINI_DEFAULT,
            fast_model=models.GEMINI_FAST,
        ),
        ProviderSpec(
            name="openai",
            kind="openai",
            key_variable="OPENAI_API_KEY",
            default_base_url=None,
            default_model=models.OPENAI_DEFAULT,
            fast_model=models.OPENAI_FAST,
        ),
        ProviderSpec(
            name="anthropic",
            kind="anthropic",
            key_variable="ANTHROPIC_API_KEY",
            default_base_url=None,
            default_model=models.ANTHROPIC_DEFAULT,
            fast_model=models.ANTHROPIC_FAST,
        ),
        ProviderSpec(
            name="ollama",
            kind="openai_compatible",
            key_variable="OLLAMA_API_KEY",
            default_base_url="http://localhost:11434/v1",
            default_model="llama3.2",
            fast_model=None,
            key_required=False,
        ),
        ProviderSpec(
            name="llamacpp",
            kind="openai_compatible",
            key_variable="LLAMACPP_API_KEY",
            default_base_url="http://localhost:8080/v1",
            default_model="default",  # llama-server answers with the model it loaded
            fast_model=None,
            key_required=False,
        ),
        ProviderSpec(
            name="vllm",
            kind="openai_compatible",
            key_variable="VLLM_API_KEY",
            default_base_url="http://localhost:8000/v1",
            default_model="Qwen/Qwen3-8B",  # must match the name vLLM serves
            fast_model=None,
            key_required=False,
        ),
        ProviderSpec(
            name="openrouter",
            kind="openai_compatible",
            key_variable="OPENROUTER_API_KEY",
            default_base_url="https://openrouter.ai/api/v1",
            default_model="google/gemini-3.1-flash-lite",
            fast_model=None,
        ),
    )
}

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
        raise ValueError(f"{spec.name}: {spec.key_variable} is not set")
    key = api_key or _KEYLESS
    url = base_url or spec.default_base_url
    default_model = model or spec.default_model
    fast = fast_model or spec.fast_model
    # each SDK is imported only when a provider of its kind is built
    if spec.kind == "gemini":
        from innertalk.infrastructure.llm import gemini

        return gemini.GeminiProvider(
            name=spec.name,
            api_key=key,
            base_url=url,
            default_model=default_model,
            fast_model=fast,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
        )
    if spec.kind == "anthropic":
        from innertalk.infrastructure.llm import anthropic

        return anthropic.AnthropicProvider(
            name=spec.name,
            api_key=key,
            base_url=url,
            default_model=default_model,
            fast_model=fast,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
        )
    from innertalk.infrastructure.llm import openai

    compatible = spec.kind == "openai_compatible"
    return openai.OpenAIProvider(
        name=spec.name,
        api_key=key,
        base_url=url,
        default_model=default_model,
        fast_model=fast,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        # Compatible servers know max_tokens, and no reasoning effort.
        length_parameter="max_tokens" if compatible else "max_completion_tokens",
        reasoning_effort=None if compatible else "none",
        prompt_cache_key=not compatible,  # an OpenAI parameter others may reject
    )
