"""The packing station window and its widgets: they render the workflow's state and forward scans."""

from app.ui.qtcompat import guard as _guard

_guard()  # PySide6 6.12 on Python 3.11: see app/ui/qtcompat.py
