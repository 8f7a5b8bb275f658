"""Shipment export: exact columns, UTF-8 BOM, the Pinduoduo profile, --since, XLSX, formula safety."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from app.bootstrap import bootstrap
from app.cli import main
from app.config import Settings
from app.models.schema import Order, Station, User
from app.reports.export import COLUMNS, safe_csv_cell, shipment_rows


def seed(services) -> None:
    with services.uow() as uow:
        s = uow.session
        bench, packer = Station(name="BENCH-1"), User(name="=HYPERLINK(\"http://evil\")", role="packer", badge="P-1")
        plain = User(name="李娜", role="packer", badge="P-2")
        s.add_all([bench, packer, plain])
        s.flush()
        s.add_all([
            Order(order_no="PDD-1", carrier_code="SF", state="packed", waybill="SF1400000000000",
                  packed_at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC), packer_id=plain.id, station_id=bench.id),
            Order(order_no="PDD-2", carrier_code="ZTO", state="handed_over", waybill="75310000000001",
                  packed_at=datetime(2026, 11, 26, 9, 0, tzinfo=UTC),
                  handed_over_at=datetime(2026, 11, 26, 15, 0, tzinfo=UTC), packer_id=packer.id, station_id=bench.id),
            Order(order_no="-PDD-3", carrier_code="EMS", state="packed", waybill="1100000000001",
                  packed_at=datetime(2026, 11, 27, 9, 0, tzinfo=UTC)),
            Order(order_no="PDD-4", carrier_code="SF", state="ready"),  # no waybill: not exported
        ])


@pytest.fixture
def db(sqlite_url, clock):
    svc = bootstrap(sqlite_url, Settings(station="T"), clock=clock)
    seed(svc)
    svc.close()
    return sqlite_url


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def local(moment: datetime) -> str:
    return moment.astimezone().isoformat(timespec="seconds")


def test_shipment_rows_on_both_databases(services):
    seed(services)
    with services.read_uow() as uow:
        rows = shipment_rows(uow.session)
        assert [r.order_no for r in rows] == ["PDD-1", "PDD-2", "-PDD-3"]
        assert rows[1].carrier_name_zh == "中通快递" and rows[0].packer == "李娜" and rows[0].station == "BENCH-1"
        assert rows[2].packer == "" and rows[2].station == ""
        since = shipment_rows(uow.session, datetime(2026, 11, 26, tzinfo=UTC))
        assert [r.order_no for r in since] == ["PDD-2", "-PDD-3"]


def test_csv_to_stdout_has_bom_exact_columns_and_safe_cells(db, capsysbinary):
    assert main(["--db", db, "export-shipments"]) == 0
    rows = read_csv(capsysbinary.readouterr().out)
    assert rows[0] == list(COLUMNS) == ["order_no", "carrier", "waybill", "state", "packed_at", "handed_over_at",
                                        "packer", "station"]
    assert rows[1] == ["PDD-1", "SF", "SF1400000000000", "packed", local(datetime(2026, 11, 24, 9, tzinfo=UTC)), "",
                       "李娜", "BENCH-1"]
    assert rows[2][6] == "'=HYPERLINK(\"http://evil\")"
    assert rows[2][5] == local(datetime(2026, 11, 26, 15, tzinfo=UTC))
    assert rows[3][0] == "'-PDD-3"
    assert len(rows) == 4


def test_since_filters_on_local_midnight(db, tmp_path, capsys):
    out = tmp_path / "s.csv"
    assert main(["--db", db, "export-shipments", "--since", "2026-11-26", "--out", str(out)]) == 0
    assert "Exported 2 shipments" in capsys.readouterr().out
    assert [r[0] for r in read_csv(out.read_bytes())[1:]] == ["PDD-2", "'-PDD-3"]


def test_pdd_profile_headers_and_chinese_carrier_names(db, tmp_path):
    out = tmp_path / "pdd.csv"
    assert main(["--db", db, "export-shipments", "--profile", "pdd", "--out", str(out)]) == 0
    rows = read_csv(out.read_bytes())
    assert rows == [["订单号", "快递公司", "快递单号"], ["PDD-1", "顺丰速运", "SF1400000000000"],
                    ["PDD-2", "中通快递", "75310000000001"], ["'-PDD-3", "中国邮政 EMS", "1100000000001"]]


def test_xlsx_round_trip_with_cells_as_text(db, tmp_path):
    out = tmp_path / "shipments.xlsx"
    assert main(["--db", db, "export-shipments", "--out", str(out)]) == 0  # format from the extension
    wb = load_workbook(out)
    ws = wb.worksheets[0]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0] == list(COLUMNS)
    assert rows[2][6] == '=HYPERLINK("http://evil")'
    assert ws.cell(row=3, column=7).data_type == "s"  # text, not a formula
    assert rows[3][0] == "-PDD-3" and ws.cell(row=4, column=1).data_type == "s"
    assert all(c.data_type == "s" for r in ws.iter_rows() for c in r if c.value is not None)
    raw = __import__("zipfile").ZipFile(out).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in raw


def test_pdd_profile_as_xlsx(db, tmp_path):
    out = tmp_path / "pdd.bin"
    assert main(["--db", db, "export-shipments", "--profile", "pdd", "--format", "xlsx", "--out", str(out)]) == 0
    ws = load_workbook(io.BytesIO(out.read_bytes())).worksheets[0]
    assert [c.value for c in ws[1]] == ["订单号", "快递公司", "快递单号"]
    assert [c.value for c in ws[2]] == ["PDD-1", "顺丰速运", "SF1400000000000"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "xlsx"], "--format xlsx needs --out FILE"),
        (["--since", "26/11/2026"], "--since '26/11/2026' is not a date"),
    ],
)
def test_errors_are_one_line(db, capsys, args, message):
    assert main(["--db", db, "export-shipments", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_unwritable_out_is_one_line(db, tmp_path, capsys):
    assert main(["--db", db, "export-shipments", "--out", str(tmp_path / "missing" / "x.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("packgate: Cannot write") and len(err.splitlines()) == 1


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_safe_csv_cell_neutralises_formulas(value):
    assert safe_csv_cell(value) == "'" + value
    assert safe_csv_cell("PDD-1") == "PDD-1"
