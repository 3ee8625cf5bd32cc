"""InnerTalk: a self-hostable AI companion for inner dialogue."""

__version__ = "0.1.0"
