"""Alembic environment: the engine is handed in by app.models.db.migrate (never built here)."""

from alembic import context

import app.models.evidence  # noqa: F401 - the clip index tables belong to the same metadata
import app.models.returns  # noqa: F401 - the returns tables too
from app.models.schema import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:  # `alembic` run by hand: use the URL given with -x url=...
        from app.models.db import make_engine

        engine = make_engine(context.get_x_argument(as_dictionary=True)["url"])
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
