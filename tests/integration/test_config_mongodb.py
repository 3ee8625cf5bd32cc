"""DATABASE_URL names a MongoDB database: accepted forms, the database name, printing it."""

from __future__ import annotations

import pytest

from innertalk.config import StorageSettings


def storage(url: str) -> StorageSettings:
    return StorageSettings(database_url=url)


@pytest.mark.parametrize(
    ("url", "database"),
    [
        ("mongodb://localhost:27017", "innertalk"),
        ("mongodb://mongodb:27017/innertalk", "innertalk"),
        ("mongodb://a:27017,b:27017/bot_2/?replicaSet=rs0&maxPoolSize=20", "bot_2"),
        ("mongodb+srv://ops:pw@cluster0.example.net/prod?retryWrites=true", "prod"),
    ],
)
def test_mongodb_urls_are_accepted_with_their_database(url: str, database: str) -> None:
    """mongodb:// and mongodb+srv:// URLs select MongoDB; the path names the database."""
    settings = storage(url)
    assert settings.backend == "mongodb"
    assert settings.mongodb_database == database


def test_sqlite_stays_the_default_backend() -> None:
    """Without DATABASE_URL the backend is SQLite."""
    assert StorageSettings().backend == "sqlite"


def test_a_printed_url_never_shows_the_password() -> None:
    """The URL shown to operators masks the password and keeps everything else."""
    assert (
        storage("mongodb://ops:s3cr%40t@db:27017/x?tls=true").database_label
        == "mongodb://ops:***@db:27017/x?tls=true"
    )
    assert storage("mongodb://db/x").database_label == "mongodb://db/x"
    assert storage("sqlite:///data/x.db").database_label == "sqlite:///data/x.db"
