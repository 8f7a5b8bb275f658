"""The supervisor's exports: the period's shipments (CSV or XLSX, for the platform's bulk upload) and
the summary PDF, as the dashboard's buttons write them.

Qt-free, run off the UI thread (the dashboard hands them to its task runner). The data comes from the
desk (in-process, or at the PackGate server); the file is rendered and written on this PC, owner-only:
it holds buyers' names, phones and addresses.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from app.desk.port import SupervisorDesk
from app.fileutil import open_owner_only
from app.reports import export as shipments
from app.reports.summary import Period


def export(desk: SupervisorDesk, kind: str, path: Path, period: Period, *, figures: dict[str, Any] | None = None,
           supervisor: str = "", font_path: str | None = None) -> str:
    """Write ``kind`` (csv or xlsx: every linked waybill packed in ``period``; pdf: the summary, of
    ``figures`` when the dashboard shows some, else the desk's for ``period``) to ``path``; its path."""
    if kind == "pdf":
        data = figures if figures is not None else desk.figures(period)
        return write_summary_pdf(data, path, supervisor=supervisor, font_path=font_path)
    return write_shipments(desk.shipments(period), kind, path)


def write_shipments(rows: Iterable[shipments.ShipmentRow], kind: str, path: Path) -> str:
    """The shipments as CSV, or XLSX when ``kind`` is xlsx; its path."""
    header, cells = shipments.table(rows)
    with open_owner_only(path) as out:
        if kind == "xlsx":
            shipments.write_xlsx(out, header, cells)
        else:
            shipments.write_csv(out, header, cells)
    return str(path)


def write_summary_pdf(figures: dict[str, Any], path: Path, *, supervisor: str = "",
                      font_path: str | None = None) -> str:
    """The summary of ``figures`` as a PDF; its path."""
    from app.printing.summary_pdf import render_summary_pdf  # reportlab: loaded on the first PDF

    pdf = render_summary_pdf(figures, supervisor=supervisor, font_path=font_path)
    with open_owner_only(path) as out:
        out.write(pdf)
    return str(path)
