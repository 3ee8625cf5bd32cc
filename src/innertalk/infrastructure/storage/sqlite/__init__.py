"""Storage in one SQLite file: the adapter, its schema, rows and queries."""
