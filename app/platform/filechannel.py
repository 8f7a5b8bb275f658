"""The file channel, for shops without API access: the waiting jobs go into one bulk-shipping file in
the platform's template (订单号, 快递公司, 快递单号), written atomically (a temporary file renamed
into place). Those jobs are ``exported``; they become ``confirmed`` when a supervisor marks the
file uploaded (``packgate platform uploaded FILE`` or the supervisor view)."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from app.platform.outbox import Job, Result

HEADERS = ("订单号", "快递公司", "快递单号")


def export_jobs(jobs: Sequence[Job], directory: str | os.PathLike[str], fmt: str, now: datetime,
                carrier_name: Callable[[str], str]) -> tuple[Path | None, list[Result]]:
    results: list[Result] = []
    rows = []
    for job in jobs:
        if job.kind in ("unlink", "cancel"):
            results.append(Result(job.id, "failed", f"{job.tracking_number} of order {job.order_no} may already be in "
                                                    f"an uploaded file: correct it in the shop's back office",
                                  went_out=False))
        else:
            rows.append((job.order_no, carrier_name(job.carrier_code), job.tracking_number))
    if not rows:
        return None, results
    folder = Path(directory).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"pdd-shipping-{now.astimezone():%Y%m%d-%H%M%S}-{jobs[0].id}.{fmt}"
    target = folder / name
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".packgate-", suffix=f".{fmt}")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(_xlsx(rows) if fmt == "xlsx" else _csv(rows))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    results += [Result(j.id, "exported", export_file=name) for j in jobs if j.kind not in ("unlink", "cancel")]
    return target, results


def _csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # a BOM: the platform and Excel read it as UTF-8


def _xlsx(rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("发货")
    ws.append(list(HEADERS))
    for row in rows:
        ws.append([str(v) for v in row])  # numbers stay text: a waybill is not a number
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
