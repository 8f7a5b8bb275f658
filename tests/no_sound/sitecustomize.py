"""A PC whose sound stack cannot load: ``import PySide6.QtMultimedia`` raises ImportError('libpulse.so.0').

Put this folder on a child's PYTHONPATH and Python imports it at start-up (``sitecustomize``), as on a
bench PC without libpulse; the UI tests put :class:`NoSoundBackEnd` on ``sys.meta_path`` themselves.
"""

from __future__ import annotations

import sys

MISSING = "PySide6.QtMultimedia"


class NoSoundBackEnd:
    """A meta path finder that fails Qt Multimedia's import the way a missing libpulse does."""

    def find_spec(self, name, path=None, target=None):
        if name == MISSING or name.startswith(MISSING + "."):
            raise ImportError("libpulse.so.0: cannot open shared object file: No such file or directory",
                              name=name)
        return None


if __name__ == "sitecustomize":  # the child process of an end-to-end test
    sys.meta_path.insert(0, NoSoundBackEnd())
