"""Bot API methods about the bot itself and its updates: getMe, commands, menu button, files,
getUpdates and the webhook."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tests.fakes.telegram_records import BotAPIError, Params, bad_request
from tests.fakes.telegram_validation import method, target_chat

if TYPE_CHECKING:
    from tests.fakes.telegram import FakeTelegram

_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


@method("getMe")
async def get_me(fake: FakeTelegram, params: Params) -> Any:
    return fake.bot_user


@method("getChat")
async def get_chat(fake: FakeTelegram, params: Params) -> Any:
    chat = target_chat(fake, params)
    return chat.to_api() | {"accent_color_id": 0, "max_reaction_count": 11}


@method("getFile")
async def get_file(fake: FakeTelegram, params: Params) -> Any:
    stored = fake.files.get(params.text("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.to_api() | {"file_path": f"files/{stored.file_id}"}


def commands_key(params: Params) -> tuple[str, str]:
    scope = params.json("scope") or {"type": "default"}
    parts = [f"{name}={scope[name]}" for name in sorted(scope)]
    return ",".join(parts), params.text("language_code") or ""


@method("setMyCommands")
async def set_my_commands(fake: FakeTelegram, params: Params) -> Any:
    commands = params.json("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("commands must be a list of at most 100 BotCommand objects")
    for command in commands:
        if not _COMMAND.fullmatch(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    fake.commands[commands_key(params)] = commands
    return True


@method("getMyCommands")
async def get_my_commands(fake: FakeTelegram, params: Params) -> Any:
    return fake.commands.get(commands_key(params), [])


@method("deleteMyCommands")
async def delete_my_commands(fake: FakeTelegram, params: Params) -> Any:
    fake.commands.pop(commands_key(params), None)
    return True


@method("setChatMenuButton")
async def set_chat_menu_button(fake: FakeTelegram, params: Params) -> Any:
    button = params.json("menu_button") or {"type": "default"}
    if params.has("chat_id"):
        target_chat(fake, params).menu_button = button
    else:
        fake.default_menu_button = button
    return True


@method("getChatMenuButton")
async def get_chat_menu_button(fake: FakeTelegram, params: Params) -> Any:
    if params.has("chat_id"):
        return target_chat(fake, params).menu_button or fake.default_menu_button
    return fake.default_menu_button


@method("getUpdates")
async def get_updates(fake: FakeTelegram, params: Params) -> Any:
    if fake.webhook_url:
        raise BotAPIError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    allowed = params.json("allowed_updates")
    if allowed is not None:
        fake.allowed_updates = list(allowed)
    limit = min(max(params.integer("limit", 100) or 100, 1), 100)
    timeout = max(params.integer("timeout", 0) or 0, 0)
    return await fake.poll_updates(params.integer("offset"), limit, timeout)


@method("setWebhook")
async def set_webhook(fake: FakeTelegram, params: Params) -> Any:
    secret = params.text("secret_token")
    if secret is not None and not _SECRET.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    url = params.text("url") or ""
    if url and not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    allowed = params.json("allowed_updates")
    fake.set_webhook(url, secret, None if allowed is None else list(allowed))
    if params.flag("drop_pending_updates"):
        fake.drop_pending_updates()
    return True


@method("deleteWebhook")
async def delete_webhook(fake: FakeTelegram, params: Params) -> Any:
    fake.set_webhook("", None, None)
    if params.flag("drop_pending_updates"):
        fake.drop_pending_updates()
    return True


@method("getWebhookInfo")
async def get_webhook_info(fake: FakeTelegram, params: Params) -> Any:
    info: dict[str, Any] = {"url": fake.webhook_url, "has_custom_certificate": False}
    info["pending_update_count"] = fake.pending_update_count()
    if fake.webhook_url:
        info |= {"max_connections": 40, "ip_address": "127.0.0.1"}
    if fake.allowed_updates is not None:
        info["allowed_updates"] = fake.allowed_updates
    return info


for _name in ("setMyDescription", "setMyShortDescription", "setMyName"):

    async def _store(fake: FakeTelegram, params: Params, name: str = _name) -> Any:
        fake.bot_settings[name] = dict(params.raw)
        return True

    method(_name)(_store)
