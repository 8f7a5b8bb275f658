"""The one place where PackGate's objects are built and wired (cosmicpython's bootstrap).

Nothing here runs at import time: the CLI, the window and the tests call :func:`bootstrap` with
their own database URL and settings.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.carriers import CarrierCatalogue, load_catalogue
from app.config import Settings, data_dir, resolve_db_url
from app.models import db
from app.models.schema import Carrier
from app.models.types import utcnow
from app.models.uow import UnitOfWork
from app.printing.base import Printer

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    db_url: str
    engine: Engine
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]
    catalogue: CarrierCatalogue
    clock: Callable[[], datetime] = utcnow
    _printers: dict[str, Printer] = field(default_factory=dict, repr=False)
    _write_lock: threading.RLock | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._write_lock = db.write_lock(self.engine)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, self._write_lock, db.SQLITE_BUSY_TIMEOUT_MS / 1000)

    def read_uow(self) -> UnitOfWork:
        return UnitOfWork(self.read_sessions)

    def printer(self, spec: str | None = None) -> Printer:
        """The printer for ``spec`` (default: the settings' printer), built once and reused."""
        from app.printing.printers import make_printer

        spec = spec or self.settings.printer_spec()
        if spec not in self._printers:
            self._printers[spec] = make_printer(
                spec,
                default_pdf_dir=data_dir() / "prints",
                label_size=self.settings.label_size,
                zpl_dpi=self.settings.zpl_dpi,
                font_path=self.settings.label_font or None,
            )
        return self._printers[spec]

    def set_printer(self, printer: Printer) -> None:
        """Use ``printer`` for the settings' spec (tests, stand-ins)."""
        self._printers[self.settings.printer_spec()] = printer

    @property
    def safe_db_url(self) -> str:
        return db.safe_url(self.db_url)

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(
    db_url: str | None = None,
    settings: Settings | None = None,
    *,
    migrate: bool = True,
    clock: Callable[[], datetime] = utcnow,
    catalogue_path: Path | None = None,
) -> Services:
    settings = settings if settings is not None else Settings.load()
    url = resolve_db_url(db_url)
    engine = db.make_engine(url)
    try:
        if migrate:
            db.migrate(engine)
        catalogue = load_catalogue(catalogue_path)
        services = Services(
            settings=settings,
            db_url=url,
            engine=engine,
            sessions=db.session_factory(engine),
            read_sessions=db.session_factory(engine, read_only=True),
            catalogue=catalogue,
            clock=clock,
        )
        sync_carriers(services)
    except BaseException:
        engine.dispose()
        raise
    return services


def sync_carriers(services: Services) -> None:
    """Make the carriers table hold every carrier of the catalogue (idempotent, race-safe)."""
    with services.uow() as uow:
        known = {c.code: c for c in uow.session.scalars(select(Carrier))}
        for carrier in services.catalogue.all():
            row = known.get(carrier.code)
            if row is None:
                uow.session.add(Carrier(code=carrier.code, name_en=carrier.name_en, name_zh=carrier.name_zh))
            elif (row.name_en, row.name_zh) != (carrier.name_en, carrier.name_zh):
                row.name_en, row.name_zh = carrier.name_en, carrier.name_zh
        try:
            uow.session.flush()
        except IntegrityError:  # another bench inserted them at the same moment
            uow.session.rollback()
