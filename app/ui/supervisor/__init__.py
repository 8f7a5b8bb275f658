"""The supervisor's shipping summary (PySide6, QtCharts): login, figures, exceptions, actions, exports.

The station window calls :func:`open_supervisor`; so does ``packgate gui --supervisor``.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.desk.port import SupervisorDesk
from app.packing.ports import Services

__all__ = ["open_supervisor"]


def open_supervisor(services: Services, station: str | None, parent: QWidget | None = None, *,
                    desk: SupervisorDesk | None = None) -> QWidget:
    """Show the supervisor's window (login first) and return it; the caller keeps it alive.

    ``desk``: where the shared data is (default: in-process on ``services``; behind the PackGate
    server, :class:`app.client.desk.RemoteDesk`). ``services`` gives this PC's settings and clock."""
    from app.ui.supervisor.window import SupervisorWindow

    window = SupervisorWindow(services, station, parent, desk=desk)
    window.show()
    return window
