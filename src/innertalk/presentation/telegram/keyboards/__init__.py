"""Keyboards and the callback data behind their buttons."""
