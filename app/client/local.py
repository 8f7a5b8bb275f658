"""What a bench behind the PackGate server has of its own: settings, the carrier catalogue, a clock
and its printer. No database: everything else goes through the server."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from app.carriers import CarrierCatalogue, load_catalogue
from app.config import Settings, data_dir
from app.errors import KnownError
from app.models.types import utcnow
from app.models.uow import UnitOfWork
from app.printing.base import Printer


@dataclass
class LocalServices:
    settings: Settings
    catalogue: CarrierCatalogue = field(default_factory=load_catalogue)
    clock: Callable[[], datetime] = utcnow
    db_url: str = ""
    _printers: dict[str, Printer] = field(default_factory=dict, repr=False)

    def printer(self, spec: str | None = None) -> Printer:
        from app.printing.printers import make_printer

        spec = spec or self.settings.printer_spec()
        if spec not in self._printers:
            self._printers[spec] = make_printer(spec, default_pdf_dir=data_dir() / "prints",
                                                label_size=self.settings.label_size, zpl_dpi=self.settings.zpl_dpi,
                                                font_path=self.settings.label_font or None)
        return self._printers[spec]

    def set_printer(self, printer: Printer) -> None:
        self._printers[self.settings.printer_spec()] = printer

    def uow(self) -> UnitOfWork:
        raise KnownError("This bench works through the PackGate server: it has no database of its own")

    read_uow = uow

    @property
    def safe_db_url(self) -> str:
        return "(through the PackGate server)"
