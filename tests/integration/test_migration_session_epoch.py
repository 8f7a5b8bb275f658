"""Migration 0013a on SQLite and PostgreSQL: events older than the chain still verify (counted per
chain), an unhashed event added later does not; sessions get their epochs; down and up again."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from app.bootstrap import bootstrap
from app.config import Settings
from app.models import db
from app.models.audit_chain import verify
from tests.integration.test_audit_chain import add_events, tamper

OLD = ("INSERT INTO scan_events (at, station_id, raw, kind, accepted, message, reason) "
       "VALUES ('2026-11-01 10:00:00.000000', {station}, 'old', 'item', true, 'before the chain', '')")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrate.db'}"
    return request.getfixturevalue("pg_url")


def test_0013a_keeps_events_older_than_the_chain_and_names_one_added_later(url, clock):
    from alembic import command

    engine = db.make_engine(url)
    try:
        cfg = db._alembic_config(engine)
        command.upgrade(cfg, "0012")
        with engine.begin() as conn:  # a trail written before migration 0008: no links
            conn.execute(text("INSERT INTO stations (name, created_at) VALUES ('BENCH-A', '2026-11-01 09:00:00')"))
            for station in ("1", "1", "1", "NULL", "NULL"):
                conn.execute(text(OLD.format(station=station)))
        command.upgrade(cfg, "0013a")
        assert "session_epoch" in {c["name"] for c in inspect(engine).get_columns("users")}
        command.downgrade(cfg, "0012")
        command.upgrade(cfg, "0013a")
    finally:
        engine.dispose()
    services = bootstrap(url, Settings(station="TEST-BENCH"), clock=clock)
    try:
        add_events(services, "BENCH-A", 4)
        add_events(services, None, 2)
        with services.read_uow() as uow:
            result = verify(uow.session)
        assert result.ok and result.unchained == 5
        assert {b.bench: b.events for b in result.benches} == {"BENCH-A": 4, "(no bench)": 2}
        with pytest.raises(Exception), services.engine.begin() as conn:  # noqa: B017 - differs per driver
            conn.execute(text(OLD.format(station="1")))
        tamper(services, OLD.format(station="1"))
        with services.read_uow() as uow:
            problem = {b.bench: b.problem for b in verify(uow.session).benches}["BENCH-A"]
        assert "inserted outside the chain" in problem["what"]
    finally:
        services.close()
