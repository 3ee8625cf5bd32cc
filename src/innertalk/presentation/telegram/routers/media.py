"""Everything a person may send besides text: each gets a friendly answer, none is kept.

Photos, videos and documents with a caption are answered by their caption (with a note that
the attachment itself isn't seen). Edited messages are not re-read — answering an edit again
would put a second reply into the conversation for one message — the person is told so, at
most once per ``edit_note_interval``.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType, ContentType
from aiogram.types import Message

from innertalk.application.services import Services
from innertalk.domain.users import Language, Profile, UserKey
from innertalk.presentation.telegram.cooldowns import Cooldown
from innertalk.presentation.telegram.routers.talk import converse
from innertalk.presentation.telegram.transport.sender import Sender
from innertalk.presentation.telegram.transport.streaming import Generations

ANSWERS = {
    ContentType.STICKER: "sticker",
    ContentType.ANIMATION: "sticker",
    ContentType.PHOTO: "photo",
    ContentType.VOICE: "voice",
    ContentType.AUDIO: "voice",
    ContentType.VIDEO_NOTE: "voice",
    ContentType.VIDEO: "video",
    ContentType.DOCUMENT: "document",
    ContentType.LOCATION: "location",
    ContentType.VENUE: "location",
    ContentType.CONTACT: "contact",
    ContentType.POLL: "poll",
    ContentType.STORY: "other_media",
    ContentType.GAME: "other_media",
    ContentType.PAID_MEDIA: "other_media",
    ContentType.CHECKLIST: "other_media",
}
"""Content type → the text that answers it."""

CAPTIONED = frozenset({ContentType.PHOTO, ContentType.VIDEO, ContentType.DOCUMENT})


async def on_media(message: Message, language: Language, sender: Sender) -> None:
    await sender.say(message.chat.id, language, ANSWERS[ContentType(message.content_type)])


async def on_captioned(
    message: Message,
    key: UserKey,
    profile: Profile,
    services: Services,
    sender: Sender,
    generations: Generations,
) -> None:
    assert message.caption is not None
    await sender.say(message.chat.id, profile.language, "caption_only")
    await converse(
        message,
        message.caption,
        key=key,
        profile=profile,
        services=services,
        sender=sender,
        generations=generations,
    )


async def on_dice(message: Message, language: Language, sender: Sender) -> None:
    assert message.dice is not None
    await sender.say(message.chat.id, language, "dice", value=message.dice.value)


async def on_edited(message: Message, language: Language, edits: Cooldown, sender: Sender) -> None:
    if message.from_user is not None and edits.ready(message.from_user.id):
        await sender.say(message.chat.id, language, "edited")


def _has_words(message: Message) -> bool:
    return bool(message.caption and message.caption.strip())


def build() -> Router:
    router = Router(name="media")
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.message.register(on_captioned, F.content_type.in_(CAPTIONED), _has_words)
    router.message.register(on_media, F.content_type.in_(set(ANSWERS)))
    router.message.register(on_dice, F.dice)
    router.edited_message.register(on_edited, F.chat.type == ChatType.PRIVATE)
    return router
