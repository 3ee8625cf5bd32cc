"""Use cases and the ports (Protocols) they need."""
