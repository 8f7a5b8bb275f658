"""The supervisor runs both imports from the view: file dialog (window-modal, never exec), worker, report."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from sqlalchemy import select

from app.config import REPO_ROOT
from app.models.schema import Order

DOCS = REPO_ROOT / "docs"


def test_import_products_then_the_pdd_export_from_the_view(qtbot, logged_in, demo_services):
    panel = logged_in.dashboard.imports
    demo_services.settings.default_carrier = "ZTO"
    qtbot.mouseClick(panel.products_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert isinstance(dialog, QFileDialog) and dialog.isVisible()
    assert dialog.windowModality() != Qt.WindowModality.ApplicationModal  # the benches keep scanning
    with qtbot.waitSignal(panel.imported, timeout=20_000) as products:
        dialog.fileSelected.emit(str(DOCS / "demo-products.csv"))
        dialog.close()
    assert "demo-products.csv: 3 products added, 0 updated, 10 unchanged, 4 barcodes added" in products.args[0]

    panel.profile.setCurrentIndex(panel.profile.findData("pdd"))
    with qtbot.waitSignal(panel.imported, timeout=20_000) as orders:
        panel.run_import("orders", DOCS / "demo-orders-pdd.csv")
    text = panel.report.toPlainText()
    assert text == orders.args[0]
    assert "demo-orders-pdd.csv: 4 orders imported, 7 lines" in text
    assert "Skipped, the file shows them as shipped: 1 orders" in text
    assert "line 7: order 261201-387465902318767 (退款中): held" in text
    with demo_services.read_uow() as uow:
        assert uow.session.scalar(select(Order.state).where(Order.order_no == "261201-387465902318767")) == "on_hold"


def test_a_refused_file_is_reported_and_nothing_is_imported(qtbot, logged_in, demo_services, tmp_path):
    panel = logged_in.dashboard.imports
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,name,barcode,unit_weight_g\nNEW-1,新品,,100\n", encoding="utf-8")
    with qtbot.waitSignal(panel.failed, timeout=20_000) as refused:
        panel.run_import("products", bad)
    assert "bad.csv: 1 bad rows. Nothing was imported." in refused.args[0]
    assert "line 2: SKU NEW-1 is new and has no barcode" in refused.args[0]
    assert panel.products_button.isEnabled()
    with qtbot.waitSignal(panel.failed, timeout=20_000) as unreadable:
        panel.run_import("orders", tmp_path / "missing.csv")
    assert "Cannot read" in unreadable.args[0]
