"""What the packer sees beyond the flow itself: the padlock, the label preview, the expected
waybill, a quiet login screen and a handover screen without the order's step bar."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QThread
from PySide6.QtGui import QColor, QImage

import app.ui.label_preview as label_preview
from app.packing.outcome import Level, Step
from app.printing.printers import PdfPrinter
from app.ui.label_preview import LabelPreview
from app.ui.step_bar import LOCK_COLOUR

ORDER = "PDD-1001"  # SF, with a pre-assigned waybill
WAYBILL = "SF1400000000000"


def to_waybill_step(scanner, window, order_no: str = ORDER) -> None:
    scanner.scan("P-1001")
    out = scanner.scan(order_no)
    for line in out.view.order.lines:
        for _ in range(line.quantity):
            scanner.scan(line.barcode)
    scanner.scan("BOX-M")
    scanner.scan(str(window.view.order.expected_weight_g))
    assert window.view.step == Step.WAYBILL


def lock_pixels(label) -> int:
    """Pixels of the padlock's colour where the padlock is drawn."""
    image = label.grab().toImage()
    rect = label.lock_rect().toAlignedRect().intersected(image.rect())
    ratio = image.devicePixelRatio()
    want = LOCK_COLOUR
    hits = 0
    for x in range(int(rect.left() * ratio), int((rect.right() + 1) * ratio)):
        for y in range(int(rect.top() * ratio), int((rect.bottom() + 1) * ratio)):
            c = QColor(image.pixel(x, y))
            if abs(c.red() - want.red()) + abs(c.green() - want.green()) + abs(c.blue() - want.blue()) < 40:
                hits += 1
    return hits


def test_done_step_draws_its_padlock(window, scanner):
    done = window.step_bar.done_label
    assert done.property("state") == "locked" and done.locked
    assert "\U0001f512" not in done.text()  # no font on a bench is trusted with the emoji
    rect = done.lock_rect()
    assert rect.width() >= 8 and rect.height() >= 12 and done.rect().contains(rect.toAlignedRect())
    assert lock_pixels(done) >= 40


def test_done_step_unlocks_when_the_waybill_is_linked(window, scanner):
    to_waybill_step(scanner, window)
    assert window.step_bar.done_label.locked
    out = scanner.scan(WAYBILL)
    assert out.level == Level.COMPLETE
    done = window.step_bar.done_label
    assert done.property("state") == "complete" and not done.locked and done.text().startswith("\u2714")


def test_login_screen_says_scan_your_badge_once_and_has_no_empty_banner(window):
    shown = [w for w in window.findChildren(type(window.instruction))
             if w.isVisible() and "Scan your badge" in w.text()]
    assert shown == [window.instruction]
    assert window.banner.isHidden()


def test_banner_appears_with_the_first_outcome(window, scanner):
    scanner.scan("NOBODY-999")
    assert window.banner.isVisible() and window.banner.level == Level.REFUSED


def test_handover_hides_the_order_step_bar(window, scanner):
    scanner.scan("P-1001")
    assert window.step_bar.isVisible()
    scanner.scan("CMD:HANDOVER")
    assert window.view.step == Step.HANDOVER
    assert window.step_bar.isHidden()
    assert "Handover" in window.handover_panel.title.text()
    scanner.scan("CMD:CLOSE")
    scanner.scan("CMD:LOGOUT")
    assert window.step_bar.isVisible()


def test_expected_waybill_is_shown_at_the_waybill_step(window, scanner):
    scanner.scan("P-1001")
    scanner.scan(ORDER)
    panel = window.order_panel
    assert window.view.order.preassigned_waybill == WAYBILL
    assert panel.expected_waybill.isHidden()  # nothing to pick yet while verifying items
    to_waybill_rest(scanner, window)
    assert panel.expected_waybill.isVisible()
    assert panel.expected_waybill.text() == f"Expected waybill: {WAYBILL}"
    scanner.scan(WAYBILL)
    assert panel.expected_waybill.isHidden()


def to_waybill_rest(scanner, window) -> None:
    for line in window.view.order.lines:
        for _ in range(line.quantity - line.scanned):
            scanner.scan(line.barcode)
    scanner.scan("BOX-M")
    scanner.scan(str(window.view.order.expected_weight_g))
    assert window.view.step == Step.WAYBILL


def test_no_expected_waybill_without_a_preassigned_one(window, scanner):
    to_waybill_step(scanner, window, "PDD-1018")
    assert window.view.order.preassigned_waybill is None
    assert window.order_panel.expected_waybill.isHidden()


# ---------------------------------------------------------------------------------- label preview


def make_pdf(path: Path) -> Path:
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(100 * mm, 150 * mm))
    c.setFillColorRGB(0, 0, 0)
    c.rect(10 * mm, 10 * mm, 80 * mm, 60 * mm, fill=1)
    c.drawString(10 * mm, 130 * mm, "PDD-1001")
    c.save()
    return path


def test_preview_renders_a_pdf_off_the_ui_thread(qtbot, tmp_path, monkeypatch):
    pdf = make_pdf(tmp_path / "label-PDD-1001-SF1400000000000-20260101.pdf")
    threads = []
    real = label_preview.render_first_page

    def spy(path, *args):
        threads.append(QThread.currentThread())
        return real(path, *args)

    monkeypatch.setattr(label_preview, "render_first_page", spy)
    preview = LabelPreview()
    qtbot.addWidget(preview)
    preview.show()
    with qtbot.waitSignal(preview.rendered, timeout=10_000):
        preview.show_print(str(pdf))
    assert threads and threads[0] is not QThread.currentThread()
    assert preview.text() == pdf.name  # the file name, not the long path
    pixmap = preview.picture.pixmap()
    assert not pixmap.isNull()
    assert pixmap.height() <= label_preview.PREVIEW_HEIGHT and pixmap.width() <= label_preview.PREVIEW_WIDTH
    image = pixmap.toImage()
    dark = sum(1 for x in range(0, image.width(), 4) for y in range(0, image.height(), 4)
               if QColor(image.pixel(x, y)).lightness() < 60)
    assert dark > 50  # the black box of the page is in the picture


def test_preview_without_pypdfium2_shows_the_file_name(qtbot, tmp_path, monkeypatch):
    pdf = make_pdf(tmp_path / "label-x.pdf")

    def missing(path, *args):
        raise ImportError("No module named 'pypdfium2'")

    monkeypatch.setattr(label_preview, "render_first_page", missing)
    preview = LabelPreview()
    qtbot.addWidget(preview)
    preview.show()
    with qtbot.waitSignal(preview.rendered, timeout=10_000):
        preview.show_print(str(pdf))
    assert preview.picture.isHidden() and preview.text() == "label-x.pdf"


def test_preview_of_a_printer_shows_its_description(qtbot):
    preview = LabelPreview()
    qtbot.addWidget(preview)
    preview.show()
    preview.show_print("zpl:10.0.0.9:9100 (Zebra)")
    assert preview.picture.isHidden() and preview.text() == "zpl:10.0.0.9:9100 (Zebra)"


def test_window_previews_the_label_until_the_order_is_done(window, scanner, demo_services, tmp_path, qtbot):
    folder = tmp_path / "prints"
    folder.mkdir()
    demo_services.set_printer(PdfPrinter(f"pdf:{folder}", folder))
    assert window.label_preview.isHidden()
    with qtbot.waitSignal(window.label_preview.rendered, timeout=10_000):
        to_waybill_step(scanner, window)
    preview = window.label_preview
    assert preview.isVisible() and not preview.picture.pixmap().isNull()
    assert preview.text().startswith(f"label-{ORDER}-") and "/" not in preview.text()
    assert Path(window.view.last_print).name == preview.text()
    scanner.scan(WAYBILL)
    assert window.view.step == Step.ORDER and preview.isHidden()


@pytest.mark.parametrize("where", [None, "", "/no/such/label.pdf", "label.txt"])
def test_is_pdf_needs_an_existing_pdf(where):
    assert not label_preview.is_pdf(where)


def test_render_first_page_fits_the_box(tmp_path):
    image = label_preview.render_first_page(str(make_pdf(tmp_path / "l.pdf")), height=150, width=120)
    assert isinstance(image, QImage) and not image.isNull()
    assert image.height() <= 150 and image.width() <= 120
    assert image.height() >= 148 or image.width() >= 118  # fills the box one way


def test_done_screen_shows_the_last_order_s_platform_state_small(window, scanner, demo_services, qtbot):
    from sqlalchemy import update

    from app.models.schema import PlatformJob

    to_waybill_step(scanner, window)
    scanner.scan(WAYBILL)
    assert window.platform_state.text() == "Shop platform: waiting to be sent"
    with demo_services.uow() as uow:
        uow.session.execute(update(PlatformJob).where(PlatformJob.order_no == ORDER)
                            .values(state="confirmed", confirmed_at=demo_services.clock()))
    assert window.platform_timer.isActive()  # waiting for the platform: the view is read again on the worker
    qtbot.waitUntil(lambda: window.platform_state.text() == "Shop platform: confirmed", timeout=10_000)
    assert not window.platform_timer.isActive()


def test_the_packing_window_fills_the_screen_it_opens_on(qtbot, window):
    available = window.screen().availableGeometry()
    # No strip left over at the right or the bottom (a 1280 px window on a 1366 px screen), nothing off screen.
    qtbot.waitUntil(lambda: window.frameGeometry() == available)
    assert window.isMaximized()
    assert window.normalGeometry().width() <= available.width()  # restored, it still fits that screen
