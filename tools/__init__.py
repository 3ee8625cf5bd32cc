"""Commands the Makefile runs on the project itself (not part of the installed package)."""
