"""Hourly scan rollup kept by the database (the month summary < 300 ms on 5,000,000 scan events)

``scan_stats_hourly`` holds, per UTC hour, packer and bench, the figures the supervisor's summary
reads from scans: scans, refused, accepted item scans, first and last scan. An AFTER INSERT trigger
on scan_events keeps it current in the same transaction as the event, whatever client writes it
(scan_events is append-only, so the rollup only ever grows). The upgrade backfills it from the
events already there.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.models.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLE = "scan_stats_hourly"
TRIGGER = "scan_events_rollup"
FUNCTION = "packgate_scan_rollup"
# Frozen copy of app.models.schema.NOT_SCANS at this revision (a test keeps them equal).
NOT_SCANS = ("print", "reprint", "auth", "release_hold", "cancel", "unlink", "reopen_manifest")
_NOT_SCANS_SQL = ", ".join(f"'{k}'" for k in NOT_SCANS)
NO_ID = 0


def _hour(dialect: str, at: str) -> str:
    """The UTC hour of ``at`` in the column's own storage format."""
    if dialect == "postgresql":
        return f"date_trunc('hour', {at})"
    # SQLAlchemy stores 'YYYY-MM-DD HH:MM:SS.ffffff' on SQLite; the hour as the same text.
    return f"substr({at}, 1, 10) || ' ' || substr({at}, 12, 2) || ':00:00.000000'"


def _refused(dialect: str, prefix: str) -> str:
    return f"{prefix}accepted IS 0" if dialect == "sqlite" else f"{prefix}accepted IS FALSE"


def _item_ok(dialect: str, prefix: str) -> str:
    ok = f"{prefix}accepted IS 1" if dialect == "sqlite" else f"{prefix}accepted IS TRUE"
    return f"{prefix}kind = 'item' AND {ok}"


def create_trigger_sql(dialect: str) -> list[str]:
    """Statements creating the rollup trigger (also used by bench/bench_summary.py's bulk load)."""
    upsert_set = (
        "scans = {t}scans + excluded.scans, refused = {t}refused + excluded.refused, "
        "items = {t}items + excluded.items, first_at = {lo}({t}first_at, excluded.first_at), "
        "last_at = {hi}({t}last_at, excluded.last_at)"
    )
    columns = "hour_utc, user_id, station_id, scans, refused, items, first_at, last_at"
    if dialect == "sqlite":
        # Inside a SQLite trigger the upsert's target table may not be qualified: the bare column
        # names of DO UPDATE SET are the existing row, ``excluded`` the new one.
        values = (f"{_hour(dialect, 'NEW.at')}, coalesce(NEW.user_id, {NO_ID}), coalesce(NEW.station_id, {NO_ID}), "
                  f"1, CASE WHEN {_refused(dialect, 'NEW.')} THEN 1 ELSE 0 END, "
                  f"CASE WHEN {_item_ok(dialect, 'NEW.')} THEN 1 ELSE 0 END, NEW.at, NEW.at")
        return [
            f"CREATE TRIGGER {TRIGGER} AFTER INSERT ON scan_events WHEN NEW.kind NOT IN ({_NOT_SCANS_SQL}) BEGIN "
            f"INSERT INTO {TABLE} ({columns}) VALUES ({values}) "
            f"ON CONFLICT (hour_utc, user_id, station_id) DO UPDATE SET {upsert_set.format(t='', lo='min', hi='max')}; "
            "END"
        ]
    values = (f"{_hour(dialect, 'NEW.at')}, coalesce(NEW.user_id, {NO_ID}), coalesce(NEW.station_id, {NO_ID}), "
              f"1, CASE WHEN {_refused(dialect, 'NEW.')} THEN 1 ELSE 0 END, "
              f"CASE WHEN {_item_ok(dialect, 'NEW.')} THEN 1 ELSE 0 END, NEW.at, NEW.at")
    return [
        f"""
        CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {TABLE} AS r ({columns}) VALUES ({values})
            ON CONFLICT (hour_utc, user_id, station_id) DO UPDATE SET
                {upsert_set.format(t='r.', lo='LEAST', hi='GREATEST')};
            RETURN NULL;
        END $$
        """,
        f"CREATE TRIGGER {TRIGGER} AFTER INSERT ON scan_events FOR EACH ROW "
        f"WHEN (NEW.kind NOT IN ({_NOT_SCANS_SQL})) EXECUTE FUNCTION {FUNCTION}()",
    ]


def drop_trigger_sql(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {TRIGGER}"]
    return [f"DROP TRIGGER IF EXISTS {TRIGGER} ON scan_events", f"DROP FUNCTION IF EXISTS {FUNCTION}()"]


def backfill_sql(dialect: str) -> str:
    """Rebuild every row of the rollup from scan_events (the table must be empty)."""
    return (
        f"INSERT INTO {TABLE} (hour_utc, user_id, station_id, scans, refused, items, first_at, last_at) "
        f"SELECT {_hour(dialect, 'at')}, coalesce(user_id, {NO_ID}), coalesce(station_id, {NO_ID}), count(*), "
        f"sum(CASE WHEN {_refused(dialect, '')} THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN {_item_ok(dialect, '')} THEN 1 ELSE 0 END), min(at), max(at) "
        f"FROM scan_events WHERE kind NOT IN ({_NOT_SCANS_SQL}) GROUP BY 1, 2, 3"
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        TABLE,
        sa.Column("hour_utc", app.models.types.UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("scans", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("first_at", app.models.types.UTCDateTime(), nullable=False),
        sa.Column("last_at", app.models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("hour_utc", "user_id", "station_id", name=op.f("pk_scan_stats_hourly")),
        sqlite_with_rowid=False,
    )
    # Trigger first, then backfill, in one transaction: on PostgreSQL CREATE TRIGGER locks out
    # writers of scan_events until commit, so no event is missed nor counted twice.
    for sql in create_trigger_sql(dialect):
        op.execute(sql)
    op.execute(backfill_sql(dialect))


def downgrade() -> None:
    for sql in drop_trigger_sql(op.get_bind().dialect.name):
        op.execute(sql)
    op.drop_table(TABLE)
