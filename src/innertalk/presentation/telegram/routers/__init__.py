"""The bot's routers, one per feature, in the order an update tries them.

Groups first (the bot never converses there), then what works before consent: the operators'
/health and /admin (an operator need not consent to run the bot — and since they go nowhere
near onboarding, nothing about them is stored), onboarding, and a catch-all that re-offers
consent. Then the features, then free text (the conversation), then everything else (odd
media, unknown commands, stale buttons).
"""

from __future__ import annotations

from aiogram import Router

from innertalk.presentation.telegram.routers import (
    admin,
    fallback,
    feedback,
    groups,
    health,
    hotlines,
    media,
    membership,
    memory,
    menu,
    privacy,
    settings,
    start,
    talk,
)
from innertalk.presentation.telegram.routers.wellbeing import (
    diary,
    portrait,
    progress,
    questionnaires,
    reminders,
)


def build_routers() -> list[Router]:
    """Fresh routers (a router belongs to one dispatcher), in the order they are tried."""
    return [
        groups.build(),
        membership.build(),
        talk.build_stop(),
        health.build(),  # operators only (IsAdmin); everyone else falls through
        admin.build(),
        hotlines.build(),  # under a crisis notice, which can come before consent
        start.build(),
        menu.build(),
        settings.build(),
        privacy.build(),
        feedback.build(),
        diary.build(),
        progress.build(),
        questionnaires.build(),
        portrait.build(),
        reminders.build(),
        memory.build(),
        talk.build(),
        media.build(),
        fallback.build(),
    ]
