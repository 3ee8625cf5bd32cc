"""Words that become part of a stored reply, so the use cases and the model router must have
them before anything is rendered: the composition root hands these functions in.

They stay in the locale catalogs like every other text; only the moment they are read differs.
"""

from __future__ import annotations

from innertalk.domain.safety import OUTPUT_WITHHELD_KEY
from innertalk.domain.users import Language
from innertalk.presentation.texts import Catalog, text


def withheld_reply(language: Language) -> str:
    """What is sent and stored instead of a reply that failed the output screen."""
    return text(Catalog.SAFETY, language, OUTPUT_WITHHELD_KEY)


def cut_off_note(language: Language) -> str:
    """Appended to a streamed reply that broke after some of it was shown."""
    return text(Catalog.REPLY, language, "cut_off")


def withheld_summary(language: Language) -> str:
    """The neutral line stored and shown instead of a session summary that failed the screen."""
    return text(Catalog.REPLY, language, "summary_withheld")
