"""The bot's words from the locale catalogs, ready to send as Telegram HTML."""
