"""A small preview of the last printed label, rendered from its PDF off the UI thread.

The PDF is rendered to a QImage on the UI task runner's pdfium lane (one render at a time, in
order: pypdfium2 is not thread-safe); the image comes back on the UI thread and only there becomes
a pixmap. When the print was not a PDF (a label printer, the
test printer) or pypdfium2 is not installed, the panel shows the print's description instead.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.ui.tasks import TaskRunner
from app.ui.text import show_as_text

log = logging.getLogger(__name__)
PREVIEW_HEIGHT = 300  # pixels: small, but the barcode and the address block are recognisable
PREVIEW_WIDTH = 240
RENDER_LANE = "pdfium"  # one render at a time, in order (pdfium is not thread-safe)


def is_pdf(where: str | None) -> bool:
    return bool(where) and where.lower().endswith(".pdf") and Path(where).is_file()


def render_first_page(path: str, height: int = PREVIEW_HEIGHT, width: int = PREVIEW_WIDTH) -> QImage:
    """The PDF's first page as an RGB QImage that fits ``width`` x ``height``. Worker thread only."""
    import pypdfium2  # imported here: the window starts without it, and works without it

    pdf = pypdfium2.PdfDocument(path)
    try:
        page = pdf[0]
        page_w, page_h = page.get_size()  # points
        scale = min(height / page_h, width / page_w)
        image = page.render(scale=scale).to_pil().convert("RGB")
        page.close()
    finally:
        pdf.close()
    data = image.tobytes()
    # copy(): the QImage must own its pixels once ``data`` is gone
    return QImage(data, image.width, image.height, 3 * image.width, QImage.Format.Format_RGB888).copy()


def _render_or_none(path: str) -> QImage | None:
    """Worker thread: the preview's picture, or None (no pypdfium2, or a PDF that cannot be drawn)."""
    try:
        return render_first_page(path)
    except ImportError:
        return None
    except Exception:  # noqa: BLE001 - a preview that cannot be drawn must not break a scan
        log.warning("cannot render a preview of %s", path, exc_info=True)
        return None


class LabelPreview(QWidget):
    """Shows the last label: its picture when it went to a PDF, else what it was (``caption``).

    ``rendered(path)`` after a PDF's picture is on screen (or it failed and the text is shown).
    """

    rendered = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, tasks: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel(self.tr("Label"))
        self.heading.setStyleSheet("font-size: 16pt; font-weight: bold; color: #424242;")
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setFixedSize(PREVIEW_WIDTH + 8, PREVIEW_HEIGHT + 8)
        self.picture.setStyleSheet("background: white; border: 1px solid #9e9e9e;")
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setMaximumWidth(PREVIEW_WIDTH + 8)
        self.caption.setStyleSheet("font-size: 12pt; color: #424242;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.picture)
        layout.addWidget(self.caption)
        layout.addStretch(1)
        self.where: str | None = None
        self._text = ""
        self._tasks = tasks if tasks is not None else TaskRunner(self, threads=1)
        show_as_text(self)

    def text(self) -> str:
        return self._text

    def _set_caption(self, text: str) -> None:
        self._text = text
        # A zero-width space after each '-' lets a long file name wrap instead of running off the panel.
        self.caption.setText(text.replace("-", "-\u200b"))

    def show_print(self, where: str | None) -> None:
        """The last print went to ``where`` (a PDF path, or a printer's description)."""
        if where == self.where:
            return
        self.where = where
        self.picture.clear()
        if not where:
            self._set_caption("")
            self.picture.hide()
            return
        if is_pdf(where):
            self._set_caption(Path(where).name)
            self.picture.setText(self.tr("Rendering\u2026"))
            self.picture.show()
            self._tasks.submit(lambda: _render_or_none(where), lambda image: self._on_rendered(where, image),
                               lambda _exc: self._on_rendered(where, None), lane=RENDER_LANE)
        else:
            self._set_caption(where)
            self.picture.hide()

    def _on_rendered(self, path: str, image: QImage | None) -> None:
        if path != self.where:
            return  # a newer print came in meanwhile
        if image is None or image.isNull():
            self.picture.hide()
        else:
            self.picture.setPixmap(QPixmap.fromImage(image))
        self.rendered.emit(path)

    def wait_idle(self, ms: int = 30_000) -> bool:
        """Wait for a render in flight (the window closing, tests)."""
        return self._tasks.wait(ms)
