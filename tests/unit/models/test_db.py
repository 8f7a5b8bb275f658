"""Engine construction from a URL: clear errors for bad URLs, passwords never shown."""

from __future__ import annotations

import pytest

from app.errors import ConfigError, DatabaseUnavailable
from app.models import db


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://packer:s3cret@db.local:5432/packgate", "postgresql+psycopg://packer:***@db.local:5432/packgate"),
        ("sqlite:////var/lib/packgate.db", "sqlite:////var/lib/packgate.db"),
        ("not a url", "<invalid database URL>"),
    ],
)
def test_safe_url_hides_the_password(url, shown):
    assert db.safe_url(url) == shown


@pytest.mark.parametrize(
    ("url", "reason"),
    [("not a url", "Not a database URL"), ("mysql://x@y/z", "Unsupported database 'mysql'"),
     ("postgresql+nodriver://x@y/z", "Unsupported database driver")],
)
def test_bad_urls_are_config_errors(url, reason):
    with pytest.raises(ConfigError, match=reason) as info:
        db.make_engine(url)
    assert "s3cret" not in info.value.message


def test_plain_postgresql_url_uses_psycopg_3():
    engine = db.make_engine("postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        assert engine.url.drivername == "postgresql+psycopg"
    finally:
        engine.dispose()


def test_unreachable_database_is_a_known_error(tmp_path):
    engine = db.make_engine("postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    try:
        with pytest.raises(DatabaseUnavailable, match="Cannot open the database"):
            db.migrate(engine)
    finally:
        engine.dispose()


def test_sqlite_file_folder_is_created(tmp_path):
    path = tmp_path / "deep" / "er" / "packgate.db"
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        db.check_connection(engine)
        assert path.parent.is_dir()
    finally:
        engine.dispose()
