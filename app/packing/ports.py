"""What the bench's services need from outside, as a narrow structural type.

The composition root (:mod:`app.bootstrap`) builds the real thing; the domain and the widgets only
see this Protocol, so no layer below the composition root imports it (an import-linter contract in
``pyproject.toml`` proves it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from app.carriers import CarrierCatalogue
from app.config import Settings
from app.models.uow import UnitOfWork
from app.printing.base import Printer


class Services(Protocol):
    settings: Settings
    catalogue: CarrierCatalogue
    clock: Callable[[], datetime]
    db_url: str

    def uow(self) -> UnitOfWork: ...

    def read_uow(self) -> UnitOfWork: ...

    def printer(self, spec: str | None = None) -> Printer: ...

    def set_printer(self, printer: Printer) -> None: ...

    @property
    def safe_db_url(self) -> str: ...
