"""Read printed documents back as a courier's scanner would: rasterise every page, decode barcodes."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import zxingcpp


def decode_pdf(pdf: bytes | Path, scale: float = 4) -> set[str]:
    """Every barcode text found on any page of ``pdf`` (bytes or a file path)."""
    doc = pdfium.PdfDocument(pdf)
    try:
        found: set[str] = set()
        for page in doc:
            found |= {r.text for r in zxingcpp.read_barcodes(page.render(scale=scale).to_pil())}
        return found
    finally:
        doc.close()
