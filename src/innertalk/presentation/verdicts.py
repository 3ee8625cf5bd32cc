"""An experiment's verdict in plain words, the same sentence in the panel and the API."""

from __future__ import annotations

from innertalk.domain.analytics import Verdict
from innertalk.domain.users import Language
from innertalk.presentation.texts import Catalog, text


def verdict_text(found: Verdict, language: Language) -> str:
    """``Variant B is more often helpful than A (95 %).``, ``No clear difference yet…``"""
    return text(
        Catalog.PANEL_ANALYTICS,
        language,
        f"verdict_{found.kind.value}",
        better=found.better,
        worse=found.worse,
        votes=found.more_votes,
    )
