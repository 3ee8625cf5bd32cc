"""Adapters for the ports: storage, language models, clocks, logging."""
