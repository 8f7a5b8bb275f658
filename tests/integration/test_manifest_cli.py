"""`packgate manifests list` and `packgate manifests print`, through app.cli.main, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from app.cli import main
from app.demo import seed_demo
from app.models.schema import Manifest, ScanEvent
from app.packing.workflow import BenchWorkflow


def _closed_manifest(services) -> tuple[int, str]:
    seed_demo(services)  # the demo history closes one ZTO manifest with two parcels
    with services.read_uow() as uow:
        manifest = uow.session.scalar(select(Manifest).where(Manifest.closed_at.is_not(None)))
        return manifest.id, manifest.manifest_no


def test_list_shows_every_manifest_with_its_parcel_count(services, capsys):
    mid, number = _closed_manifest(services)
    assert main(["--db", services.db_url, "manifests", "list"]) == 0
    out = capsys.readouterr().out
    header, row = out.splitlines()[:2]
    for column in ("id", "manifest", "carrier", "station", "packer", "opened", "closed", "parcels"):
        assert column in header
    assert row.split()[:4] == [str(mid), number, "ZTO", "DEMO-HISTORY"]
    assert "Zhang Wei" in row and row.split()[-1] == "2"

    assert main(["--db", services.db_url, "manifests", "list", "--open"]) == 0
    assert "No manifests open" in capsys.readouterr().out
    assert main(["--db", services.db_url, "manifests", "list", "--carrier", "SF"]) == 0
    assert "No manifests for SF" in capsys.readouterr().out
    assert main(["--db", services.db_url, "manifests", "list", "--carrier", "中通"]) == 0
    assert number in capsys.readouterr().out

    flow = BenchWorkflow(services, "BENCH-7")  # a handover left open on a bench
    flow.handle("P-1001")
    flow.handle("CMD:HANDOVER")
    assert main(["--db", services.db_url, "manifests", "list", "--open"]) == 0
    out = capsys.readouterr().out
    assert "BENCH-7" in out and "open" in out and number not in out


def test_print_to_a_pdf_folder_and_audit_it(services, tmp_path, capsys):
    mid, number = _closed_manifest(services)
    folder = tmp_path / "prints"
    assert main(["--db", services.db_url, "manifests", "print", str(mid), "--printer", f"pdf:{folder}"]) == 0
    out = capsys.readouterr().out
    files = list(folder.glob("*.pdf"))
    assert len(files) == 1 and "manifest" in files[0].name and number in files[0].name
    assert str(files[0]) in out and "2 parcels" in out
    assert files[0].read_bytes().startswith(b"%PDF")

    assert main(["--db", services.db_url, "manifests", "print", number, "--printer", f"pdf:{folder}"]) == 0
    assert len(list(folder.glob("*.pdf"))) == 2  # by its number too
    with services.read_uow() as uow:
        events = uow.session.scalars(select(ScanEvent).where(ScanEvent.manifest_id == mid,
                                                             ScanEvent.kind == "reprint")).all()
        assert len(events) == 2 and all(e.accepted for e in events)


def test_unknown_manifest_and_bad_printer_are_one_line_errors(services, tmp_path, capsys):
    _closed_manifest(services)
    assert main(["--db", services.db_url, "manifests", "print", "999999", "--printer", f"pdf:{tmp_path}"]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No manifest 999999" in err
    assert main(["--db", services.db_url, "manifests", "print", "1", "--printer", "fax:123"]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown printer type" in err


def test_a_printer_that_fails_is_an_audited_one_line_error(services, tmp_path, capsys):
    mid, _ = _closed_manifest(services)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    assert main(["--db", services.db_url, "manifests", "print", str(mid), "--printer", f"pdf:{blocker}"]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not printed" in err
    with services.read_uow() as uow:
        event = uow.session.scalar(select(ScanEvent).where(ScanEvent.manifest_id == mid, ScanEvent.kind == "reprint"))
        assert event is not None and not event.accepted
