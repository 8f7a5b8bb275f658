"""PackGate's promises about the data, as SQL that finds every row breaking one.

The schema enforces what a constraint or a trigger can say; these checks also cover what spans the
audit trail and the manifests. ``packgate integrity`` runs them for an admin; the load and fault
tests run them after hammering the database. An empty list is a pass.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

# (what is wrong, the query that finds it); each query returns the offending rows.
CHECKS: tuple[tuple[str, str], ...] = (
    ("packed or handed over without a waybill",
     "SELECT order_no FROM orders WHERE state IN ('packed', 'handed_over') AND (waybill IS NULL OR waybill = '')"),
    ("packed or handed over with a parcel that has no waybill",
     "SELECT o.order_no, p.seq FROM orders o JOIN parcels p ON p.order_id = o.id "
     "WHERE o.state IN ('packed', 'handed_over') AND p.waybill IS NULL"),
    ("order waybill is not its first parcel's",
     "SELECT o.order_no FROM orders o JOIN parcels p ON p.order_id = o.id AND p.seq = 1 "
     "WHERE o.waybill IS NOT NULL AND (p.waybill IS NULL OR p.waybill <> o.waybill)"),
    ("a waybill on two parcels",
     "SELECT waybill FROM parcels WHERE waybill IS NOT NULL GROUP BY waybill HAVING count(*) > 1"),
    ("packed or handed over order not fully scanned",
     "SELECT o.order_no FROM orders o JOIN order_lines l ON l.order_id = o.id "
     "WHERE o.state IN ('packed', 'handed_over') AND l.scanned <> l.quantity"),
    ("units in parcels differ from the units scanned",
     "SELECT l.id, l.scanned, COALESCE(SUM(pl.quantity), 0) FROM order_lines l "
     "LEFT JOIN parcel_lines pl ON pl.order_line_id = l.id GROUP BY l.id, l.scanned "
     "HAVING COALESCE(SUM(pl.quantity), 0) <> l.scanned"),
    ("parcel waybill differs from its pre-assigned one",
     "SELECT p.waybill, p.preassigned_waybill FROM parcels p "
     "WHERE p.waybill IS NOT NULL AND p.preassigned_waybill IS NOT NULL AND p.waybill <> p.preassigned_waybill"),
    ("pool number differs from its parcel's pre-assigned waybill",
     "SELECT w.number FROM waybill_pool w JOIN parcels p ON p.id = w.parcel_id "
     "WHERE p.preassigned_waybill IS NULL OR p.preassigned_waybill <> w.number"),
    ("linked waybill without an accepted waybill scan",
     "SELECT o.order_no FROM orders o WHERE o.waybill IS NOT NULL AND NOT EXISTS "
     "(SELECT 1 FROM scan_events e WHERE e.order_id = o.id AND e.kind = 'waybill' AND e.accepted)"),
    ("handed over with a parcel not on a closed manifest",
     "SELECT o.order_no, p.seq FROM orders o JOIN parcels p ON p.order_id = o.id WHERE o.state = 'handed_over' "
     "AND NOT EXISTS (SELECT 1 FROM manifest_items i JOIN manifests m ON m.id = i.manifest_id "
     "WHERE i.parcel_id = p.id AND m.closed_at IS NOT NULL)"),
    ("every parcel on a closed manifest but not handed over",
     "SELECT o.order_no FROM orders o WHERE o.state = 'packed' AND EXISTS (SELECT 1 FROM parcels p WHERE p.order_id = o.id) "
     "AND NOT EXISTS (SELECT 1 FROM parcels p WHERE p.order_id = o.id AND NOT EXISTS "
     "(SELECT 1 FROM manifest_items i JOIN manifests m ON m.id = i.manifest_id "
     "WHERE i.parcel_id = p.id AND m.closed_at IS NOT NULL))"),
    ("parcel on a manifest of another carrier",
     "SELECT o.order_no FROM manifest_items i JOIN manifests m ON m.id = i.manifest_id "
     "JOIN orders o ON o.id = i.order_id WHERE m.carrier_code <> o.carrier_code"),
    ("manifest item of another order than its parcel's",
     "SELECT i.id FROM manifest_items i JOIN parcels p ON p.id = i.parcel_id WHERE p.order_id <> i.order_id"),
    ("order in packing without a station",
     "SELECT order_no FROM orders WHERE state = 'packing' AND station_id IS NULL"),
)


def violations(conn: Connection, *, sample: int = 3) -> list[str]:
    """One line per broken promise: what, how many rows, and a few of them."""
    problems = []
    for label, sql in CHECKS:
        rows = conn.execute(text(sql)).all()
        if rows:
            problems.append(f"{label}: {len(rows)} rows, e.g. {[tuple(r) for r in rows[:sample]]}")
    return problems
