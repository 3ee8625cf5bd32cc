"""Language model adapters."""
