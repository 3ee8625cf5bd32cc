"""The composition root: the only package that sees settings, adapters and use cases at once.

``build_app`` (``app.py``) builds every adapter from ``Settings`` and wires the use cases over
them with ``application.services.wire_services``, the function the tests call with fakes.
Entry points are built here too: the Telegram bot and the HTTP server (``bot.py``, imported
only by ``innertalk bot``: aiogram takes seconds to import), the console chat (``console.py``)
and the maintenance commands (``maintenance.py``). ``cli`` only parses arguments and calls
them.
"""

from innertalk.application.services import CoreAdapters, CorePolicy, wire_services
from innertalk.bootstrap.app import App, build_app, core_policy
from innertalk.bootstrap.models import (
    ProviderFactory,
    breaker_policy,
    build_model,
    chain_names,
    crisis_opinion,
    price_table,
    router_policy,
)
from innertalk.bootstrap.stores import (
    SharedState,
    at_rest_cipher,
    open_inbox,
    open_storage,
    shared_state,
)

__all__ = [
    "App",
    "CoreAdapters",
    "CorePolicy",
    "ProviderFactory",
    "SharedState",
    "at_rest_cipher",
    "breaker_policy",
    "build_app",
    "build_model",
    "chain_names",
    "core_policy",
    "crisis_opinion",
    "open_inbox",
    "open_storage",
    "price_table",
    "router_policy",
    "shared_state",
    "wire_services",
]
