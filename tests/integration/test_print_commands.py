"""`packgate print-commands`: the A4 command sheet, rasterised and decoded like a scanner would."""

from __future__ import annotations

from app.cli import main
from tests.barcodes import decode_pdf


def test_demo_sheet_has_commands_boxes_badges_orders_and_items(sqlite_url, tmp_path, capsys):
    assert main(["--db", sqlite_url, "demo"]) == 0
    out_file = tmp_path / "sheet.pdf"
    assert main(["--db", sqlite_url, "print-commands", "--demo", "--out", str(out_file)]) == 0
    assert str(out_file) in capsys.readouterr().out
    codes = decode_pdf(out_file.read_bytes())
    assert {"CMD:LOGOUT", "BOX-M", "P-1001", "PDD-1001"} <= codes
    assert {"CMD:CANCEL", "CMD:REPRINT", "CMD:SHORT", "CMD:HANDOVER", "CMD:CLOSE", "BOX-S", "BOX-L",
            "S-9001", "6901234567892"} <= codes
    assert "PDD-1021" not in codes  # packed by the demo history: not ready any more


def test_plain_sheet_through_the_printer(sqlite_url, tmp_path, capsys):
    assert main(["--db", sqlite_url, "demo"]) == 0
    folder = tmp_path / "prints"
    assert main(["--db", sqlite_url, "print-commands", "--printer", f"pdf:{folder}"]) == 0
    files = list(folder.glob("*.pdf"))
    assert len(files) == 1 and str(files[0]) in capsys.readouterr().out
    codes = decode_pdf(files[0].read_bytes())
    assert {"CMD:LOGOUT", "BOX-M"} <= codes and "P-1001" not in codes and "PDD-1001" not in codes


def test_demo_sheet_without_demo_data_says_so(sqlite_url, tmp_path, capsys):
    out_file = tmp_path / "sheet.pdf"
    assert main(["--db", sqlite_url, "print-commands", "--demo", "--out", str(out_file)]) == 0
    assert "packgate demo" in capsys.readouterr().err
    codes = decode_pdf(out_file.read_bytes())
    assert "CMD:LOGOUT" in codes and "P-1001" not in codes


def test_unwritable_out_is_a_one_line_error(sqlite_url, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["--db", sqlite_url, "print-commands", "--out", str(blocker / "sheet.pdf")]) != 0
    assert capsys.readouterr().err.count("\n") == 1
