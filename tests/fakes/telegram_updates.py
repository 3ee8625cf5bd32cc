"""People and groups writing to the bot: they build and push the updates Telegram would send.

Every ``send_*`` / ``press`` / ``edit`` / ``stop_generation`` call pushes one update (to the
getUpdates queue, or to the webhook when one is set) and returns it as a dict, so a test can
also feed it to a dispatcher directly or re-deliver it to test duplicates.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from innertalk.presentation.telegram.render.html_entities import utf16_len
from tests.fakes.telegram_records import BotMessage, Draft, FakeChat

if TYPE_CHECKING:
    from tests.fakes.telegram import FakeTelegram

_numbers = itertools.count(1)
_COMMAND = re.compile(r"/[A-Za-z0-9_]+(?:@\w+)?")


def _media(prefix: str, **fields: Any) -> dict[str, Any]:
    number = next(_numbers)
    return {"file_id": f"{prefix}-{number}", "file_unique_id": f"u{prefix}{number}", **fields}


class SimulatedGroup:
    """A group chat; people post in it with ``user.send(text, chat=group)``."""

    def __init__(self, fake: FakeTelegram, chat: FakeChat) -> None:
        self.fake, self.chat = fake, chat

    @property
    def id(self) -> int:
        return self.chat.id

    def messages(self) -> list[BotMessage]:
        return self.fake.messages_to(self.id)


class SimulatedUser:
    """A person (``language_code`` as their Telegram app reports it) with a private chat."""

    def __init__(
        self, fake: FakeTelegram, user_id: int, first_name: str, language_code: str,
        username: str | None = None, last_name: str | None = None,
    ) -> None:  # fmt: skip
        self.fake, self.id, self.first_name = fake, user_id, first_name
        self.language_code, self.username, self.last_name = language_code, username, last_name

    @property
    def chat(self) -> FakeChat:
        return self.fake.chats[self.id]

    def to_api(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        optional = {"last_name": self.last_name, "username": self.username}
        user |= {name: value for name, value in optional.items() if value}
        return user | ({"language_code": self.language_code} if self.language_code else {})

    # --- messages --------------------------------------------------------------------------

    def message(self, chat: SimulatedGroup | None = None, **content: Any) -> dict[str, Any]:
        """A new message payload from this person (not pushed), e.g. ``message(text="hi")``."""
        target = chat.chat if chat is not None else self.chat
        message_id = target.next_message_id()
        target.user_message_ids.add(message_id)
        header = {"message_id": message_id, "date": int(time.time()), "chat": target.to_api()}
        return header | {"from": self.to_api(), **content}

    def send(
        self, text: str, *, chat: SimulatedGroup | None = None, reply_to: BotMessage | None = None
    ) -> dict[str, Any]:
        """A text message; a leading ``/command`` gets its bot_command entity as in Telegram."""
        content: dict[str, Any] = {"text": text}
        if command := _COMMAND.match(text):
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command.group())}
            ]
        if reply_to is not None:
            content["reply_to_message"] = reply_to.to_api()
        return self._push("message", self.message(chat, **content))

    def edit(self, update: dict[str, Any], text: str) -> dict[str, Any]:
        """An ``edited_message`` for a message this person sent earlier (its update)."""
        original = {k: v for k, v in update["message"].items() if k != "entities"}
        return self._push(
            "edited_message", original | {"text": text, "edit_date": int(time.time())}
        )

    def send_sticker(
        self, emoji: str = "🙂", *, chat: SimulatedGroup | None = None
    ) -> dict[str, Any]:
        sticker = _media("sticker", type="regular", width=512, height=512, is_animated=False)
        return self._send(chat, sticker=sticker | {"is_video": False, "emoji": emoji})

    def send_photo(
        self, caption: str | None = None, *, chat: SimulatedGroup | None = None
    ) -> dict[str, Any]:
        sizes = [_media("photo", width=90, height=90), _media("photo", width=800, height=800)]
        return self._send(chat, caption, photo=sizes)

    def send_voice(
        self, duration: int = 3, *, chat: SimulatedGroup | None = None
    ) -> dict[str, Any]:
        return self._send(chat, voice=_media("voice", duration=duration, mime_type="audio/ogg"))

    def send_audio(
        self, duration: int = 180, *, chat: SimulatedGroup | None = None
    ) -> dict[str, Any]:
        return self._send(chat, audio=_media("audio", duration=duration, title="Song"))

    def send_video(
        self, caption: str | None = None, *, chat: SimulatedGroup | None = None
    ) -> dict[str, Any]:
        return self._send(chat, caption, video=_media("video", width=640, height=360, duration=5))

    def send_video_note(self, *, chat: SimulatedGroup | None = None) -> dict[str, Any]:
        return self._send(chat, video_note=_media("videonote", length=240, duration=5))

    def send_animation(self, *, chat: SimulatedGroup | None = None) -> dict[str, Any]:
        animation = _media("animation", width=320, height=240, duration=2)
        return self._send(chat, animation=animation, document=animation)

    def send_document(
        self, file_name: str = "notes.pdf", mime_type: str = "application/pdf",
        caption: str | None = None, *, chat: SimulatedGroup | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        document = _media("document", file_name=file_name, mime_type=mime_type, file_size=1024)
        return self._send(chat, caption, document=document)

    def send_location(
        self,
        latitude: float = 55.75,
        longitude: float = 37.62,
        *,
        chat: SimulatedGroup | None = None,
    ) -> dict[str, Any]:
        return self._send(chat, location={"latitude": latitude, "longitude": longitude})

    def send_contact(
        self, phone_number: str = "+10000000000", *, chat: SimulatedGroup | None = None
    ) -> dict[str, Any]:
        return self._send(chat, contact={"phone_number": phone_number, "first_name": "Sam"})

    def send_poll(
        self, question: str = "Tea or coffee?", options: Sequence[str] = ("Tea", "Coffee"),
        *, chat: SimulatedGroup | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        choices = [
            {"persistent_id": str(i), "text": text, "voter_count": 0}
            for i, text in enumerate(options)
        ]
        poll = {
            "id": str(next(_numbers)), "question": question, "options": choices,
            "total_voter_count": 0, "is_closed": False, "is_anonymous": True, "type": "regular",
            "allows_multiple_answers": False, "allows_revoting": False, "members_only": False,
        }  # fmt: skip
        return self._send(chat, poll=poll)

    def send_dice(
        self, emoji: str = "🎲", value: int = 4, *, chat: SimulatedGroup | None = None
    ) -> dict[str, Any]:
        return self._send(chat, dice={"emoji": emoji, "value": value})

    # --- buttons, drafts, blocking ---------------------------------------------------------

    def press(
        self,
        data: str | None = None,
        *,
        text: str | None = None,
        message: BotMessage | None = None,
    ) -> dict[str, Any]:
        """Presses the inline button with this ``callback_data`` (or visible ``text``) on
        ``message``, by default the newest bot message in this chat that has one."""
        candidates = [message] if message is not None else reversed(self.messages())
        for candidate in candidates:
            for button in candidate.buttons():
                if (
                    "callback_data" in button
                    and data in (None, button["callback_data"])
                    and text in (None, button["text"])
                ):
                    query = {
                        "id": f"{self.id}-{next(_numbers)}", "from": self.to_api(),
                        "chat_instance": str(candidate.chat_id), "data": button["callback_data"],
                        "message": candidate.to_api(),
                    }  # fmt: skip
                    return self._push("callback_query", query)
        raise AssertionError(f"no button {data or text!r} in the bot's messages to {self.id}")

    def stop_generation(self, draft_id: int) -> dict[str, Any]:
        """The person pressed "stop" on a streamed draft (``can_stop``)."""
        stopped = {"chat": self.chat.to_api(), "draft_id": draft_id}
        return self._push("stopped_message_generation", stopped)

    def block(self, *, blocked: bool = True) -> dict[str, Any]:
        """Blocks the bot (its calls now get 403) and pushes the ``my_chat_member`` update."""
        self.fake.block(self.id, blocked=blocked)
        bot = self.fake.bot_user
        kicked = {"status": "kicked", "user": bot, "until_date": 0}
        member = {"status": "member", "user": bot}
        old, new = (member, kicked) if blocked else (kicked, member)
        change = {"chat": self.chat.to_api(), "from": self.to_api(), "date": int(time.time())}
        return self._push(
            "my_chat_member", change | {"old_chat_member": old, "new_chat_member": new}
        )

    # --- what the bot did for this person --------------------------------------------------

    def messages(self) -> list[BotMessage]:
        return self.fake.messages_to(self.id)

    def drafts(self) -> list[Draft]:
        return self.fake.drafts_in(self.id)

    async def wait_for_messages(
        self,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - the deadline is the point of this helper
    ) -> list[BotMessage]:
        """Waits until the bot has sent at least ``count`` messages to this chat; returns all."""

        def enough() -> list[BotMessage] | None:
            messages = self.messages()
            return messages if len(messages) >= count else None

        return await self.fake.wait_for(enough, timeout)

    def _send(
        self, chat: SimulatedGroup | None, caption: str | None = None, **content: Any
    ) -> dict[str, Any]:
        if caption:
            content["caption"] = caption
        return self._push("message", self.message(chat, **content))

    def _push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.fake.push_update({kind: payload})
