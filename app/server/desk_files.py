"""The desk's files as they cross HTTP: an import's bytes handed to the same importer the desk runs
in-process, and an order's evidence (its clips, the sheet, ``export.json``) packed as one zip.
The routes are :mod:`app.server.desk_api`."""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from app.desk.local import LocalDesk
from app.imports.orders import ImportReport
from app.imports.products import ProductReport


def import_upload(desk: LocalDesk, kind: str, name: str, data: bytes, profile: str = "") -> ProductReport | ImportReport:
    """Import ``data`` as a file called ``name`` (its suffix picks CSV or XLSX), in a folder of its
    own that is gone afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="packgate-import-"))
    try:
        path = folder / name
        path.write_bytes(data)
        return desk.import_file(kind, path, profile)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class EvidenceZip:
    """The zip of an order's evidence, in ``folder`` (the caller removes it once it is sent)."""

    archive: Path
    folder: Path
    order_no: str


def evidence_zip(desk: LocalDesk, text: str) -> EvidenceZip:
    """The clips and the evidence sheet the server rendered from its own files, as one zip
    (``export.json`` names the sheet and the clips)."""
    folder = Path(tempfile.mkdtemp(prefix="packgate-evidence-"))
    try:
        result = desk.export_evidence(text, folder / "out")
        archive = folder / "evidence.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as z:  # the clips are compressed already
            for file in (Path(p) for p in [*result["clips"], result["sheet"]]):
                z.write(file, file.name)
            z.writestr("export.json", json.dumps({"order_no": result["order_no"], "sheet": Path(result["sheet"]).name,
                                                  "clips": [Path(p).name for p in result["clips"]],
                                                  "not_uploaded": result.get("not_uploaded", [])}))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return EvidenceZip(archive, folder, result["order_no"])
