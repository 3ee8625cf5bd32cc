"""Crisis safety that never depends on a model.

A deterministic detector for suicidal ideation, self-harm, harm to others, abuse and acute
danger in Russian and English (``detect_crisis``), run on every message before the model and
on every model reply (``screen_model_output``); the hotlines to offer (``hotlines_for``); and
what changes afterwards (``message_key``, ``safety_system_prompt``). Design notes live in the
modules: ``detector`` (pipeline), ``context`` (negation, who, fiction), ``rules`` (how
patterns are written), ``hotlines`` (lookup and overrides), ``output`` (reply screening),
``visible`` (what a person will see of a text: the form ``output`` screens), ``drafts``
(screening a reply while it streams).
"""

from innertalk.domain.safety.caring import seeks_help_for_other
from innertalk.domain.safety.detector import CrisisDetector, default_detector, detect_crisis
from innertalk.domain.safety.drafts import DraftScreen
from innertalk.domain.safety.hotline_defaults import country_for, country_from_timezone
from innertalk.domain.safety.hotlines import (
    DEFAULT_HOTLINES,
    Hotline,
    HotlineDirectory,
    HotlineFormatError,
    HotlineKind,
    Localized,
    country_code,
    hotlines_for,
    merge_hotlines,
    parse_hotlines,
)
from innertalk.domain.safety.output import (
    OutputScreen,
    OutputVerdict,
    screen_model_output,
    withheld_reasons,
)
from innertalk.domain.safety.responses import (
    ADMIN_ALERT_KEY,
    CATALOG,
    HOTLINE_KEY,
    HOTLINE_WITH_NOTE_KEY,
    OUTPUT_WITHHELD_KEY,
    hotline_fields,
    message_key,
    safety_system_prompt,
    with_safety_prompt,
)
from innertalk.domain.safety.signals import CrisisCategory, CrisisHit, CrisisSignal, Severity
from innertalk.domain.safety.visible import visible_readings

__all__ = [
    "ADMIN_ALERT_KEY",
    "CATALOG",
    "DEFAULT_HOTLINES",
    "HOTLINE_KEY",
    "HOTLINE_WITH_NOTE_KEY",
    "OUTPUT_WITHHELD_KEY",
    "CrisisCategory",
    "CrisisDetector",
    "CrisisHit",
    "CrisisSignal",
    "DraftScreen",
    "Hotline",
    "HotlineDirectory",
    "HotlineFormatError",
    "HotlineKind",
    "Localized",
    "OutputScreen",
    "OutputVerdict",
    "Severity",
    "country_code",
    "country_for",
    "country_from_timezone",
    "default_detector",
    "detect_crisis",
    "hotline_fields",
    "hotlines_for",
    "merge_hotlines",
    "message_key",
    "parse_hotlines",
    "safety_system_prompt",
    "screen_model_output",
    "seeks_help_for_other",
    "visible_readings",
    "with_safety_prompt",
    "withheld_reasons",
]
