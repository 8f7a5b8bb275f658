"""Shared label and manifest data, and helpers that read barcodes back from rendered PDFs."""

from __future__ import annotations

from datetime import datetime

import pypdfium2 as pdfium
import zxingcpp

from app.printing.base import LabelData, LabelItem, ManifestData, ManifestParcel, Sender

ADDRESS = "浙江省杭州市西湖区文三路 478 号华星时代广场 A 座 12 楼 1203 室（请放快递柜）"


def make_label(**changes: object) -> LabelData:
    data: dict[str, object] = dict(
        order_no="SO-2024/000123",
        carrier_code="SF",
        carrier_name="顺丰速运 SF Express",
        recipient_name="张三",
        recipient_phone="13800138000",
        recipient_address=ADDRESS,
        waybill="SF1234567890123",
        items=(LabelItem("CUP-500", "保温杯 500ml", 2), LabelItem("LID-1", "杯盖", 1)),
        item_count=3,
        weight_g=1250,
        box_code="B3",
        station="Bench 1",
        printed_at=datetime(2024, 5, 1, 10, 30),
        sender=Sender("PackGate 旗舰店", "0571-88886666", "杭州市余杭区仓前街道 1 号仓"),
    )
    data.update(changes)
    return LabelData(**data)  # type: ignore[arg-type]


def make_manifest(n: int) -> ManifestData:
    parcels = tuple(
        ManifestParcel(f"SF{1000000000000 + i}", f"SO-2024/{i:06d}", 300 + i if i % 7 else None)
        for i in range(n)
    )
    return ManifestData(
        manifest_no="MF-20240501-0001",
        carrier_code="SF",
        carrier_name="顺丰速运 SF Express",
        station="Bench 1",
        packer="李四",
        opened_at=datetime(2024, 5, 1, 8, 0),
        closed_at=datetime(2024, 5, 1, 17, 30),
        parcels=parcels,
    )


def decode_pdf_page(pdf: bytes, page: int = 0, scale: float = 4) -> set[str]:
    """Rasterise one page at 72*scale dpi and return every barcode text zxing-cpp finds."""
    doc = pdfium.PdfDocument(pdf)
    try:
        image = doc[page].render(scale=scale).to_pil()
        return {r.text for r in zxingcpp.read_barcodes(image)}
    finally:
        doc.close()


def page_count(pdf: bytes) -> int:
    doc = pdfium.PdfDocument(pdf)
    try:
        return len(doc)
    finally:
        doc.close()
