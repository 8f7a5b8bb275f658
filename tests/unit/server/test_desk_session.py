"""The supervisor's desk session: signed by the server, the station's own, with the idle expiry;
a bench's session blob (same key) never opens a desk."""

from __future__ import annotations

from app.packing.auth import Supervisor
from app.packing.model import BenchState
from app.server.sessions import SessionSigner, open_desk, sign_desk

SIGNER = SessionSigner(b"k" * 32, idle_seconds=600)
SUP = Supervisor(7, "陈主管")


def test_a_desk_session_opens_at_its_station_until_it_idles_out():
    blob = sign_desk(SIGNER, 3, SUP, now=1000)
    assert open_desk(SIGNER, 3, blob, now=1500) == SUP
    assert open_desk(SIGNER, 3, blob, now=1601) is None  # idle past 10 minutes
    assert open_desk(SIGNER, 4, blob, now=1500) is None  # another station's token


def test_forged_or_foreign_blobs_open_nothing():
    blob = sign_desk(SIGNER, 3, SUP, now=1000)
    body, mac = blob.split(".")
    tampered = sign_desk(SIGNER, 3, Supervisor(1, "x"), now=1000).split(".")[0] + "." + mac
    other_key = sign_desk(SessionSigner(b"o" * 32, 600), 3, SUP, now=1000)
    bench = SIGNER.sign(3, BenchState(), now=1000)  # a packer's bench session, same key
    for bad in (None, "", "nodot", tampered, other_key, bench, body + ".!!!"):
        assert open_desk(SIGNER, 3, bad, now=1500) is None, bad
