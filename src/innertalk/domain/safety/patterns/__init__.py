"""The crisis pattern tables, per language and category."""
