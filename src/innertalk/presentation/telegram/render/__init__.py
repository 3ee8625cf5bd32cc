"""Model Markdown to Telegram HTML: rendering, splitting, Telegram's parser."""
