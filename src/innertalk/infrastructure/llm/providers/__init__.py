"""The SDK-backed providers: one module each, and what only they share."""
