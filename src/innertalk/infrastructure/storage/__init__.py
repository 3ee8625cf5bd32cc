"""Storage adapters: SQLite, MongoDB, local (this process only), and write-behind in front."""
