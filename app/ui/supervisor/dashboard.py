"""The supervisor's dashboard: period, tiles, tables, throughput chart, exceptions with their
timeline, actions and exports. Figures come from :func:`app.reports.summary.summary` (the same
function as ``packgate summary``) through the desk (in-process, or at the PackGate server), queried
on the worker pool when the shift changes (the window's change listener calls :meth:`changed`) and
every ``refresh_seconds`` for the figures the clock moves (late, awaiting pickup).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QCoreApplication, QDate, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.desk import exports
from app.desk.port import DeskSessionEnded, Supervisor, SupervisorDesk
from app.i18n import QT_TRANSLATE_NOOP
from app.packing.ports import Services
from app.reports.summary import Period
from app.ui.supervisor.action_panel import ActionPanel
from app.ui.supervisor.evidence_tab import EvidenceTab
from app.ui.supervisor.ewaybill_tab import EwaybillTab
from app.ui.supervisor.import_panel import ImportPanel
from app.ui.supervisor.pickup_tab import PickupTab
from app.ui.supervisor.returns_tab import ReturnsTab
from app.ui.supervisor.timeline import TimelinePanel
from app.ui.tasks import TaskRunner, error_text
from app.ui.text import show_as_text

T = QT_TRANSLATE_NOOP  # marked in the "Supervisor" context: looked up there too, with tr_supervisor()
TILES = (
    ("ready", T("Supervisor", "Ready")),
    ("packing", T("Supervisor", "Packing")),
    ("packed", T("Supervisor", "Packed, awaiting pickup")),
    ("handed_over", T("Supervisor", "Handed over")),
    ("on_hold", T("Supervisor", "On hold")),
    ("cancelled", T("Supervisor", "Cancelled")),
    ("late", T("Supervisor", "Late")),
    ("packed_without_waybill", T("Supervisor", "Packed without waybill")),
    ("not_on_platform", T("Supervisor", "Not on the platform")),
    ("platform_failed", T("Supervisor", "Platform failed")),
    ("due_soon", T("Supervisor", "Due soon")),
    ("overdue", T("Supervisor", "Overdue")),
    ("not_picked_up", T("Supervisor", "Not picked up")),  # the pickup watch (issue 22): red when not zero
    ("pickup_overdue", T("Supervisor", "No pickup scan 24 h after upload")),
    ("trace_exceptions", T("Supervisor", "Trace exceptions")),
    ("ewaybills_unused", T("Supervisor", "E-waybills not used")),  # printed, their order not being packed
)
PICKUP_TILES = ("not_picked_up", "pickup_overdue", "trace_exceptions")
SHIP_BY_TILES = ("due_soon", "overdue")  # ship-by figures: red when not zero
# The tiles ``by_shop`` counts (orders by state per shop, and the ship-by tiles): a shop filter
# narrows these; the others stay the whole site's, shown as "–" while a shop is chosen.
SHOP_TILES = ("ready", "packing", "packed", "on_hold", "cancelled")
NO_SHOP = "(no shop)"  # by_shop's key for orders imported from files (app.reports.summary.NO_SHOP)
# A platform tile turns red when its figure, counted past the grace time, is not zero.
PLATFORM_ALARMS = {"not_on_platform": "not_on_platform_after_grace", "platform_failed": "failed_after_grace"}
EXCEPTION_KINDS = (
    ("on_hold", T("Supervisor", "On hold")),
    ("late", T("Supervisor", "Late")),
    ("awaiting_pickup", T("Supervisor", "Not picked up")),
    ("reprints", T("Supervisor", "Label reprinted")),
    ("unlinked", T("Supervisor", "Waybill unlinked")),
    ("parcels_left_behind", T("Supervisor", "Parcels left behind")),
)
PERIODS = (("today", T("Supervisor", "Today")), ("yesterday", T("Supervisor", "Yesterday")),
           ("week", T("Supervisor", "This week")), ("range", T("Supervisor", "Dates…")))
WORK_COLUMNS = ("orders", "items", "avg_seconds", "median_seconds", "refused_rate", "first_scan", "last_scan")


def tr_supervisor(text: str) -> str:
    """Translate a string marked with ``T("Supervisor", ...)`` (``self.tr`` would look it up in the
    widget's own context and find nothing)."""
    return QCoreApplication.translate("Supervisor", text)


def _cell(value: Any) -> QTableWidgetItem:
    if value is None:
        text = "-"
    elif isinstance(value, float):
        text = f"{value:.1f}"
    else:
        text = str(value)
    item = QTableWidgetItem(text)
    if isinstance(value, int | float):
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _hhmm(iso: str | None) -> str | None:
    return datetime.fromisoformat(iso).astimezone().strftime("%m-%d %H:%M") if iso else None


class Tile(QFrame):
    def __init__(self, key: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"tile_{key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.value = QLabel("–")
        self.value.setObjectName(f"tile_{key}_value")
        self.value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.value.setStyleSheet("font-size: 26px; font-weight: bold;")
        caption = QLabel(title)
        caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.value)
        layout.addWidget(caption)
        self.alarm = False

    def set_value(self, n: int, alarm: bool = False) -> None:
        self.value.setText(str(n))
        self.alarm = alarm
        self.setToolTip("")
        self.setStyleSheet(f"#{self.objectName()} {{ background: #c62828; }} QLabel {{ color: white; }}" if alarm else "")

    def set_site_only(self) -> None:
        """A figure not counted per shop, while the view is filtered by one: no number."""
        self.value.setText("–")
        self.alarm = False
        self.setToolTip(tr_supervisor(T("Supervisor", "Counted for the whole site only: choose All shops")))
        self.setStyleSheet("")


class Dashboard(QWidget):
    """Emits ``refreshed(dict)`` after each new set of figures is shown."""

    refreshed = Signal(dict)
    refresh_failed = Signal(str)
    session_ended = Signal(str)  # the server ended the desk session (idle, user disabled): log in again
    exported = Signal(str)  # path
    timeline_loaded = Signal(str)  # order number

    def __init__(self, services: Services, desk: SupervisorDesk, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("supervisor_dashboard")
        self.services, self.desk, self.runner = services, desk, runner
        self.supervisor: Supervisor | None = None
        self.badge = ""
        self.figures: dict[str, Any] | None = None
        self._refreshing = False
        self._again = False  # the shift changed while a query ran: query once more after it
        self._query = 0  # the latest figures query: an older one answering later is not shown
        self._exception_rows: list[dict[str, Any]] = []
        self._platform_rows: list[dict[str, Any]] = []
        self._ready_rows: list[dict[str, Any]] = []

        bar = self._build_top_bar()
        tiles = self._build_tiles()
        self.tabs = self._build_tabs(services, desk, runner)
        split = self._build_exceptions(desk, runner)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(tiles)
        self.locked = self._build_locked_line()
        layout.addWidget(self.locked)
        self.stopped_shops = self._build_stopped_line()
        layout.addWidget(self.stopped_shops)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(QLabel(self.tr("Exceptions (click one for its timeline)")))
        layout.addWidget(split, 1)
        layout.addWidget(self.status)

        self.timer = QTimer(self)
        self.timer.setInterval(max(1, int(services.settings.refresh_seconds)) * 1000)
        self.timer.timeout.connect(self.refresh)
        show_as_text(self)

    # ------------------------------------------------------------------ building the view

    def _build_top_bar(self) -> QHBoxLayout:
        """Who, period, refresh, exports."""
        self.who = QLabel("")
        self.period_box = QComboBox()
        self.period_box.setObjectName("period")
        for key, title in PERIODS:
            self.period_box.addItem(tr_supervisor(title), key)
        today = QDate.currentDate()
        self.date_from, self.date_to = QDateEdit(today), QDateEdit(today)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
            edit.dateChanged.connect(self._period_changed)
        self.period_box.currentIndexChanged.connect(self._period_changed)
        self.shop_box = QComboBox()
        self.shop_box.setObjectName("shop_filter")
        self.shop_box.addItem(self.tr("All shops"), None)
        self.shop_box.currentIndexChanged.connect(self._shop_changed)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        self.export_csv = QPushButton(self.tr("Shipments CSV"))
        self.export_xlsx = QPushButton(self.tr("Shipments XLSX"))
        self.export_pdf = QPushButton(self.tr("Summary PDF"))
        self.export_csv.clicked.connect(lambda: self._ask_path("csv"))
        self.export_xlsx.clicked.connect(lambda: self._ask_path("xlsx"))
        self.export_pdf.clicked.connect(lambda: self._ask_path("pdf"))
        self.status = QLabel("")
        self.status.setObjectName("status")
        bar = QHBoxLayout()
        for w in (self.who, QLabel(self.tr("Period")), self.period_box, self.date_from, self.date_to,
                  QLabel(self.tr("Shop")), self.shop_box, self.refresh_button):
            bar.addWidget(w)
        bar.addStretch(1)
        for w in (self.export_csv, self.export_xlsx, self.export_pdf):
            bar.addWidget(w)
        return bar

    def _build_tiles(self) -> QGridLayout:
        self.tiles: dict[str, Tile] = {}
        tiles = QGridLayout()
        for i, (key, title) in enumerate(TILES):
            tile = Tile(key, tr_supervisor(title))
            self.tiles[key] = tile
            tiles.addWidget(tile, 0, i)
        return tiles

    def _build_locked_line(self) -> QLabel:
        """Who is locked out after wrong PINs, red; hidden when nobody."""
        locked = QLabel("")
        locked.setObjectName("locked_users")
        locked.setStyleSheet("color: #c62828; font-weight: bold;")
        locked.setWordWrap(True)
        locked.hide()
        return locked

    def _build_stopped_line(self) -> QLabel:
        """The shops whose channel stopped (an expired token), red; hidden when none."""
        stopped = QLabel("")
        stopped.setObjectName("stopped_shops")
        stopped.setStyleSheet("color: #c62828; font-weight: bold;")
        stopped.setWordWrap(True)
        stopped.hide()
        return stopped

    def _build_tabs(self, services: Services, desk: SupervisorDesk, runner: TaskRunner) -> QTabWidget:
        """Carriers, packers, benches, the throughput chart, imports, evidence and the shop platform."""
        self.carriers = self._table("carriers", [self.tr("Carrier"), self.tr("Packed"), self.tr("Handed over"),
                                                 self.tr("Awaiting pickup"), self.tr("Open manifests")])
        work_headers = [self.tr("Orders"), self.tr("Items"), self.tr("Avg s/order"), self.tr("Median s/order"),
                        self.tr("Refused scans %"), self.tr("First scan"), self.tr("Last scan")]
        self.packers = self._table("packers", [self.tr("Packer"), *work_headers])
        self.stations = self._table("stations", [self.tr("Bench"), *work_headers])
        self.chart_view = self._build_chart()
        self.ready_orders = self._table("ready_orders", [self.tr("Order"), self.tr("Shop"), self.tr("Carrier"),
                                                         self.tr("Ship by"), self.tr("Created")])
        tabs = QTabWidget()
        tabs.addTab(self.ready_orders, self.tr("Ready to pack"))
        tabs.addTab(self.carriers, self.tr("Carriers"))
        tabs.addTab(self.packers, self.tr("Packers"))
        tabs.addTab(self.stations, self.tr("Benches"))
        tabs.addTab(self.chart_view, self.tr("Throughput"))
        self.imports = ImportPanel(desk, runner)
        self.imports.imported.connect(lambda _text: self.refresh(force=True))
        tabs.addTab(self.imports, self.tr("Imports"))
        self.evidence = EvidenceTab(services, desk, runner)
        tabs.addTab(self.evidence, self.tr("Evidence"))
        self.returns_tab = ReturnsTab(desk, runner)  # the returns bench's discrepancies, expected and unmatched
        self.returns_tab.attached.connect(lambda _text: self.refresh(force=True))
        tabs.addTab(self.returns_tab, self.tr("Returns"))
        self.platform_tab = self._build_platform_tab()
        tabs.addTab(self.platform_tab, self.tr("Shop platform"))
        self.pickup_tab = PickupTab(self._table)
        tabs.addTab(self.pickup_tab, self.tr("Pickup"))
        self.ewaybill_tab = EwaybillTab(self._table)  # balances as last read, today's numbers (issue 21)
        tabs.addTab(self.ewaybill_tab, self.tr("E-waybills"))
        return tabs

    def _build_chart(self) -> QChartView:
        """Orders packed per hour, 24 bars."""
        self.bars = QBarSet(self.tr("Orders packed"))
        for _ in range(24):
            self.bars.append(0)
        series = QBarSeries()
        series.append(self.bars)
        self.chart = QChart()
        self.chart.addSeries(series)
        self.chart.setTitle(self.tr("Orders packed per hour"))
        self.chart.legend().hide()
        self.hour_axis = QBarCategoryAxis()
        self.hour_axis.append([f"{h:02d}" for h in range(24)])
        self.count_axis = QValueAxis()
        self.count_axis.setLabelFormat("%d")
        self.chart.addAxis(self.hour_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(self.count_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(self.hour_axis)
        series.attachAxis(self.count_axis)
        view = QChartView(self.chart)
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        return view

    def _build_platform_tab(self) -> QWidget:
        """The shop platform: failed jobs with the platform's own message, and a retry."""
        self.platform_jobs = self._table("platform_jobs", [self.tr("Job"), self.tr("Order"), self.tr("Parcel"),
                                                           self.tr("Carrier"), self.tr("Waybill"), self.tr("Attempts"),
                                                           self.tr("Platform's message")])
        self.platform_jobs.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.platform_jobs.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.platform_retry = QPushButton(self.tr("Retry"))
        self.platform_retry.setObjectName("platform_retry")
        self.platform_retry.clicked.connect(self.retry_selected_job)
        self.shop_channels = self._table("shop_channels", [self.tr("Shop"), self.tr("State"), self.tr("Last pull"),
                                                           self.tr("Last error")])
        tab = QWidget()
        platform_layout = QVBoxLayout(tab)
        platform_layout.addWidget(self.shop_channels)
        platform_layout.addWidget(self.platform_jobs, 1)
        retry_row = QHBoxLayout()
        retry_row.addWidget(self.platform_retry)
        retry_row.addStretch(1)
        platform_layout.addLayout(retry_row)
        return tab

    def _build_exceptions(self, desk: SupervisorDesk, runner: TaskRunner) -> QSplitter:
        """Exceptions on the left; the selected order's timeline and the actions on the right."""
        self.exceptions = self._table("exceptions", [self.tr("Exception"), self.tr("Order"), self.tr("Shop"),
                                                     self.tr("State"),
                                                     self.tr("Carrier"), self.tr("Waybill"), self.tr("Since"),
                                                     self.tr("Detail"), self.tr("Bench"), self.tr("Packer")])
        self.exceptions.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.exceptions.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.exceptions.cellClicked.connect(self.open_timeline)
        self.timeline = TimelinePanel()
        self.action_panel = ActionPanel(desk, runner)
        self.action_panel.done.connect(lambda _d: self.refresh(force=True))
        self.action_panel.done.connect(lambda _d: self._reload_timeline())
        self.action_buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        for kind, title in (("release_hold", T("Supervisor", "Release hold")), ("cancel", T("Supervisor", "Cancel order")),
                            ("unlink", T("Supervisor", "Unlink waybill")),
                            ("reopen_manifest", T("Supervisor", "Reopen manifest"))):
            button = QPushButton(tr_supervisor(title))
            button.setObjectName(f"action_{kind}")
            button.clicked.connect(lambda _c=False, k=kind: self.ask_action(k))
            self.action_buttons[kind] = button
            actions.addWidget(button)
        actions.addStretch(1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.timeline, 1)
        right_layout.addLayout(actions)
        right_layout.addWidget(self.action_panel)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.exceptions)
        split.addWidget(right)
        return split

    def _table(self, name: str, headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setObjectName(name)
        table.setHorizontalHeaderLabels(headers)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setStretchLastSection(True)
        table.verticalHeader().setVisible(False)
        return table

    # ------------------------------------------------------------------ session

    def start(self, supervisor: Supervisor, badge: str) -> None:
        self.supervisor, self.badge = supervisor, badge
        self.evidence.badge = badge
        self.returns_tab.badge = badge
        self.who.setText(self.tr("Supervisor: {name}").format(name=supervisor.name))
        self.refresh(force=True)
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.evidence.stop()

    # ------------------------------------------------------------------ period and refresh

    def period(self) -> Period:
        key = self.period_box.currentData()
        if key == "range":
            first = date.fromisoformat(self.date_from.date().toString("yyyy-MM-dd"))
            last = date.fromisoformat(self.date_to.date().toString("yyyy-MM-dd"))
            return Period.days(min(first, last), max(first, last))
        return Period.named(key, self.services.clock())

    def set_period(self, key: str, first: date | None = None, last: date | None = None) -> None:
        if first is not None:
            self.date_from.setDate(QDate(first.year, first.month, first.day))
        if last is not None:
            self.date_to.setDate(QDate(last.year, last.month, last.day))
        self.period_box.setCurrentIndex(self.period_box.findData(key))

    def _period_changed(self) -> None:
        ranged = self.period_box.currentData() == "range"
        self.date_from.setEnabled(ranged)
        self.date_to.setEnabled(ranged)
        if self.supervisor is not None:
            self.refresh(force=True)

    def refresh(self, force: bool = False) -> None:
        """Query on the worker; a tick while a query runs is skipped (never piles up)."""
        if self.supervisor is None or (self._refreshing and not force):
            return
        self._refreshing = True
        self._query += 1
        desk, period, query = self.desk, self.period(), self._query
        # Only the latest query's figures are shown: a forced refresh (after an action) may overtake
        # one the change listener started a moment before the action committed.
        auto = not force  # the view's own refresh (a change, the timer): the desk session's idle time goes on
        self.runner.submit(lambda: desk.figures(period, auto=auto), lambda f: self._show(f) if query == self._query else None,
                           lambda e: self._failed(e) if query == self._query else None)

    def changed(self) -> None:
        """The shift changed (a scan, an action, an import): the figures again, never two queries at once."""
        if self._refreshing:
            self._again = True  # the running query may have started before the change
            return
        self.refresh()

    def _after_query(self) -> None:
        self._refreshing = False
        if self._again:
            self._again = False
            self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self._after_query()
        text = error_text(exc)
        if isinstance(exc, DeskSessionEnded) and self.supervisor is not None:
            self.supervisor = None
            self.timer.stop()
            self.session_ended.emit(text)
        self.status.setText(self.tr("Figures not refreshed: {error}").format(error=text))
        self.status.setStyleSheet("color: #c62828;")
        self.refresh_failed.emit(text)

    # ------------------------------------------------------------------ rendering (UI thread)

    def _show(self, figures: dict[str, Any]) -> None:
        self.figures = figures
        self._fill_shop_box(figures)
        self._render(figures)
        self.returns_tab.show_board(figures.get("returns_board") or {})
        self.ewaybill_tab.show_figures(figures.get("ewaybills") or {})
        self.status.setStyleSheet("")
        self.status.setText(self.tr("Updated {time}").format(time=datetime.now().strftime("%H:%M:%S")))
        self.refreshed.emit(figures)
        self._after_query()

    def shop(self) -> str | None:
        """The shop the view is filtered by (``by_shop``'s key); None: all shops."""
        return self.shop_box.currentData()

    def set_shop(self, name: str | None) -> None:
        self.shop_box.setCurrentIndex(max(0, self.shop_box.findData(name)))

    def _fill_shop_box(self, figures: dict[str, Any]) -> None:
        """All shops, then each shop the figures know (the chosen one kept)."""
        names = sorted(set(figures.get("by_shop", {})) | {c["name"] for c in figures.get("shops", [])})
        known = [self.shop_box.itemData(i) for i in range(1, self.shop_box.count())]
        if names == known:
            return
        chosen = self.shop()
        self.shop_box.blockSignals(True)
        try:
            while self.shop_box.count() > 1:
                self.shop_box.removeItem(1)
            for name in names:
                self.shop_box.addItem(self.tr("No shop (imported from files)") if name == NO_SHOP else name, name)
            self.shop_box.setCurrentIndex(max(0, self.shop_box.findData(chosen)))
        finally:
            self.shop_box.blockSignals(False)
        if self.shop() != chosen:  # its shop is gone: all shops
            self._render(figures)

    def _shop_changed(self) -> None:
        if self.figures is not None:
            self._render(self.figures)  # a filter of the figures at hand: no query

    def _render(self, figures: dict[str, Any]) -> None:
        """The figures, narrowed to the chosen shop where they say which shop (the state tiles from
        ``by_shop``, the order lists by their rows' shop); the rest stays the whole site's."""
        shop = self.shop()
        self._show_tiles(figures, shop)
        self._show_tables(figures)
        mine = (lambda row: True) if shop is None else (lambda row: (row.get("shop") or NO_SHOP) == shop)
        by_shop = figures.get("ready_orders_by_shop", {})
        if shop is not None and shop in by_shop:  # the shop's own first rows, not a filter of the site's
            self._ready_rows = list(by_shop[shop])
        else:
            self._ready_rows = [r for r in figures.get("ready_orders", []) if mine(r)]
        self._fill(self.ready_orders, [[r["order_no"], r["shop"] or "", r["carrier"] or "", _hhmm(r["ship_by"]),
                                        _hhmm(r["created_at"])] for r in self._ready_rows])
        titles = dict(EXCEPTION_KINDS)
        self._exception_rows = [dict(row, kind=kind) for kind, _ in EXCEPTION_KINDS
                                for row in figures["exceptions"][kind] if mine(row)]
        self._fill(self.exceptions, [[tr_supervisor(titles[r["kind"]]), r["order_no"] or "", r.get("shop") or "",
                                      r["state"] or "", r["carrier"] or "", r["waybill"] or "", _hhmm(r["at"]),
                                      r["detail"], r["station"] or "", r["user"] or ""] for r in self._exception_rows])
        locked = [self.tr("{name} ({badge}) until {time}").format(name=u["name"], badge=u["badge"],
                                                                   time=_hhmm(u["until"]))
                  for u in figures.get("locked_users", [])]
        self.locked.setText(self.tr("Locked after wrong PINs: {people}").format(people="; ".join(locked)))
        self.locked.setVisible(bool(locked))
        self._show_shop_channels(figures.get("shops", []))

    def _show_tiles(self, figures: dict[str, Any], shop: str | None) -> None:
        tiles = figures["tiles"]
        platform = figures.get("platform", {})
        for key, tile in self.tiles.items():
            if shop is not None:
                if key in SHOP_TILES:
                    tile.set_value(figures.get("by_shop", {}).get(shop, {}).get(key, 0))
                elif key in SHIP_BY_TILES:  # the shop's own due soon and overdue
                    value = figures.get("by_shop", {}).get(shop, {}).get(key, 0)
                    tile.set_value(value, alarm=value != 0)
                else:
                    tile.set_site_only()
            elif key in PLATFORM_ALARMS:
                tile.set_value(figures.get(key, 0), alarm=platform.get(PLATFORM_ALARMS[key], 0) != 0)
            elif key == "ewaybills_unused":  # red when not zero: a label printed and not used (issue 21)
                unused = figures.get("ewaybills", {}).get("unused", 0)
                tile.set_value(unused, alarm=unused != 0)
            elif key in SHIP_BY_TILES or key in PICKUP_TILES:
                tile.set_value(figures.get(key, 0), alarm=figures.get(key, 0) != 0)
            else:
                tile.set_value(tiles[key], alarm=(key == "packed_without_waybill" and tiles[key] != 0))

    def _show_tables(self, figures: dict[str, Any]) -> None:
        """The whole site's tables and chart (no shop in them)."""
        self._platform_rows = figures.get("platform_failed_jobs", [])
        self._fill(self.platform_jobs, [[r["job"], r["order_no"], r["parcel"], r["carrier"], r["tracking_number"],
                                         r["attempts"], r["error"]] for r in self._platform_rows])
        self._fill(self.carriers, [[code, r["packed"], r["handed_over"], r["awaiting_pickup"], r["open_manifests"]]
                                   for code, r in figures["by_carrier"].items()])
        for table, rows in ((self.packers, figures["by_packer"]), (self.stations, figures["by_station"])):
            self._fill(table, [[name, r["orders"], r["items"], r["avg_seconds"], r["median_seconds"],
                                round(r["refused_rate"] * 100, 1), _hhmm(r["first_scan"]), _hhmm(r["last_scan"])]
                               for name, r in rows.items()])
        self.pickup_tab.show_figures(figures.get("pickup", {}))
        hours = list(figures["throughput_per_hour"].values())
        for i, n in enumerate(hours):
            self.bars.replace(i, n)
        self.count_axis.setRange(0, max(1, max(hours)))

    def _show_shop_channels(self, channels: list[dict[str, Any]]) -> None:
        """Each shop's channel in the platform tab; a stopped one named on the red line too."""
        def state(c: dict[str, Any]) -> str:
            if c["stopped"]:
                return self.tr("Stopped")
            return self.tr("Pulling") if c["enabled"] else self.tr("Disabled")

        self._fill(self.shop_channels, [[c["name"], state(c), _hhmm(c["last_pull"]), c["stopped"] or c["last_error"] or ""]
                                        for c in channels])
        stopped = [self.tr("Shop {shop} stopped: {reason}").format(shop=c["name"], reason=c["stopped"])
                   for c in channels if c["stopped"]]
        self.stopped_shops.setText("\n".join(stopped))
        self.stopped_shops.setVisible(bool(stopped))

    def _fill(self, table: QTableWidget, rows: list[list[Any]]) -> None:
        selected = table.currentRow()
        table.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                table.setItem(r, c, _cell(value))
        if 0 <= selected < len(rows):
            table.selectRow(selected)

    # ------------------------------------------------------------------ the shop platform

    def retry_selected_job(self) -> None:
        row = self.platform_jobs.currentRow()
        if not 0 <= row < len(self._platform_rows):
            self.status.setText(self.tr("Select a failed platform job first"))
            return
        job = self._platform_rows[row]["job"]
        desk = self.desk

        def done(ok: bool) -> None:
            self.status.setText(self.tr("Job {job} will be sent again").format(job=job) if ok
                                else self.tr("Job {job} is no longer failed").format(job=job))
            self.refresh(force=True)

        self.runner.submit(lambda: desk.retry_platform_job(job), done, self._failed)

    # ------------------------------------------------------------------ exceptions and timeline

    def exception_row(self, row: int) -> dict[str, Any] | None:
        return self._exception_rows[row] if 0 <= row < len(self._exception_rows) else None

    def open_timeline(self, row: int, _column: int = 0) -> None:
        exc = self.exception_row(row)
        if exc and exc.get("order_no"):
            self.load_timeline(exc["order_no"])

    def load_timeline(self, order_no: str) -> None:
        desk = self.desk

        def load():
            return desk.order_details(order_no)

        def show(details):
            self.timeline.show_order(details, order_no)
            self.timeline_loaded.emit(order_no)

        self.runner.submit(load, show, self._failed)

    def _reload_timeline(self) -> None:
        if self.timeline.order_no:
            self.load_timeline(self.timeline.order_no)

    # ------------------------------------------------------------------ actions

    def ask_action(self, kind: str) -> None:
        """Open the action panel, with the selected exception's order as the target."""
        target = ""
        if kind != "reopen_manifest":
            row = self.exception_row(self.exceptions.currentRow())
            target = (row or {}).get("order_no") or self.timeline.order_no or ""
        self.action_panel.ask(kind, self.badge, target)

    # ------------------------------------------------------------------ exports

    def _ask_path(self, kind: str) -> None:
        filters = {"csv": self.tr("CSV (*.csv)"), "xlsx": self.tr("Excel (*.xlsx)"), "pdf": self.tr("PDF (*.pdf)")}
        stem = "shipments" if kind in ("csv", "xlsx") else "summary"
        dialog = QFileDialog(self, self.tr("Export"), str(Path.home() / f"{stem}-{date.today():%Y%m%d}.{kind}"),
                             filters[kind])
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(kind)
        dialog.fileSelected.connect(lambda path: self.export(kind, Path(path)))
        dialog.open()  # never exec(): the window keeps running

    def export(self, kind: str, path: Path) -> None:
        """Write the shipments (csv/xlsx: every linked waybill packed in the period) or the summary PDF,
        on the task runner (app/desk/exports.py): the data from the desk, the file rendered on this PC."""
        desk, period, figures = self.desk, self.period(), self.figures
        supervisor = self.supervisor.name if self.supervisor else ""
        font_path = self.services.settings.label_font or None
        self.runner.submit(lambda: exports.export(desk, kind, path, period, figures=figures, supervisor=supervisor,
                                                  font_path=font_path),
                           self._exported, self._failed)

    def _exported(self, written: str) -> None:
        self.status.setStyleSheet("color: #2e7d32;")
        self.status.setText(self.tr("Saved {path}").format(path=written))
        self.exported.emit(written)


def alarm_color() -> QColor:
    return QColor("#c62828")
