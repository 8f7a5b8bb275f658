"""The wire codec: an Outcome's typed print request travels as the ``extra`` dict benches have always
read (``label``, ``order_id``, ``seq``, ``reprint``; ``manifest``, ``manifest_id``), both ways."""

from __future__ import annotations

import json

import pytest

from app.i18n import Message
from app.packing.outcome import Level, Outcome, Step
from app.packing.print_request import EwaybillPrint, LabelPrint, ManifestPrint
from app.packing.wire import from_plain, to_plain
from app.printing.ewaybill import EwaybillData
from tests.unit.packing.test_bench_printer import LABEL, MANIFEST, VIEW

OUTCOME_KEYS = {"accepted", "level", "message", "kind", "view", "raw", "extra"}  # as the server always sent them


def outcome(request) -> Outcome:
    return Outcome(True, Level.ACCEPTED, Message("Weight {weight} OK", {"weight": "1180 g"}), "weight", VIEW,
                   raw="1180", print_request=request)


def over_the_wire(value: Outcome) -> dict:
    return json.loads(json.dumps(to_plain(value), ensure_ascii=False))


@pytest.mark.parametrize("request_, keys", [
    (LabelPrint(LABEL, order_id=7, seq=2, reprint=True), ["label", "order_id", "seq", "reprint"]),
    (ManifestPrint(MANIFEST, manifest_id=9), ["manifest", "manifest_id"]),
])
def test_a_print_request_round_trips_under_the_old_keys(request_, keys):
    plain = over_the_wire(outcome(request_))
    assert set(plain) == OUTCOME_KEYS
    assert list(plain["extra"]) == keys
    assert from_plain(Outcome, plain) == outcome(request_)


def test_the_label_travels_as_before():
    extra = over_the_wire(outcome(LabelPrint(LABEL, order_id=7, seq=2, reprint=True)))["extra"]
    assert (extra["order_id"], extra["seq"], extra["reprint"]) == (7, 2, True)
    assert extra["label"]["order_no"] == "O-1" and extra["label"]["printed_at"] == "2026-05-01T10:30:00+00:00"


def test_nothing_to_print_is_an_empty_extra():
    plain = over_the_wire(outcome(None))
    assert plain["extra"] == {}
    assert from_plain(Outcome, plain).print_request is None


def test_a_reply_of_an_older_server_is_read():
    """Written as the server sent it before the print request was typed (a stored reply, or an old server)."""
    old = {"accepted": True, "level": "accepted", "message": {"template": "Weight {weight} OK",
                                                              "params": {"weight": "1180 g"}},
           "kind": "weight", "view": to_plain(VIEW), "raw": "",
           "extra": {"label": to_plain(LABEL), "order_id": 7, "seq": 1, "reprint": False}}
    read = from_plain(Outcome, old)
    assert read.print_request == LabelPrint(LABEL, order_id=7, seq=1, reprint=False)
    assert read.step == Step.WAYBILL
    notice = from_plain(Outcome, {**old, "kind": "notice", "extra": {}})
    assert notice.print_request is None


def test_a_document_this_bench_does_not_know_yet_prints_nothing():
    plain = over_the_wire(outcome(None))
    plain["extra"] = {"douyin_ewaybill": {"number": "75310000000001"}, "order_id": 7, "seq": 1}
    assert from_plain(Outcome, plain).print_request is None
    plain["extra"] = {"ewaybill": {"number": "75310000000001"}, "order_id": 7, "seq": 1}  # another shape of it
    assert from_plain(Outcome, plain).print_request is None


def test_an_e_waybill_print_request_travels_whole():
    doc = EwaybillData("O-7", 2, "ZTO", "73100000000001", '{"data": {}}', (("Mug", 1),))
    both = Outcome(True, Level.ACCEPTED, Message("x"), "weight", VIEW,
                   print_request=EwaybillPrint(doc, order_id=7, seq=2, reprint=True))
    assert list(over_the_wire(both)["extra"]) == ["ewaybill", "order_id", "seq", "reprint"]
    assert from_plain(Outcome, over_the_wire(both)) == both


def test_notes_for_the_benchs_listeners_travel_beside_a_print_request():
    noted = Outcome(False, Level.REFUSED, Message("No camera"), "order", VIEW, extra={"video_required": True})
    assert over_the_wire(noted)["extra"] == {"video_required": True}
    assert from_plain(Outcome, over_the_wire(noted)) == noted
    both = Outcome(True, Level.ACCEPTED, Message("x"), "weight", VIEW, extra={"note": 1},
                   print_request=LabelPrint(LABEL, order_id=7, seq=1))
    assert list(over_the_wire(both)["extra"]) == ["note", "label", "order_id", "seq", "reprint"]
    assert from_plain(Outcome, over_the_wire(both)) == both
