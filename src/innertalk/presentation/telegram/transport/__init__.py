"""Getting updates in and messages out: the Bot, polling, webhook, lanes."""
