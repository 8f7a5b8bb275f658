"""The packing station window: renders the bench's state and forwards scans.

Scans arrive from the app-wide :class:`ScanFilter` (scanner or typed), go to the :class:`ScanWorker`
thread, and the Outcome comes back by signal to be rendered: step bar, order or handover panel,
instruction, banner and sound. The window decides nothing itself, and drives the bench through its
port (:class:`app.packing.bench_port.BenchPort`) without knowing whether the bench is in-process
or behind the PackGate server.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.desk.port import SupervisorDesk
from app.i18n import QT_TRANSLATE_NOOP
from app.packing.bench_port import BenchPort
from app.packing.outcome import BenchView, Level, Outcome, Step
from app.packing.ports import Services
from app.packing.workflow import CMD_HANDOVER, CMD_LOGOUT, BenchWorkflow
from app.ui.banner import Banner
from app.ui.handover_panel import HandoverPanel
from app.ui.label_preview import LabelPreview
from app.ui.listener import ChangeListener, bench_changes
from app.ui.login_panel import LoginPanel
from app.ui.order_panel import OrderPanel
from app.ui.returns_panel import ReturnsPanel
from app.ui.scanner import ScanFilter
from app.ui.sounds import RecordingSounds, Sounds
from app.ui.steady import SteadyLabel
from app.ui.step_bar import StepBar
from app.ui.text import render, show_as_text
from app.ui.worker import ScanWorker

log = logging.getLogger(__name__)
INSTRUCTION_POINT_SIZE = 30
RETRY_MS = 3000
PLATFORM_POLL_MS = 3000
DUE_SOON_POLL_MS = 60_000  # the idle screen's "due to ship" count moves with the clock: read again this often
DUE_SOON_STYLE = "font-size: 26pt; font-weight: bold; color: %s;"
# Coming to the idle screen, its count is read this long after the scan's banner (not in front of it), and
# only while no scan waits on the worker: a scan right behind it would otherwise wait for the count.
DUE_SOON_ASK_MS = 100
AMBER, QUIET = "#ef6c00", "#9e9e9e"
OFFLINE_STYLE = "QStatusBar { background: #c62828; color: white; font-size: 16pt; font-weight: bold; }"


def _local_desk(services: Services, station: str) -> SupervisorDesk:
    from app.desk.local import LocalDesk  # on first use: the bench starts without it

    return LocalDesk(services, station)


def translate_outcome(text: str) -> str:
    return QCoreApplication.translate("Outcome", text)


PLATFORM_STATES = {
    "pending": QT_TRANSLATE_NOOP("Station", "waiting to be sent"),
    "sent": QT_TRANSLATE_NOOP("Station", "sent, not confirmed yet"),
    "exported": QT_TRANSLATE_NOOP("Station", "in a bulk-shipping file, not uploaded yet"),
    "confirmed": QT_TRANSLATE_NOOP("Station", "confirmed"),
    "failed": QT_TRANSLATE_NOOP("Station", "FAILED: the supervisor sees why"),
}


def due_soon_text(count: int, hours: int) -> str:
    """The idle screen's big line: how many orders are due to ship within ``hours``."""
    if count == 0:
        return QCoreApplication.translate("Station", "No orders due to ship within %1 h").replace("%1", str(hours))
    text = (QCoreApplication.translate("Station", "1 order due to ship within %2 h") if count == 1 else
            QCoreApplication.translate("Station", "%1 orders due to ship within %2 h"))
    return text.replace("%1", str(count)).replace("%2", str(hours))


def platform_state_text(state: str | None) -> str:
    """The small line under the done screen: how far the last order got on the shop platform."""
    shown = QCoreApplication.translate("Station", PLATFORM_STATES[state]) if state in PLATFORM_STATES else \
        QCoreApplication.translate("Station", "not sent yet")
    return QCoreApplication.translate("Station", "Shop platform: %1").replace("%1", shown)


class StationWindow(QMainWindow):
    """``outcome_shown(Outcome)`` after each scan's result is rendered (tests and the benchmark)."""

    outcome_shown = Signal(object)
    view_shown = Signal(object)
    changed_elsewhere = Signal()  # the server's long poll: something changed behind this bench's back
    settings_applied = Signal()  # the settings dialog saved: bench extras (the video strip) take theirs

    def __init__(
        self,
        services: Services,
        station: str,
        *,
        sounds: Sounds | None = None,
        open_supervisor: Callable | None = None,
        workflow: BenchPort | None = None,
        desks: Callable[[], SupervisorDesk] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.station = station
        self.sounds: Sounds = sounds if sounds is not None else RecordingSounds(muted=not services.settings.sounds)
        self._open_supervisor = open_supervisor
        if workflow is None:  # the embedded bench: its port and its desks in-process on ``services``
            from app.platform.ewaybill_bench import for_services

            workflow = BenchWorkflow(services, station, ewaybills=for_services(services))
            desks = desks or (lambda: _local_desk(services, station))
        # The bench's port: in-process, or a RemoteBench behind the PackGate server.
        self.workflow: BenchPort = workflow
        # A new supervisor desk for each supervisor window or settings dialog (each its own session);
        # None: none was given (a bench behind the server without a way to its desk).
        self._desks = desks
        self.view: BenchView = self.workflow.last_view
        self.offline = False
        self.popups: list[QWidget] = []  # supervisor view, settings: kept alive while open
        self._scale_sent: int | None = None
        # Asked before a scan goes to the workflow; an Outcome it returns is shown instead (video required).
        self.scan_gate: Callable[[str, BenchView], Outcome | None] | None = None
        self.setWindowTitle(self.tr("PackGate · %1").replace("%1", station))
        self._build()
        unavailable = getattr(self.sounds, "unavailable", None)  # QtSounds says once when it cannot play
        if unavailable is not None:
            unavailable.connect(self._sound_unavailable)

        self.worker = ScanWorker(self.workflow, self)
        self.worker.handled.connect(self.show_outcome)
        self.worker.viewed.connect(self._on_viewed)
        self.worker.failed.connect(self._on_failed)
        self.scan_filter = ScanFilter(self, services.settings.scanner_suffix, services.settings.scanner_prefix)
        self.scan_filter.scanned.connect(self.submit)
        self.scan_filter.typed.connect(self._mirror)
        self.scan_filter.install()
        self.retry_timer = QTimer(self)
        self.retry_timer.setInterval(RETRY_MS)
        self.retry_timer.timeout.connect(self.worker.refresh)
        # A supervisor's take-back or unlink reaches the bench within a second: the port's wait for a
        # change (embedded, the shift's version; behind the server, its long poll) wakes us, through the
        # one change listener (its own thread; the signal comes on the UI thread).
        self.worker.watched.connect(self.show_outcome)
        self.worker.progressed.connect(self.show_outcome)  # "Label printing…" while an e-waybill prints
        self.changed_elsewhere.connect(self._watch_tick)
        self.listener = ChangeListener(bench_changes(self.workflow.wait_for_change), since="0",
                                       retry_s=RETRY_MS / 1000, name="packgate-bench-listener")
        self.listener.changed.connect(self.changed_elsewhere)
        self.listener.start()
        # While the done screen waits for the platform's confirmation, read the view again now and then
        # (on the worker, like every read).
        self.platform_timer = QTimer(self)
        self.platform_timer.setInterval(PLATFORM_POLL_MS)
        self.platform_timer.timeout.connect(self.worker.refresh)
        self.due_soon_timer = QTimer(self)
        self.due_soon_timer.setInterval(DUE_SOON_POLL_MS)
        self.due_soon_timer.timeout.connect(self.worker.refresh)
        self._due_soon_wanted = False  # the idle screen came up: its count is to be read, off the scan path
        self.due_soon_ask = QTimer(self)
        self.due_soon_ask.setSingleShot(True)
        self.due_soon_ask.setInterval(DUE_SOON_ASK_MS)
        self.due_soon_ask.timeout.connect(self._ask_due_soon)
        self.render_view(self.view)
        show_as_text(self)

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        self.who = QLabel()
        self.who.setStyleSheet("font-size: 16pt;")
        self.handover_button = self._button(self.tr("Handover"), lambda: self.submit(CMD_HANDOVER))
        self.logout_button = self._button(self.tr("Log out"), lambda: self.submit(CMD_LOGOUT))
        self.supervisor_button = self._button(self.tr("Supervisor"), self.open_supervisor)
        self.settings_button = self._button(self.tr("Settings"), self.open_settings)
        top = QHBoxLayout()
        top.addWidget(self.who, 1)
        for button in (self.handover_button, self.logout_button, self.supervisor_button, self.settings_button):
            top.addWidget(button)

        self.step_bar = StepBar()
        self.instruction = SteadyLabel()  # keeps its height from step to step: the window below stays put
        self.instruction.setWordWrap(True)
        font = self.instruction.font()
        font.setPointSize(INSTRUCTION_POINT_SIZE)
        font.setBold(True)
        self.instruction.setFont(font)
        self.banner = Banner()
        self.scan_field = QLineEdit()
        self.scan_field.setReadOnly(True)  # the scan filter owns the typing; this only shows it
        self.scan_field.setPlaceholderText(self.tr("Scan, or type a damaged barcode and press Enter"))
        self.scan_field.setStyleSheet("font-size: 20pt; padding: 6px;")

        self.login_panel = LoginPanel(self.station)
        self.order_panel = OrderPanel()
        self.handover_panel = HandoverPanel()
        self.returns_panel = ReturnsPanel()
        self.idle = QLabel()
        self.idle.setTextFormat(Qt.TextFormat.PlainText)
        # The last order's platform state, small: pending, sent, confirmed, failed...
        self.platform_state = QLabel("")
        self.platform_state.setObjectName("platform_state")
        self.platform_state.setTextFormat(Qt.TextFormat.PlainText)
        self.platform_state.setStyleSheet("font-size: 10pt; color: #757575;")
        # A quiet note when this PC cannot play sounds (said once; scanning goes on without them).
        self.sound_note = QLabel("")
        self.sound_note.setObjectName("sound_note")
        self.sound_note.setTextFormat(Qt.TextFormat.PlainText)
        self.sound_note.setStyleSheet("font-size: 10pt; color: #757575;")
        self.sound_note.hide()
        self.idle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.idle.setStyleSheet("font-size: 22pt; color: #616161;")
        # Under it, big: how many orders are due to ship soon (amber when not zero); read by a refresh of
        # the view on the worker (never by a scan), again every minute while the bench is idle.
        self.due_soon = QLabel("")
        self.due_soon.setObjectName("due_soon")
        self.due_soon.setTextFormat(Qt.TextFormat.PlainText)
        self.due_soon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.due_soon.setWordWrap(True)
        self.due_soon.hide()
        self._due_soon: tuple[int, int] | None = None  # (count, hours) last read
        self.idle_page = QWidget()
        idle_layout = QVBoxLayout(self.idle_page)
        idle_layout.addStretch(1)
        idle_layout.addWidget(self.idle)
        idle_layout.addWidget(self.due_soon)
        idle_layout.addStretch(1)
        self.panels = QStackedWidget()
        for panel in (self.login_panel, self.order_panel, self.handover_panel, self.returns_panel, self.idle_page):
            self.panels.addWidget(panel)
        self.label_preview = LabelPreview()
        self.label_preview.hide()

        body = QVBoxLayout()
        body.addLayout(top)
        body.addWidget(self.step_bar)
        body.addWidget(self.instruction)
        body.addWidget(self.banner)
        self.accessories = QVBoxLayout()  # bench extras built elsewhere (the video strip)
        body.addLayout(self.accessories)
        body.addWidget(self.scan_field)
        middle = QHBoxLayout()
        middle.addWidget(self.panels, 1)
        middle.addWidget(self.label_preview)
        body.addLayout(middle, 1)
        body.addWidget(self.platform_state)
        body.addWidget(self.sound_note)
        central = QWidget()
        central.setLayout(body)
        self.setCentralWidget(central)
        self.statusBar()
        self.fill_screen()

    def fill_screen(self) -> None:
        """The bench has one window: it fills the screen it opens on (a 1366 x 768 bench PC as a 1920 x
        1080 one), maximized; restored, it still fits that screen."""
        available = self.screen().availableGeometry()
        self.resize(min(1280, available.width()), min(900, available.height()))
        self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)

    def _button(self, text: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys belong to the scan path, not to buttons
        button.setMinimumHeight(56)
        button.setStyleSheet("font-size: 16pt; padding: 4px 16px;")
        button.clicked.connect(slot)
        return button

    # ------------------------------------------------------------------ scans

    def submit(self, raw: str) -> None:
        """Send a scan (or a command from a button) to the worker; the outcome comes back by signal."""
        self.scan_field.clear()
        refusal = self.scan_gate(raw, self.view) if self.scan_gate is not None else None
        if refusal is not None:
            self.show_outcome(refusal)
            return
        self.worker.submit(raw)

    def _mirror(self, typed: str) -> None:
        self.scan_field.setText("\u2022" * len(typed) if self.view.step == Step.PIN else typed)

    def show_outcome(self, outcome: Outcome) -> None:
        if outcome.kind == "offline":
            self._go_offline()
        elif self.offline:
            self._back_online()
        text = render(outcome.message)
        self.render_view(outcome.view)
        if outcome.view.step == Step.HANDOVER and outcome.kind == "handover" and not outcome.accepted:
            self.handover_panel.add_refusal(outcome.raw.strip(), text)
        self.banner.show_message(outcome.level, text)
        # The other listeners (the packing video) first: they never depend on the sound.
        self.outcome_shown.emit(outcome)
        self.play_sound(outcome.sound)

    def play_sound(self, name: str | None) -> None:
        """Best effort: a sound that cannot play is noted once, quietly, and never reaches the scan path."""
        try:
            self.sounds.play(name)
        except Exception as exc:  # noqa: BLE001 - any player, any failure: the scan is already done
            log.warning("sound %r failed", name, exc_info=True)
            self._sound_unavailable(f"{type(exc).__name__}: {exc}")

    def _sound_unavailable(self, reason: str) -> None:
        if self.sound_note.text():
            return  # said once
        self.sound_note.setText(self.tr("Sound off: this PC cannot play sounds (%1)").replace("%1", reason))
        self.sound_note.show()

    def render_view(self, view: BenchView) -> None:
        if view.step != self.view.step:
            self._scale_sent = None
        was_idle = self.view.idle and self.panels.currentWidget() is self.idle_page
        self.view = view
        logged_in = view.user_name is not None
        if logged_in:
            self.who.setText(self.tr("%1 · %2").replace("%1", self.station).replace("%2", view.user_name or ""))
        else:
            self.who.setText(self.station)
        self.logout_button.setEnabled(logged_in or view.step == Step.PIN)
        self.handover_button.setEnabled(logged_in and view.step in (Step.ORDER, Step.HANDOVER))
        self.step_bar.set_view(view)
        # The order's steps mean nothing while handing parcels to the courier: the panel says "Handover".
        self.step_bar.setVisible(view.step not in (Step.HANDOVER, Step.RETURNS))
        self.instruction.setText(render(view.instruction))
        if view.step in (Step.LOGIN, Step.PIN):
            self.panels.setCurrentWidget(self.login_panel)
        elif view.step == Step.HANDOVER:
            self.handover_panel.set_manifest(view.manifest)
            self.panels.setCurrentWidget(self.handover_panel)
        elif view.step == Step.RETURNS:  # the returns bench (CMD:RETURNS)
            self.returns_panel.set_return(view.return_view)
            self.panels.setCurrentWidget(self.returns_panel)
        elif view.order is not None:
            self.order_panel.set_order(view.order, view.last_line, view.step)
            self.panels.setCurrentWidget(self.order_panel)
        else:
            self.order_panel.set_order(None, None)
            self.idle.setText(
                self.tr("Order %1 is packed. Next order, please.").replace("%1", view.completed_order)
                if view.completed_order else self.tr("Ready for the next order")
            )
            self.platform_state.setText(platform_state_text(view.completed_platform) if view.completed_order else "")
            self._show_due_soon(view, was_idle)
            self.panels.setCurrentWidget(self.idle_page)
        if view.order is not None or view.step in (Step.HANDOVER, Step.RETURNS, Step.LOGIN, Step.PIN):
            self.platform_state.setText("")  # only the done screen shows it
        waiting = view.order is None and view.completed_order is not None and view.completed_platform in ("pending", "sent")
        if not waiting:
            self.platform_timer.stop()
        elif not self.platform_timer.isActive():
            self.platform_timer.start()
        if not view.idle:
            self.due_soon_timer.stop()
        if view.manifest is None:
            self.handover_panel.set_manifest(None)
        # The label of the open order, while the packer sticks it on and scans the waybill.
        label_steps = view.step in (Step.LABEL, Step.WAYBILL) and view.order is not None
        if label_steps:
            self.label_preview.show_print(view.last_print)
        self.label_preview.setVisible(label_steps and bool(view.last_print))
        if self._due_soon_wanted and not self.due_soon_ask.isActive():
            self.due_soon_ask.start()
        self.view_shown.emit(view)

    def _ask_due_soon(self) -> None:
        """The worker reads the view (and the count) again, unless the bench left the idle screen
        meanwhile; a scan still on the worker goes first (its outcome asks again)."""
        if not self._due_soon_wanted:
            return
        if not self.view.idle:
            self._due_soon_wanted = False
            return
        if self.worker.busy:
            return
        self._due_soon_wanted = False
        self.worker.refresh()

    def _show_due_soon(self, view: BenchView, was_idle: bool) -> None:
        """The count a refresh read; a scan's view carries none: the last one stays, and coming to the
        idle screen asks the worker for a fresh one (after the scan, off its transaction, once the
        scan path is clear: :meth:`_ask_due_soon`)."""
        if view.due_soon is not None and view.due_soon_hours is not None:
            self._due_soon = (view.due_soon, view.due_soon_hours)
            self._due_soon_wanted = False
        elif not was_idle:
            self._due_soon_wanted = True
        if not self.due_soon_timer.isActive():
            self.due_soon_timer.start()
        if self._due_soon is None:
            self.due_soon.hide()
            return
        count, hours = self._due_soon
        self.due_soon.setText(due_soon_text(count, hours))
        style = DUE_SOON_STYLE % (AMBER if count else QUIET)
        if self.due_soon.styleSheet() != style:  # re-polishing the label is not free: only on a change
            self.due_soon.setStyleSheet(style)
        self.due_soon.show()

    # ------------------------------------------------------------------ database unreachable

    def _go_offline(self) -> None:
        if not self.offline:
            self.offline = True
            self.statusBar().setStyleSheet(OFFLINE_STYLE)
            self.statusBar().showMessage(QCoreApplication.translate("StationWindow", self.workflow.offline_notice))
        if not self.retry_timer.isActive():
            self.retry_timer.start()

    def _back_online(self) -> None:
        self.offline = False
        self.retry_timer.stop()
        self.statusBar().clearMessage()
        self.statusBar().setStyleSheet("")

    def _on_viewed(self, view: BenchView, reachable: bool) -> None:
        if not reachable:
            return
        if self.offline:
            self._back_online()
        self.render_view(view)

    def _on_failed(self, raw: str, error: str) -> None:
        self.banner.show_message(Level.REFUSED, self.tr("Internal error, scan not handled: %1").replace("%1", error))
        self.play_sound("refuse")

    # ------------------------------------------------------------------ scale

    def on_scale_weight(self, grams: int) -> None:
        """A stable scale reading: at the weight step it counts as a scan of that weight."""
        if self.view.step != Step.WEIGHT or self.worker.busy or grams == self._scale_sent:
            return
        self._scale_sent = grams
        self.submit(f"{grams}g")

    # ------------------------------------------------------------------ other windows

    def open_supervisor(self) -> QWidget | None:
        if self._desks is None:  # no way to the server's desk was given
            self.statusBar().showMessage(self.tr("Behind the server, open the supervisor view on the server PC"), 8000)
            return None
        opener = self._open_supervisor
        if opener is None:
            try:
                from app.ui.supervisor import open_supervisor as opener
            except ImportError:
                self.statusBar().showMessage(self.tr("The supervisor view is not installed"), 5000)
                return None
        widget = opener(self.services, self.station, None, desk=self._desks())
        if widget is not None:
            self.popups.append(widget)
        return widget

    def open_settings(self):
        if self._desks is None:
            self.statusBar().showMessage(self.tr("Behind the server, change this bench's settings in its settings.json"), 8000)
            return None
        from app.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.services, self.station, parent=self, desk=self._desks())
        dialog.saved.connect(self.apply_settings)
        self.popups.append(dialog)
        dialog.finished.connect(lambda _r, d=dialog: self.popups.remove(d) if d in self.popups else None)
        dialog.open()
        return dialog

    def apply_settings(self) -> None:
        settings = self.services.settings
        self.scan_filter.configure(settings.scanner_suffix, settings.scanner_prefix)
        self.sounds.muted = not settings.sounds
        self.settings_applied.emit()

    def _watch_tick(self) -> None:
        if self.view.user_name is not None and not self.worker.busy and not self.offline:
            self.worker.watch()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.listener.stop(wait_s=0)  # nothing is delivered from now on; joined below
        self.retry_timer.stop()
        self.platform_timer.stop()
        self.due_soon_timer.stop()
        self.due_soon_ask.stop()
        self.scan_filter.enabled = False
        self.scan_filter.uninstall()
        self.worker.stop()
        self.workflow.close()  # ends the listener's wait; the port's scans are done
        self.listener.stop()
        self.label_preview.wait_idle()
        super().closeEvent(event)
