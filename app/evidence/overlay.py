"""The burned-in overlay of every frame: bench, packer, order, waybills, wall clock, and a QR code.

Drawn straight into the yuv420p planes (white text on a black box, a black-on-white QR code; the
chroma of both set to grey), so a frame costs a few array copies, not a colour conversion. The text
strip is rendered with Pillow once per second (the clock) or when the order data changes, with the
same CJK font finder as the labels, so Chinese packer names are legible.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OverlayInfo:
    station: str
    packer: str
    order_no: str
    waybills: tuple[str, ...] = field(default_factory=tuple)

    def qr_text(self) -> str:
        """What the corner QR code says: the order and, once linked, its waybills."""
        text = f"PackGate order={self.order_no}"
        if self.waybills:
            text += " waybill=" + ",".join(self.waybills)
        return text


def qr_matrix(text: str) -> np.ndarray:
    """The QR code of ``text`` as 0/1 modules (1 = dark), with its 4-module quiet zone."""
    import segno

    qr = segno.make(text, error="m", micro=False)
    modules = np.array([list(row) for row in qr.matrix], dtype=np.uint8)
    return np.pad(modules, 4, constant_values=0)


def _font(path: str | None, size: int):
    from PIL import ImageFont

    if path:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            log.warning("cannot load font %s for the video overlay", path)
    return ImageFont.load_default(size=size)


class Overlay:
    """Burns ``OverlayInfo`` and the time into yuv420p frames of one size."""

    def __init__(self, width: int, height: int, font_path: str | None = None) -> None:
        self.width, self.height = width, height
        self.font_size = max(10, height // 30)
        self.font = _font(font_path, self.font_size)
        self.module = max(2, height // 160)  # QR module size in pixels: readable from a screenshot
        self._text_key: tuple | None = None
        self._text_img: np.ndarray | None = None
        self._qr_key: str | None = None
        self._qr_img: np.ndarray | None = None

    def lines(self, info: OverlayInfo, now: datetime) -> tuple[str, str]:
        waybills = " ".join(info.waybills) if info.waybills else "-"
        first = f"{info.station}  {info.packer}  {info.order_no}  {waybills}"
        return first, now.strftime("%Y-%m-%d %H:%M:%S")

    def _text(self, info: OverlayInfo, now: datetime) -> np.ndarray:
        key = (info, now.replace(microsecond=0))
        if key != self._text_key:
            from PIL import Image, ImageDraw

            lines = self.lines(info, now)
            pad = max(4, self.font_size // 3)
            line_h = int(self.font_size * 1.25)
            probe = ImageDraw.Draw(Image.new("L", (1, 1)))
            text_w = max(int(probe.textlength(line, font=self.font)) for line in lines)
            w = min(self.width - 2 * pad, text_w + 2 * pad)
            h = min(self.height // 2, line_h * len(lines) + 2 * pad)
            w, h = w - w % 2, h - h % 2
            img = Image.new("L", (w, h), 16)
            draw = ImageDraw.Draw(img)
            for i, line in enumerate(lines):
                draw.text((pad, pad + i * line_h), line, fill=235, font=self.font)
            self._text_img = np.asarray(img, dtype=np.uint8)
            self._text_key = key
        assert self._text_img is not None
        return self._text_img

    def _qr(self, info: OverlayInfo) -> np.ndarray:
        text = info.qr_text()
        if text != self._qr_key:
            modules = qr_matrix(text)
            img = np.where(np.kron(modules, np.ones((self.module, self.module), dtype=np.uint8)) == 1, 0, 255)
            img = img.astype(np.uint8)
            if img.shape[0] % 2:
                img = np.pad(img, ((0, 1), (0, 1)), constant_values=255)
            limit = min(self.width, self.height) - 4
            if img.shape[0] > limit:  # a tiny frame: a smaller module still beats no code
                img = img[::2, ::2] if img.shape[0] // 2 <= limit else img[:limit, :limit]
                img = img[: img.shape[0] - img.shape[0] % 2, : img.shape[1] - img.shape[1] % 2]
            self._qr_img, self._qr_key = img, text
        assert self._qr_img is not None
        return self._qr_img

    def burn(self, planes: np.ndarray, info: OverlayInfo, now: datetime) -> None:
        """Draw into ``planes``: the (height*3/2, width) array of a yuv420p frame, in place."""
        w, h = self.width, self.height
        y = planes[:h]
        u = planes[h : h + h // 4].reshape(h // 2, w // 2)
        v = planes[h + h // 4 :].reshape(h // 2, w // 2)
        text = self._text(info, now)
        th, tw = text.shape
        y0, x0 = h - th - 2 - (h - th - 2) % 2, 2
        y[y0 : y0 + th, x0 : x0 + tw] = text
        u[y0 // 2 : (y0 + th) // 2, x0 // 2 : (x0 + tw) // 2] = 128
        v[y0 // 2 : (y0 + th) // 2, x0 // 2 : (x0 + tw) // 2] = 128
        qr = self._qr(info)
        qh, qw = qr.shape
        qy, qx = 2, w - qw - 2 - (w - qw - 2) % 2
        y[qy : qy + qh, qx : qx + qw] = qr
        u[qy // 2 : (qy + qh) // 2, qx // 2 : (qx + qw) // 2] = 128
        v[qy // 2 : (qy + qh) // 2, qx // 2 : (qx + qw) // 2] = 128
