"""The print component client against the stand-in component (PDD and Cainiao protocols), the
stand-in against recorded message shapes, and reconnection after the component restarts."""

from __future__ import annotations

import json

import pytest

from app.errors import PrinterError
from app.printing.component import ComponentSpec, PrintComponent, parse_component_spec
from app.printing.component_standin import StandInComponent
from app.printing.ewaybill import EwaybillData
from tests.barcodes import decode_pdf

PRINT_DATA = json.dumps({"data": {"waybillCode": "73100000000042", "wpCode": "ZTO", "orders": ["O-1"], "packageId": "1"},
                         "templateURL": "https://file-link.pinduoduo.com/standin/zto_76x130", "signature": "x",
                         "ver": "standin-1"})
DOC = EwaybillData("O-1", 1, "ZTO", "73100000000042", PRINT_DATA, (("T 恤", 2),))


def test_specs():
    assert parse_component_spec("pddprint:HP") == ComponentSpec("pdd", "HP", "ws://127.0.0.1:5000")
    assert parse_component_spec("cainiao:X@ws://10.0.0.2:13528") == ComponentSpec("cainiao", "X", "ws://10.0.0.2:13528")
    assert parse_component_spec("pdf:/tmp") is None


@pytest.mark.parametrize("kind", ["pdd", "cainiao"])
def test_printers_and_a_printed_label_decoded_to_the_number(tmp_path, kind):
    with StandInComponent(tmp_path, kind=kind) as comp:
        client = PrintComponent(ComponentSpec(kind, "StandIn-76x130", comp.url), timeout=5)
        names, default = client.printers()
        assert default in names and "StandIn-100x150" in names
        result = client.print_ewaybill(DOC)
        assert result.printed
        (doc,) = comp.documents
        assert decode_pdf(open(doc["pdf"], "rb").read()) == {"73100000000042"}
        record = json.loads((tmp_path / "O-1-1-73100000000042.json").read_text())
        contents = record["document"]["contents"]
        assert contents[0]["data"]["waybillCode"] == "73100000000042"
        assert contents[1]["data"]["items"] == [{"name": "T 恤", "count": 2}]
        client.close()


def test_cainiao_without_notification_asks_the_task_status(tmp_path):
    with StandInComponent(tmp_path, kind="cainiao", notify=False) as comp:
        client = PrintComponent(ComponentSpec("cainiao", "", comp.url), timeout=0.5)
        assert client.print_ewaybill(DOC).printed
        client.close()


def test_a_failed_print_is_a_printer_error(tmp_path):
    with StandInComponent(tmp_path, fail="缺纸") as comp:
        client = PrintComponent(ComponentSpec("pdd", "", comp.url), timeout=5)
        with pytest.raises(PrinterError, match="缺纸"):
            client.print_ewaybill(DOC)
        client.close()


def test_reconnects_after_the_component_restarts(tmp_path):
    with StandInComponent(tmp_path) as comp:
        port = int(comp.url.rsplit(":", 1)[1])
        client = PrintComponent(ComponentSpec("pdd", "", comp.url), timeout=5)
        client.printers()
    with StandInComponent(tmp_path, port=port):
        assert client.print_ewaybill(DOC).printed
        assert client.reconnects == 1
    client.close()


def test_no_component_is_a_printer_error():
    client = PrintComponent(ComponentSpec("pdd", "", "ws://127.0.0.1:9"), timeout=1)
    with pytest.raises(PrinterError, match="does not answer"):
        client.printers()


def test_the_standin_answers_recorded_shapes(tmp_path):
    """Messages as the PDD component's documentation shows them (request -> answer, then notify)."""
    comp = StandInComponent(tmp_path)
    request = {"cmd": "print", "requestID": "12345678901234567890", "version": "1.0",
               "task": {"taskID": "7293666", "preview": False, "printer": "",
                        "documents": [{"documentID": "0123456789", "contents": [json.loads(PRINT_DATA)]}]}}
    answer, notify = comp.answer(request)
    assert answer == {"cmd": "print", "requestID": "12345678901234567890", "status": "success", "taskID": "7293666"}
    assert notify["cmd"] == "PrintResultNotify" and notify["taskStatus"] == "printed"
    assert notify["printStatus"] == [{"documentID": "0123456789", "status": "success", "msg": ""}]
    (printers,) = comp.answer({"cmd": "getPrinters", "requestID": "1", "version": "1.0"})
    assert set(printers) >= {"cmd", "requestID", "printers", "defaultPrinter"}


def test_printers_command_lists_the_components_printers(tmp_path, capsys):
    from app.cli import main

    with StandInComponent(tmp_path, kind="cainiao") as comp:
        assert main(["printers", "--component", "cainiao", "--url", comp.url, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["printers"] == ["StandIn-76x130", "StandIn-100x150"] and listed["default"] == "StandIn-76x130"
