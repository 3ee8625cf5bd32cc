"""Groups: the bot never converses there; it invites people to a private chat, sparingly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.fakes.models import ScriptedModel
from tests.integration.bot_harness import running_bot


async def test_a_group_is_invited_to_a_private_chat_once_per_interval(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Many messages (commands included) in a group: one invitation with a private-chat link;
    nothing reaches the model or the database."""
    model = ScriptedModel()
    async with running_bot(monkeypatch, tmp_path, model=model) as running:
        group = running.telegram.group()
        alex, sam = running.telegram.user(), running.telegram.user(language_code="ru")
        alex.send("hello bot", chat=group)
        sam.send("/start@innertalk_test_bot", chat=group)
        alex.send_sticker(chat=group)
        await running.idle()
        [invite] = group.messages()
        assert invite.text.startswith("Hi! I talk one-on-one")
        [button] = invite.buttons()
        assert button["url"] == "https://t.me/innertalk_test_bot?start=group"
        assert model.requests == []
        assert await running.app.services.profiles.get(running.key(alex)) is None


async def test_the_bot_introduces_itself_when_added_to_a_group(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Being added to a group (my_chat_member) brings the invitation at once."""
    async with running_bot(monkeypatch, tmp_path) as running:
        group = running.telegram.group()
        alex = running.telegram.user()
        bot_user = running.telegram.bot_user
        running.telegram.push_update(
            {
                "my_chat_member": {
                    "chat": group.chat.to_api(), "from": alex.to_api(), "date": int(time.time()),
                    "old_chat_member": {"status": "left", "user": bot_user},
                    "new_chat_member": {"status": "member", "user": bot_user},
                }
            }
        )  # fmt: skip
        [invite] = await running.telegram.wait_for(lambda: group.messages())
        assert "private chat" in invite.text
