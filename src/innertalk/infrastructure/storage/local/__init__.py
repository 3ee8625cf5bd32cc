"""Storage in this process only (gone at exit): the fake behind unit tests."""
