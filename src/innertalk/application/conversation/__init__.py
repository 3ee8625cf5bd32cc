"""Use cases of the conversation: talk, sessions, context, memory."""
