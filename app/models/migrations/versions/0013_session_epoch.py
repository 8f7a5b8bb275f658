"""Sessions that can be ended; an audit trail no event can join unhashed, whose heads stay

* ``users.session_epoch`` and ``stations.session_epoch``: a session (a bench's or a desk's) carries
  the epochs it was signed under and is dead once one moved on. A logout or a login at a station
  moves the station's; ``users disable``, ``users set-pin``, ``users unlock`` and a lockout move the
  user's.
* Every new ``scan_events`` row must carry its chain link (``chain_seq``, ``prev_hash``,
  ``hash``): a BEFORE INSERT trigger on both databases (the events from before migration 0008 stay
  as they are; a CHECK would rebuild SQLite's append-only table, and PostgreSQL's ``NOT VALID``
  CHECK cannot be reflected back by SQLAlchemy).
* ``audit_chain_heads`` keeps how many events of each chain are older than the chain
  (``legacy_events``, with their first and last id), so ``audit verify`` tells them from an unhashed
  row inserted later; its rows are never deleted and their position never goes back (triggers).

Revision ID: 0013a
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013a"
down_revision = "0012"
branch_labels = None
depends_on = None

NO_ID = 0  # the bench key of events without a bench (app.models.schema.NO_ID at this revision)
UNCHAINED = "chain_seq IS NULL OR prev_hash IS NULL OR hash IS NULL"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column("users", sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("stations", sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("audit_chain_heads", sa.Column("legacy_events", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("audit_chain_heads", sa.Column("legacy_first_id", sa.Integer(), nullable=True))
    op.add_column("audit_chain_heads", sa.Column("legacy_last_id", sa.Integer(), nullable=True))
    # The events written before the chain began, per chain: a head row for every chain that has any.
    bind = op.get_bind()
    legacy = bind.execute(sa.text(
        f"SELECT COALESCE(station_id, {NO_ID}) AS k, count(*), min(id), max(id) FROM scan_events "
        f"WHERE {UNCHAINED} GROUP BY COALESCE(station_id, {NO_ID})")).all()
    heads = {k for (k,) in bind.execute(sa.text("SELECT bench_key FROM audit_chain_heads"))}
    for key, n, first, last in legacy:
        if key not in heads:
            bind.execute(sa.text("INSERT INTO audit_chain_heads (bench_key, seq, last_hash) VALUES (:k, 0, :g)"),
                         {"k": key, "g": "0" * 64})
        bind.execute(sa.text("UPDATE audit_chain_heads SET legacy_events = :n, legacy_first_id = :f, "
                             "legacy_last_id = :l WHERE bench_key = :k"), {"n": n, "f": first, "l": last, "k": key})
    if dialect == "sqlite":
        op.execute("CREATE TRIGGER scan_events_no_unchained BEFORE INSERT ON scan_events "
                   "WHEN NEW.chain_seq IS NULL OR NEW.prev_hash IS NULL OR NEW.hash IS NULL "
                   "BEGIN SELECT RAISE(ABORT, 'scan_events: every event needs its chain link (chain_seq, prev_hash, hash)'); END")
        op.execute("CREATE TRIGGER audit_chain_heads_no_delete BEFORE DELETE ON audit_chain_heads "
                   "BEGIN SELECT RAISE(ABORT, 'audit_chain_heads: a chain head is never deleted'); END")
        op.execute("CREATE TRIGGER audit_chain_heads_forward BEFORE UPDATE ON audit_chain_heads "
                   "WHEN NEW.seq < OLD.seq OR NEW.bench_key <> OLD.bench_key "
                   "BEGIN SELECT RAISE(ABORT, 'audit_chain_heads: a chain head never goes back'); END")
    else:
        # A trigger, not a CHECK ... NOT VALID: SQLAlchemy's reflection cannot read a NOT VALID
        # constraint back (alembic's compare warns), and a trigger states the same rule for new rows.
        op.execute("""
            CREATE FUNCTION packgate_no_unchained_event() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.chain_seq IS NULL OR NEW.prev_hash IS NULL OR NEW.hash IS NULL THEN
                    RAISE EXCEPTION 'scan_events: every event needs its chain link (chain_seq, prev_hash, hash)'
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
            END $$
        """)
        op.execute("CREATE TRIGGER scan_events_no_unchained BEFORE INSERT ON scan_events "
                   "FOR EACH ROW EXECUTE FUNCTION packgate_no_unchained_event()")
        op.execute("""
            CREATE FUNCTION packgate_chain_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' OR NEW.seq < OLD.seq OR NEW.bench_key <> OLD.bench_key THEN
                    RAISE EXCEPTION 'audit_chain_heads: a chain head is never deleted and never goes back (%)', TG_OP
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NEW;
            END $$
        """)
        op.execute("CREATE TRIGGER audit_chain_heads_forward BEFORE UPDATE OR DELETE ON audit_chain_heads "
                   "FOR EACH ROW EXECUTE FUNCTION packgate_chain_head_forward()")
        op.execute("CREATE TRIGGER audit_chain_heads_no_truncate BEFORE TRUNCATE ON audit_chain_heads "
                   "FOR EACH STATEMENT EXECUTE FUNCTION packgate_chain_head_forward()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("scan_events_no_unchained", "audit_chain_heads_no_delete", "audit_chain_heads_forward"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_chain_heads_forward ON audit_chain_heads")
        op.execute("DROP TRIGGER IF EXISTS audit_chain_heads_no_truncate ON audit_chain_heads")
        op.execute("DROP FUNCTION IF EXISTS packgate_chain_head_forward()")
        op.execute("DROP TRIGGER IF EXISTS scan_events_no_unchained ON scan_events")
        op.execute("DROP FUNCTION IF EXISTS packgate_no_unchained_event()")
    for table, column in (("audit_chain_heads", "legacy_last_id"), ("audit_chain_heads", "legacy_first_id"),
                          ("audit_chain_heads", "legacy_events"), ("stations", "session_epoch"),
                          ("users", "session_epoch")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")  # SQLite >= 3.35 and PostgreSQL alike
