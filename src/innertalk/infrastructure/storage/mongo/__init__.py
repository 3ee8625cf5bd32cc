"""Storage in MongoDB: the adapter, its schema, documents and queries."""
