"""Orders the platform has not confirmed, per UTC hour, kept by the database (the platform tiles
read a few hundred rollup rows instead of anti-joining every order with platform_jobs)

``not_on_platform_hourly`` counts the packed and handed-over orders that have no confirmed ``ship``
job, per bench, three times over: a total (``hour_of`` 'total', on a fixed hour), per UTC hour of
``created_at`` ('created_at') and per UTC hour of ``packed_at`` ('packed_at'; no packing time: the
hour 9999-12-31 23:00, never before anything). Readers take the total and subtract the few recent
hours after the time they ask about (a year of hours times benches would be ~350,000 rows to add
on a site whose platform confirms nothing), then add the partial hour at the edge from orders.

Both tables change it, in the transaction of the change whatever client writes it: triggers on
orders (an order becomes packed, is unlinked, taken back, changes bench) and on platform_jobs (the
platform confirms an order's first waybill, or such a job is voided or deleted). The jobs' triggers
count an order's change of confirmation only when no *other* confirmed ship job already decides it;
on PostgreSQL they run BEFORE each row, so a statement that confirms two jobs of one order sees the
first when it counts the second (AFTER ROW triggers there run once the whole statement is done).
A deleted order is taken out BEFORE the delete, while its jobs (deleted by the cascade) still say
whether it counted. A pending job (the waybill scan's insert) and a hand-over (packed -> handed
over) fire nothing. The upgrade backfills from orders and platform_jobs.

Revision ID: 0013p
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.models.types

revision = "0013p"
down_revision = "0013s"
branch_labels = None
depends_on = None

TABLE = "not_on_platform_hourly"
ORDER_FUNCTION = "packgate_not_on_platform_order"
JOB_FUNCTION = "packgate_not_on_platform_job"
ORDER_TRIGGERS = ("orders_platform_insert", "orders_platform_update", "orders_platform_delete")
JOB_TRIGGERS = ("platform_jobs_rollup_insert", "platform_jobs_rollup_update", "platform_jobs_rollup_delete")
NO_ID = 0
SHIPPED = "('packed', 'handed_over')"
COLUMNS = "hour_of, hour_utc, station_id, orders"
KEY = "hour_of, hour_utc, station_id"
# The hour of the per-bench totals, and of orders packed without a packing time (never "before" a time).
TOTAL_HOUR = "1970-01-01 00:00:00"
NO_PACKED_HOUR = "9999-12-31 23:00:00"
ORDER_WATCHED = ("state", "created_at", "packed_at", "station_id")
JOB_WATCHED = ("order_id", "kind", "state")


def _hour(dialect: str, at: str) -> str:
    """The UTC hour of ``at`` in the column's own storage format (as migrations 0003 and 0004)."""
    if dialect == "postgresql":
        return f"date_trunc('hour', {at})"
    return f"substr({at}, 1, 10) || ' ' || substr({at}, 12, 2) || ':00:00.000000'"


def _confirmed(order_id: str, but_job: str | None = None) -> str:
    """The order has a confirmed ship job (other than job ``but_job``)."""
    other = f" AND j.id <> {but_job}" if but_job else ""
    return (f"EXISTS (SELECT 1 FROM platform_jobs j WHERE j.order_id = {order_id} AND j.kind = 'ship' "
            f"AND j.state = 'confirmed'{other})")


def _deltas(dialect: str, o: str, sign: str, unconfirmed: str, where: str = "", source: str = "") -> str:
    """A SELECT of an order row's three contributions (total, created hour, packed hour) of ``sign``
    when it is shipped and ``unconfirmed``; ``o`` is 'NEW.', 'OLD.' or 'o.' (``source`` then joins orders)."""
    hour = (f"CASE k.hour_of WHEN 'total' THEN {_constant(dialect, TOTAL_HOUR)} "
            f"WHEN 'created_at' THEN {_hour(dialect, f'{o}created_at')} "
            f"ELSE coalesce({_hour(dialect, f'{o}packed_at')}, {_constant(dialect, NO_PACKED_HOUR)}) END")
    kinds = "(SELECT 'total' AS hour_of UNION ALL SELECT 'created_at' UNION ALL SELECT 'packed_at') AS k"
    return (f"SELECT k.hour_of AS hour_of, {hour} AS hour_utc, coalesce({o}station_id, {NO_ID}) AS station_id, "
            f"{sign} AS d FROM {kinds}{source} WHERE {where}{o}state IN {SHIPPED} AND {unconfirmed}")


def _constant(dialect: str, at: str) -> str:
    return f"TIMESTAMP '{at}'" if dialect == "postgresql" else f"'{at}.000000'"


def _upsert(dialect: str, deltas: list[str]) -> str:
    """One statement adding the deltas, netted per row first (an order moved within a bench's hour
    changes nothing; PostgreSQL's ON CONFLICT may not touch one row twice)."""
    target, prefix = (TABLE, "") if dialect == "sqlite" else (f"{TABLE} AS r", "r.")  # unqualified in SQLite
    return (f"INSERT INTO {target} ({COLUMNS}) SELECT {KEY}, sum(d) FROM ({' UNION ALL '.join(deltas)}) AS c "
            f"GROUP BY {KEY} HAVING sum(d) <> 0 ON CONFLICT ({KEY}) DO UPDATE SET orders = {prefix}orders + excluded.orders;")


def _order_steps(dialect: str, op_: str) -> list[str]:
    deltas = []
    if op_ in ("UPDATE", "DELETE"):
        deltas.append(_deltas(dialect, "OLD.", "-1", f"NOT {_confirmed('OLD.id')}"))
    if op_ in ("INSERT", "UPDATE"):
        deltas.append(_deltas(dialect, "NEW.", "1", f"NOT {_confirmed('NEW.id')}"))
    return [_upsert(dialect, deltas)]


def _is_confirmed_ship(row: str) -> str:
    return f"({row}kind = 'ship' AND {row}state = 'confirmed')"


def _job_steps(dialect: str, op_: str) -> list[str]:
    """A confirmation gone counts its order again (+1), a new one takes it out (-1), unless another
    confirmed ship job of the order decides it."""
    deltas = []
    for row, sign, ops in (("OLD.", "1", ("UPDATE", "DELETE")), ("NEW.", "-1", ("INSERT", "UPDATE"))):
        if op_ in ops:
            deltas.append(_deltas(dialect, "o.", sign, f"NOT {_confirmed('o.id', f'{row}id')}",
                                  f"{_is_confirmed_ship(row)} AND o.id = {row}order_id AND ", ", orders o"))
    return [_upsert(dialect, deltas)]


def _distinct(dialect: str, a: str, b: str) -> str:
    return f"{a} IS NOT {b}" if dialect == "sqlite" else f"{a} IS DISTINCT FROM {b}"


def _order_when(dialect: str, op_: str) -> str:
    if op_ == "INSERT":
        return f"NEW.state IN {SHIPPED}"
    if op_ == "DELETE":
        return f"OLD.state IN {SHIPPED}"
    # Only a change of the contribution: packed -> handed over (both shipped, same hours) fires nothing.
    moved = " OR ".join(_distinct(dialect, f"OLD.{c}", f"NEW.{c}") for c in ORDER_WATCHED if c != "state")
    return (f"((OLD.state IN {SHIPPED}) <> (NEW.state IN {SHIPPED}) OR "
            f"((OLD.state IN {SHIPPED} OR NEW.state IN {SHIPPED}) AND ({moved})))")


def _job_when(dialect: str, op_: str) -> str:
    if op_ == "INSERT":
        return _is_confirmed_ship("NEW.")
    if op_ == "DELETE":
        return _is_confirmed_ship("OLD.")
    return (f"({_is_confirmed_ship('OLD.')} <> {_is_confirmed_ship('NEW.')} OR "
            f"(OLD.order_id <> NEW.order_id AND ({_is_confirmed_ship('OLD.')} OR {_is_confirmed_ship('NEW.')})))")


def _events(columns: tuple[str, ...]) -> dict[str, str]:
    return {"INSERT": "INSERT", "UPDATE": f"UPDATE OF {', '.join(columns)}", "DELETE": "DELETE"}


def _trigger_sets(dialect: str) -> list[tuple]:
    """(table, trigger names, events, WHEN, body, PostgreSQL function, BEFORE or AFTER per operation)."""

    def order_timing(op_: str) -> str:
        return "BEFORE" if op_ == "DELETE" else "AFTER"

    def job_timing(op_: str) -> str:
        return "AFTER" if dialect == "sqlite" else "BEFORE"  # SQLite runs row triggers row by row anyway

    return [("orders", ORDER_TRIGGERS, _events(ORDER_WATCHED), _order_when, _order_steps, ORDER_FUNCTION, order_timing),
            ("platform_jobs", JOB_TRIGGERS, _events(JOB_WATCHED), _job_when, _job_steps, JOB_FUNCTION, job_timing)]


def create_trigger_sql(dialect: str) -> list[str]:
    """Statements creating the triggers (also used by bench/bench_summary.py's bulk load)."""
    out = []
    nl = "\n"
    for table, names, events, when, steps, function, timing in _trigger_sets(dialect):
        triggers = list(zip(names, events.items(), strict=True))
        if dialect == "sqlite":
            out += [f"CREATE TRIGGER {name} {timing(op_)} {event} ON {table} WHEN {when(dialect, op_)} "
                    f"BEGIN {' '.join(steps(dialect, op_))} END" for name, (op_, event) in triggers]
            continue
        blocks = nl.join(f"IF TG_OP = '{op_}' THEN\n{nl.join(steps(dialect, op_))}\nEND IF;" for op_ in events)
        # BEFORE a change the row returned is the one written (OLD for a delete); AFTER it, it is ignored.
        out.append(f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{blocks}\n"
                   f"IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;\nRETURN NEW;\nEND $$")
        out += [f"CREATE TRIGGER {name} {timing(op_)} {event} ON {table} FOR EACH ROW "
                f"WHEN ({when(dialect, op_)}) EXECUTE FUNCTION {function}()" for name, (op_, event) in triggers]
    return out


def drop_trigger_sql(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in ORDER_TRIGGERS + JOB_TRIGGERS]
    return ([f"DROP TRIGGER IF EXISTS {name} ON orders" for name in ORDER_TRIGGERS]
            + [f"DROP TRIGGER IF EXISTS {name} ON platform_jobs" for name in JOB_TRIGGERS]
            + [f"DROP FUNCTION IF EXISTS {f}()" for f in (ORDER_FUNCTION, JOB_FUNCTION)])


def backfill_sql(dialect: str) -> str:
    """Rebuild every row from orders and platform_jobs (the table must be empty)."""
    return _upsert(dialect, [_deltas(dialect, "o.", "1", f"NOT {_confirmed('o.id')}", source=", orders o")]).rstrip(";")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        TABLE,
        sa.Column("hour_of", sa.String(length=16), nullable=False),
        sa.Column("hour_utc", app.models.types.UTCDateTime(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.CheckConstraint("hour_of IN ('total', 'created_at', 'packed_at')", name=op.f("ck_not_on_platform_hourly_hour_of_known")),
        sa.PrimaryKeyConstraint("hour_of", "hour_utc", "station_id", name=op.f("pk_not_on_platform_hourly")),
        sqlite_with_rowid=False,
    )
    # Triggers first, then backfill, in one transaction (as 0003 and 0004).
    for sql in create_trigger_sql(dialect):
        op.execute(sql)
    op.execute(backfill_sql(dialect))


def downgrade() -> None:
    for sql in drop_trigger_sql(op.get_bind().dialect.name):
        op.execute(sql)
    op.drop_table(TABLE)
