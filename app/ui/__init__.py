"""The packing station window and its widgets: they render the workflow's state and forward scans."""

# Start-up time: load the Qt-free domain (SQLAlchemy, Alembic, the models, the workflow) before
# PySide6. Once PySide6 is imported, its import hook (shibokensupport's feature_imported) reads the
# source of every module imported after it, which cost ~0.15 s of the window's start.
import app.models.db  # noqa: F401
import app.packing.workflow  # noqa: F401
from app.ui.qtcompat import guard as _guard

_guard()  # PySide6 6.12 on Python 3.11: see app/ui/qtcompat.py
