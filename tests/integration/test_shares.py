"""Share links (issue 24) without a browser: the database's rules for them in raw SQL (SQLite and
PostgreSQL), making, opening, expiry on an injected clock, revocation, the CLI, the audit trail, and
a cut that is a remux of the recorder's own packets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.cli import main
from app.demo import seed_demo
from app.evidence import shares
from app.models.evidence import ShareOpening
from tests.integration.evidence.recorder_helpers import make_clip

SUPERVISOR = "S-9001"
T0 = "'2026-12-01 10:00:00'"
T1 = "'2026-12-15 10:00:00'"
HASH = "'" + "a" * 64 + "'"


def _user(conn) -> int:
    conn.execute(text("INSERT INTO users (badge, name, role, failed_pins, active, created_at, session_epoch) "
                      f"VALUES ('S-1', 'Sup', 'supervisor', 0, TRUE, {T0}, 0)"))
    return conn.execute(text("SELECT id FROM users WHERE badge = 'S-1'")).scalar_one()


def _share(uid: int, **over: str) -> str:
    cols = {"token_hash": HASH, "order_no": "'O-1'", "from_s": "NULL", "to_s": "NULL", "created_at": T0,
            "expires_at": T1, "created_by": str(uid), "reason": "'dispute'", "revoked_at": "NULL",
            "revoked_by": "NULL", **over}
    return f"INSERT INTO evidence_shares ({', '.join(cols)}) VALUES ({', '.join(cols.values())})"


BROKEN = [
    {"token_hash": "'short'"},
    {"reason": "''"},
    {"expires_at": T0},
    {"from_s": "5", "to_s": "NULL"},
    {"from_s": "NULL", "to_s": "5"},
    {"from_s": "5", "to_s": "5"},
    {"from_s": "-1", "to_s": "5"},
    {"revoked_at": T1},
    {"revoked_by": "1"},
    {"created_by": "999999"},
    {"token_hash": HASH},  # one token, one share
]


def test_the_database_refuses_a_broken_share(services):
    with services.engine.connect() as conn:
        uid = _user(conn)
        conn.execute(text(_share(uid, token_hash="'" + "b" * 64 + "'", from_s="1.5", to_s="9")))  # legal ones
        conn.execute(text(_share(uid, revoked_at=T1, revoked_by=str(uid))))
        share_id = conn.execute(text(f"SELECT id FROM evidence_shares WHERE token_hash = {HASH}")).scalar_one()
        opening = "INSERT INTO evidence_share_openings (share_id, at, what, client) VALUES ({}, " + T0 + ", {}, '')"
        conn.execute(text(opening.format(share_id, "'page'")))
        statements = [_share(uid, **{"token_hash": "'" + "c" * 64 + "'", **bad}) for bad in BROKEN]
        statements += [opening.format(share_id, "'other'"), opening.format(999999, "'page'")]
        for statement in statements:
            with pytest.raises(DBAPIError):
                with conn.begin_nested():
                    conn.execute(text(statement))
        conn.rollback()


@pytest.fixture
def demo(services, tmp_path):
    seed_demo(services)
    make_clip(tmp_path / "evidence", services.sessions, "PDD-1001", ("SF1400000000000",), 4.0,
              marks=[{"t": 0.5, "kind": "order", "code": "PDD-1001"}, {"t": 3.0, "kind": "waybill",
                                                                        "code": "SF1400000000000"}])
    return services


def test_a_share_opens_until_it_expires_or_is_revoked_and_is_audited(demo, clock):
    sup = shares.supervisor_by_badge(demo, SUPERVISOR)
    with pytest.raises(shares.ShareRefused):
        shares.make_share(demo, "PDD-1001", sup, "  ")
    with pytest.raises(shares.ShareRefused):
        shares.make_share(demo, "PDD-1999", sup, "no clip")
    made = shares.make_share(demo, "SF1400000000000", sup, "buyer says the mug was missing", days=2)
    assert made.order_no == "PDD-1001" and len(made.token) >= 43
    assert made.link("https://pg.lan:8650/") == f"https://pg.lan:8650/share/{made.token}"
    with demo.read_uow() as uow:
        stored = uow.session.execute(text("SELECT token_hash FROM evidence_shares")).scalars().all()
        assert stored == [shares.digest(made.token)]  # only the hash is kept
        share = shares.open_share(uow.session, made.token, clock.now)
        assert share is not None and share.order_no == "PDD-1001"
        assert shares.open_share(uow.session, made.token[:-1] + "x", clock.now) is None
        assert [c["order_no"] for c in shares.shared_clips(uow.session, share)] == ["PDD-1001"]
        assert shares.open_share(uow.session, made.token, clock.now + timedelta(days=2, seconds=1)) is None
    with demo.uow() as uow:
        shares.log_opening(uow.session, share, "page", "10.0.0.9", clock.now)
    assert shares.revoke_share(demo, f"https://pg.lan:8650/share/{made.token}", sup) == "PDD-1001"
    with pytest.raises(shares.ShareRefused):
        shares.revoke_share(demo, made.token, sup)
    with demo.read_uow() as uow:
        assert shares.open_share(uow.session, made.token, clock.now) is None
        assert uow.session.query(ShareOpening).count() == 1
        audit = uow.session.execute(text("SELECT raw, message FROM scan_events WHERE raw LIKE 'evidence %share%' "
                                         "ORDER BY id")).all()
    assert [r[0] for r in audit] == ["evidence share PDD-1001", "evidence unshare PDD-1001"]
    assert "buyer says the mug was missing" in audit[0][1]


def test_the_cli_shares_and_unshares(demo, capsys):
    url = demo.db_url
    assert main(["--db", url, "evidence", "share", "PDD-1001", "--by", SUPERVISOR, "--reason", "dispute 77",
                 "--days", "3", "--from", "1", "--to", "2.5", "--base-url", "http://127.0.0.1:8650"]) == 0
    link = capsys.readouterr().out.splitlines()[0]
    assert link.startswith("http://127.0.0.1:8650/share/")
    assert main(["--db", url, "evidence", "share", "PDD-1001", "--by", "P-1001", "--reason", "x",
                 "--base-url", "http://h"]) != 0  # a packer cannot share
    assert main(["--db", url, "evidence", "share", "PDD-1001", "--by", SUPERVISOR, "--reason", "x"]) != 0  # no address
    capsys.readouterr()
    assert main(["--db", url, "evidence", "unshare", link, "--by", SUPERVISOR]) == 0
    assert "revoked" in capsys.readouterr().out
    with demo.read_uow() as uow:
        row = uow.session.execute(text("SELECT from_s, to_s, revoked_at IS NOT NULL FROM evidence_shares")).one()
    assert tuple(row) == (1.0, 2.5, True)


def test_a_cut_is_a_remux_of_the_recorders_packets(tmp_path, sqlite_services):
    import av

    path = make_clip(tmp_path / "ev", sqlite_services.sessions, "PDD-1", (), 4.0)
    cut = shares.cut_clip(path, tmp_path / "cut.mp4", 2.2, 3.0)
    with av.open(str(path)) as src, av.open(str(cut)) as out:
        keep = {bytes(p) for p in src.demux(video=0) if p.size}
        got = [bytes(p) for p in out.demux(video=0) if p.size]
    assert 10 <= len(got) <= 17  # from the key frame at 2.0 s to 3.0 s at 15 fps
    assert all(p in keep for p in got)  # the same packets, never re-encoded
