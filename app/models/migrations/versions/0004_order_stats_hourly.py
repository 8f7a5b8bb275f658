"""Hourly order rollup kept by the database (the month summary < 300 ms on 1,000,000 orders)

``order_stats_hourly`` holds, per UTC hour, packer, bench and carrier, the order figures the
supervisor's summary reads: orders packed in that hour (keyed by the hour of ``packed_at``), how
many of them have a start time and the sum of their packing durations in integer microseconds
(exact, so subtracting never drifts), and orders handed over in that hour (keyed by the hour of
``handed_over_at``; packer and bench are NO_ID on those contributions, only the carrier counts).

Unlike scan events, orders change: triggers on INSERT, UPDATE (of the columns that matter) and
DELETE of orders subtract the row's old contribution and add its new one, in the same transaction
as the change, whatever client writes it. An unlinked waybill (packed_at cleared) and a reopened
manifest (handed_over_at cleared) thus leave the rollup equal to a GROUP BY over orders. Rows whose
figures fall back to zero stay (readers ignore zero groups). The upgrade backfills from orders.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.models.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLE = "order_stats_hourly"
FUNCTION = "packgate_order_rollup"
TRIGGERS = ("orders_rollup_insert", "orders_rollup_update", "orders_rollup_delete")
NO_ID = 0
COLUMNS = "hour_utc, packer_id, station_id, carrier_code, packed, timed, duration_us, handed_over"
KEY = "hour_utc, packer_id, station_id, carrier_code"
# The columns whose change moves an order's contribution.
PACKED_COLUMNS = ("packed_at", "packing_started_at", "packer_id", "station_id", "carrier_code")
HANDED_COLUMNS = ("handed_over_at", "carrier_code")
WATCHED = ("packed_at", "packing_started_at", "packer_id", "station_id", "carrier_code", "handed_over_at")


def _hour(dialect: str, at: str) -> str:
    """The UTC hour of ``at`` in the column's own storage format (as migration 0003)."""
    if dialect == "postgresql":
        return f"date_trunc('hour', {at})"
    return f"substr({at}, 1, 10) || ' ' || substr({at}, 12, 2) || ':00:00.000000'"


def duration_us(dialect: str, later: str, earlier: str) -> str:
    """``later - earlier`` in whole microseconds, exact on both databases (NULL if either is)."""
    if dialect == "postgresql":
        return f"CAST(extract(epoch FROM ({later} - {earlier})) * 1000000 AS BIGINT)"

    # SQLite text 'YYYY-MM-DD HH:MM:SS[.ffffff]': whole seconds (without the fraction, which
    # strftime would round to milliseconds) plus the microseconds digits.
    def micro(at: str) -> str:
        return f"CAST(substr({at} || '000000', 21, 6) AS INTEGER)"

    return (f"((CAST(strftime('%s', substr({later}, 1, 19)) AS INTEGER) - "
            f"CAST(strftime('%s', substr({earlier}, 1, 19)) AS INTEGER)) * 1000000 + {micro(later)} - {micro(earlier)})")


def _packed_values(dialect: str, row: str, sign: int) -> str:
    dur = duration_us(dialect, f"{row}packed_at", f"{row}packing_started_at")
    return (f"{_hour(dialect, f'{row}packed_at')}, coalesce({row}packer_id, {NO_ID}), "
            f"coalesce({row}station_id, {NO_ID}), {row}carrier_code, {sign}, "
            f"CASE WHEN {row}packing_started_at IS NULL THEN 0 ELSE {sign} END, {sign} * coalesce({dur}, 0), 0")


def _handed_values(dialect: str, row: str, sign: int) -> str:
    return f"{_hour(dialect, f'{row}handed_over_at')}, {NO_ID}, {NO_ID}, {row}carrier_code, 0, 0, 0, {sign}"


def _changed(columns: tuple[str, ...], dialect: str) -> str:
    op_ = "IS NOT" if dialect == "sqlite" else "IS DISTINCT FROM"
    return "(" + " OR ".join(f"OLD.{c} {op_} NEW.{c}" for c in columns) + ")"


def _set(t: str) -> str:
    return ", ".join(f"{c} = {t}{c} + excluded.{c}" for c in ("packed", "timed", "duration_us", "handed_over"))


def _steps(dialect: str, op_: str) -> list[tuple[str, str]]:
    """(condition, values) of each contribution to add (+1) or take back (-1) for one trigger."""
    steps = []
    if op_ in ("UPDATE", "DELETE"):
        only = f" AND {_changed(PACKED_COLUMNS, dialect)}" if op_ == "UPDATE" else ""
        steps.append((f"OLD.packed_at IS NOT NULL{only}", _packed_values(dialect, "OLD.", -1)))
        only = f" AND {_changed(HANDED_COLUMNS, dialect)}" if op_ == "UPDATE" else ""
        steps.append((f"OLD.handed_over_at IS NOT NULL{only}", _handed_values(dialect, "OLD.", -1)))
    if op_ in ("INSERT", "UPDATE"):
        only = f" AND {_changed(PACKED_COLUMNS, dialect)}" if op_ == "UPDATE" else ""
        steps.append((f"NEW.packed_at IS NOT NULL{only}", _packed_values(dialect, "NEW.", 1)))
        only = f" AND {_changed(HANDED_COLUMNS, dialect)}" if op_ == "UPDATE" else ""
        steps.append((f"NEW.handed_over_at IS NOT NULL{only}", _handed_values(dialect, "NEW.", 1)))
    return steps


def _when(dialect: str, op_: str) -> str:
    if op_ == "INSERT":
        return "NEW.packed_at IS NOT NULL OR NEW.handed_over_at IS NOT NULL"
    if op_ == "DELETE":
        return "OLD.packed_at IS NOT NULL OR OLD.handed_over_at IS NOT NULL"
    return _changed(WATCHED, dialect)


def create_trigger_sql(dialect: str) -> list[str]:
    """Statements creating the rollup triggers (also used by bench/bench_summary.py's bulk load)."""
    events = {"INSERT": "INSERT", "UPDATE": f"UPDATE OF {', '.join(WATCHED)}", "DELETE": "DELETE"}
    if dialect == "sqlite":
        out = []
        for name, (op_, event) in zip(TRIGGERS, events.items(), strict=True):
            # Inside a SQLite trigger the upsert's target may not be qualified; ``WHERE`` after the
            # SELECT also keeps the parser from reading ON CONFLICT as a join constraint.
            body = " ".join(
                f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {values} WHERE {cond} "
                f"ON CONFLICT ({KEY}) DO UPDATE SET {_set('')};"
                for cond, values in _steps(dialect, op_)
            )
            out.append(f"CREATE TRIGGER {name} AFTER {event} ON orders WHEN {_when(dialect, op_)} BEGIN {body} END")
        return out
    blocks = []
    for op_ in events:
        body = "\n".join(
            f"IF {cond} THEN INSERT INTO {TABLE} AS r ({COLUMNS}) VALUES ({values}) "
            f"ON CONFLICT ({KEY}) DO UPDATE SET {_set('r.')}; END IF;"
            for cond, values in _steps(dialect, op_)
        )
        blocks.append(f"IF TG_OP = '{op_}' THEN\n{body}\nEND IF;")
    nl = "\n"
    out = [
        f"""
        CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {nl.join(blocks)}
            RETURN NULL;
        END $$
        """
    ]
    for name, (op_, event) in zip(TRIGGERS, events.items(), strict=True):
        out.append(f"CREATE TRIGGER {name} AFTER {event} ON orders FOR EACH ROW "
                   f"WHEN ({_when(dialect, op_)}) EXECUTE FUNCTION {FUNCTION}()")
    return out


def drop_trigger_sql(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS]
    return [f"DROP TRIGGER IF EXISTS {name} ON orders" for name in TRIGGERS] + [f"DROP FUNCTION IF EXISTS {FUNCTION}()"]


def backfill_sql(dialect: str) -> str:
    """Rebuild every row of the rollup from orders (the table must be empty)."""
    packed = _packed_values(dialect, "", 1)
    handed = _handed_values(dialect, "", 1)
    return (
        f"WITH c ({COLUMNS}) AS ("
        f"SELECT {packed} FROM orders WHERE packed_at IS NOT NULL UNION ALL "
        f"SELECT {handed} FROM orders WHERE handed_over_at IS NOT NULL) "
        f"INSERT INTO {TABLE} ({COLUMNS}) "
        f"SELECT {KEY}, sum(packed), sum(timed), sum(duration_us), sum(handed_over) FROM c GROUP BY {KEY}"
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        TABLE,
        sa.Column("hour_utc", app.models.types.UTCDateTime(), nullable=False),
        sa.Column("packer_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("carrier_code", sa.String(length=16), nullable=False),
        sa.Column("packed", sa.Integer(), nullable=False),
        sa.Column("timed", sa.Integer(), nullable=False),
        sa.Column("duration_us", sa.BigInteger(), nullable=False),
        sa.Column("handed_over", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour_utc", "packer_id", "station_id", "carrier_code",
                                name=op.f("pk_order_stats_hourly")),
        sqlite_with_rowid=False,
    )
    # Triggers first, then backfill, in one transaction (as 0003): on PostgreSQL CREATE TRIGGER
    # locks out writers of orders until commit, so no change is missed nor counted twice.
    for sql in create_trigger_sql(dialect):
        op.execute(sql)
    op.execute(backfill_sql(dialect))


def downgrade() -> None:
    for sql in drop_trigger_sql(op.get_bind().dialect.name):
        op.execute(sql)
    op.drop_table(TABLE)
