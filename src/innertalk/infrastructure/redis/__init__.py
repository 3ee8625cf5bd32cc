"""Adapters shared by every instance through Redis."""
