"""The panel's ``/providers`` page: breaker states, latency, errors and fallbacks per
provider of the model chain (issue 16)."""

from __future__ import annotations

from innertalk.presentation.panel.providers.page import provider_pages

__all__ = ["provider_pages"]
