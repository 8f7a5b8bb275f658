"""Migration 0019's rules, proven with raw SQL on SQLite and PostgreSQL: a waybill source is known
and a pdd source names its branch and address; an e-waybill number is unique, a taken one has its
number and print data, at most one live e-waybill per parcel (a cancelled one frees the place)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from tests.integration.test_constraints import _refused, engine  # noqa: F401 - the migrated SQLite/PostgreSQL fixture

T = "'2026-01-01 00:00:00'"
SHOP = ("INSERT INTO shops (id, name, platform, options, enabled, stopped_reason, last_pull_error, pull_failures, "
        f"created_at, updated_at) VALUES (900, 'e-shop', 'pdd', '{{}}', TRUE, '', '', 0, {T}, {T})")


def source(source: str, branch: str = "", address: str = "", carrier: str = "ZTO") -> str:
    return ("INSERT INTO waybill_sources (shop_id, carrier_code, source, branch_code, branch_name, sender_address, "
            f"template_url, updated_at) VALUES (900, '{carrier}', '{source}', '{branch}', '', '{address}', '', {T})")


def ewaybill(seq: int, state: str, code: str | None, data: str = "{}", cancelled: bool = False,
             linked: bool = False) -> str:
    number = f"'{code}'" if code else "NULL"
    taken = T if code else "NULL"
    return ("INSERT INTO ewaybills (order_id, parcel_seq, shop_id, carrier_code, branch_code, waybill_code, print_data, "
            "state, error, prints, requested_at, taken_at, linked_at, cancelled_at) VALUES "
            f"(3, {seq}, 900, 'ZTO', 'B1', {number}, '{data}', '{state}', '', 0, {T}, {taken}, "
            f"{T if linked else 'NULL'}, {T if cancelled else 'NULL'})")


def job(kind: str) -> str:
    return ("INSERT INTO platform_jobs (order_id, order_no, kind, parcel_seq, carrier_code, tracking_number, state, "
            f"attempts, next_attempt_at, error, created_at) VALUES (3, 'O-3', '{kind}', 1, 'ZTO', '73100000000020', "
            f"'pending', 0, {T}, '', {T})")


CASES = [
    ("job_kind_unknown", [job("ewaybill_cancel")], job("ewaybill_lost"), r"kind_known"),
    ("source_twice", [SHOP, source("scan")], source("pool"), r"unique|UNIQUE"),
    ("source_unknown_value", [SHOP], source("ftp"), r"source_known"),
    ("pdd_without_branch", [SHOP, "DELETE FROM waybill_sources WHERE shop_id = 900"], source("pdd", "", "{}"),
     r"pdd_has_branch"),
    ("number_on_two_parcels", [SHOP, ewaybill(1, "taken", "73100000000001")], ewaybill(2, "taken", "73100000000001"),
     r"unique|UNIQUE|duplicate"),
    ("second_live_for_a_parcel", [SHOP, ewaybill(1, "requested", None)], ewaybill(1, "taken", "73100000000002"),
     r"unique|UNIQUE|duplicate"),
    ("taken_without_number", [SHOP], ewaybill(1, "taken", None), r"taken_has_number"),
    ("taken_without_print_data", [SHOP], ewaybill(1, "printed", "73100000000003", data=""), r"taken_has_number"),
    ("requested_with_number", [SHOP], ewaybill(1, "requested", "73100000000004"), r"requested_has_no_number"),
    ("linked_without_time", [SHOP], ewaybill(1, "linked", "73100000000005"), r"linked_has_time"),
    ("cancelled_without_time", [SHOP], ewaybill(1, "cancelled", "73100000000006"), r"cancelled_has_time"),
    ("state_unknown", [SHOP], ewaybill(1, "lost", "73100000000007"), r"state_known"),
]


@pytest.mark.parametrize(("legal", "statement", "names"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_database_refuses(engine, legal, statement, names):  # noqa: F811
    error = _refused(engine, legal, statement)
    assert re.search(names, str(error.orig)), str(error.orig)


def test_a_cancelled_number_frees_the_parcel_for_a_new_one(engine):  # noqa: F811
    with engine.connect() as conn:
        tx = conn.begin()
        try:
            for sql in (SHOP, source("pdd", "B1", '{"province": "x"}'),
                        ewaybill(1, "cancelled", "73100000000010", cancelled=True),
                        ewaybill(1, "linked", "73100000000011", linked=True)):
                conn.execute(text(sql))
        finally:
            tx.rollback()
