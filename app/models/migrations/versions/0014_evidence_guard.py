"""A bench's clip names no file at the server until the server stored and verified it

Rows delivered by benches behind the server kept the bench's path in ``path``, a file the server
could then be made to read. Such a row not yet uploaded keeps that path as ``bench_path`` only, and
the database refuses a bench's row with a path the server did not set.

Revision ID: 0013e
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013e"
down_revision = "0013a"
branch_labels = None
depends_on = None

GUARD = "bench_key IS NULL OR uploaded_at IS NOT NULL OR path = ''"


def upgrade() -> None:
    op.execute(sa.text("UPDATE evidence_clips SET bench_path = COALESCE(bench_path, path), path = '' "
                       "WHERE bench_key IS NOT NULL AND uploaded_at IS NULL"))
    with op.batch_alter_table("evidence_clips") as batch:
        batch.create_check_constraint(op.f("ck_evidence_clips_bench_path_not_trusted"), GUARD)


def downgrade() -> None:
    with op.batch_alter_table("evidence_clips") as batch:
        batch.drop_constraint(op.f("ck_evidence_clips_bench_path_not_trusted"), type_="check")
    op.execute(sa.text("UPDATE evidence_clips SET path = bench_path "
                       "WHERE bench_key IS NOT NULL AND uploaded_at IS NULL AND path = ''"))
