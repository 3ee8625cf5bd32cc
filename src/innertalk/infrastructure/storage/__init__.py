"""Storage adapters: in-memory, SQLite and the write-behind queue in front of them."""
