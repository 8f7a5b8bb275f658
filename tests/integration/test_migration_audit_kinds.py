"""Migration 0023: a supervisor's attach of a return, a share link and a paper manifest picked up by
hand are audit events, not scans. Up from the revision before it with an ``attach_return`` event
already counted as a scan (the hourly rows rebuilt without it), down (the old list again) and up, on
both databases."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text

from app.models import db
from app.models.schema import NOT_SCANS
from tests.integration.test_migration_carrier_hold import url  # noqa: F401 - SQLite and PostgreSQL (fixture)


def scans(engine) -> int:
    with engine.begin() as conn:
        return int(conn.execute(text("SELECT coalesce(sum(scans), 0) FROM scan_stats_hourly")).scalar())


def add_events(engine, *kinds: str) -> None:
    """Events as the program writes them: chained (the database refuses an unchained one)."""
    from sqlalchemy.orm import Session

    from app.models.audit_chain import add_events as write

    at = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
    with Session(engine) as s, s.begin():
        write(s, [{"at": at, "station_id": None, "user_id": None, "order_id": None, "manifest_id": None,
                   "raw": "x", "kind": kind, "accepted": True, "message": "", "reason": ""} for kind in kinds])


def test_0023_keeps_a_supervisors_audit_kinds_out_of_the_scan_figures(url):  # noqa: F811
    assert {"attach_return", "share", "manifest_picked_up"} <= set(NOT_SCANS)
    engine = db.make_engine(url)
    try:
        cfg = db._alembic_config(engine)
        down = db_revision_before_0023(cfg)
        command.upgrade(cfg, down)
        add_events(engine, "item", "attach_return")
        assert scans(engine) == 2  # before 0023 the attach counted as a scan
        command.upgrade(cfg, "0023")
        assert scans(engine) == 1  # rebuilt from the events: the item only
        add_events(engine, "share", "manifest_picked_up", "item")
        assert scans(engine) == 2
        command.downgrade(cfg, down)
        assert scans(engine) == 5  # the old list: every one of the five events is a scan again
        add_events(engine, "share")
        assert scans(engine) == 6  # and its trigger counts a new one
        command.upgrade(cfg, "head")
        assert db.current_revision(engine) == db.SCHEMA_HEAD
        assert scans(engine) == 2  # rebuilt once more: item, item
    finally:
        engine.dispose()


def db_revision_before_0023(cfg) -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(cfg).get_revision("0023").down_revision
