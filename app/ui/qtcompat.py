"""Guard against a reference-count bug of PySide6 6.12.0 on Python 3.11.

On that pair every call of a Qt method returning ``void`` drops one reference to ``None`` it never
took, and ``Signal.emit`` does the same to ``True``. Python 3.12+ makes these singletons immortal so
nothing happens there; on 3.11 the interpreter aborts ("none_dealloc: deallocating None") after
some tens of thousands of Qt calls, i.e. within a packing shift. PySide6 6.11.2 does not have the
bug (pin ``PySide6<6.12`` or run on Python 3.12+ to be rid of it).

:func:`guard` probes for the bug once and, only when it is present, gives ``None``, ``True`` and
``False`` a very large extra reference count, which is what Python 3.12 does: these objects are
static and never freed, so the extra count changes nothing else. It runs when ``app.ui`` is imported.
"""

from __future__ import annotations

import ctypes
import sys

_HEADROOM = 1 << 40
_applied = False


def _probe() -> bool:
    from PySide6.QtCore import QObject

    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(64):
        obj.setObjectName("probe")  # a void method
    return before - sys.getrefcount(None) >= 32


def guard() -> bool:
    """Apply the workaround if this PySide6 needs it; returns whether it was needed."""
    global _applied
    if _applied or sys.version_info >= (3, 12):
        return _applied
    if not _probe():
        return False
    for singleton in (None, True, False):
        ctypes.c_ssize_t.from_address(id(singleton)).value += _HEADROOM
    _applied = True
    return True
