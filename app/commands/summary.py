"""``packgate summary [--from DATE] [--to DATE] [--period today|yesterday|week] [--json]``.

The supervisor's figures, computed by the same function as the supervisor view
(:func:`app.reports.summary.summary`). Without dates or ``--period`` every figure covers the
whole database.
"""

from __future__ import annotations

import json
from datetime import date

from app.errors import ConfigError


def register(sub) -> None:
    p = sub.add_parser("summary", help="the shift's figures: orders by state, late, per carrier, packer and station")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="first day (YYYY-MM-DD, local time)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last day, inclusive (YYYY-MM-DD)")
    p.add_argument("--period", choices=("today", "yesterday", "week"), help="a named period instead of dates")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def parse_day(text: str, option: str) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ConfigError(f"{option} {text!r} is not a date: use YYYY-MM-DD") from exc
    if not 1970 <= day.year <= 9000:
        raise ConfigError(f"{option} {text!r} is out of range: use a date between 1970 and 9000")
    return day


def period_of(args, now):
    """The Period the options ask for (unbounded when none is given)."""
    from app.reports.summary import Period, local_midnight

    if args.period and (args.date_from or args.date_to):
        raise ConfigError("use either --period or --from/--to, not both")
    if args.period:
        return Period.named(args.period, now)
    first = parse_day(args.date_from, "--from") if args.date_from else None
    last = parse_day(args.date_to, "--to") if args.date_to else None
    if first and last and last < first:
        raise ConfigError("--to is before --from")
    if first and last:
        return Period.days(first, last)
    return Period(local_midnight(first) if first else None,
                  local_midnight(date.fromordinal(last.toordinal() + 1)) if last else None)


def run(args, ctx) -> int:
    from app.reports.summary import summary

    services = ctx.services()
    now = services.clock()
    period = period_of(args, now)
    settings = services.settings
    with services.read_uow() as uow:
        figures = summary(uow.session, now, period, settings.late_hours, settings.pickup_warn_hours,
                          platform_grace_minutes=settings.platform_grace_minutes,
                          due_soon_hours=settings.due_soon_hours, pickup_alert_hours=settings.pickup_alert_hours)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return 0
    print(format_text(figures, settings.late_hours, settings.pickup_warn_hours))
    return 0


def _secs(value) -> str:
    return "-" if value is None else f"{value:.0f}s"


def format_text(figures: dict, late_hours: int = 24, pickup_warn_hours: int = 4) -> str:
    out: list[str] = []
    p = figures["period"]
    out.append(f"Period: {p['from'] or 'beginning'} .. {p['to'] or 'now'}")
    states = figures["orders_by_state"]
    out.append("Orders by state: " + ", ".join(f"{k} {v}" for k, v in states.items()))
    t = figures["tiles"]
    out.append(f"Now: ready {t['ready']}, packing {t['packing']}, packed awaiting pickup {t['packed']}, "
               f"on hold {t['on_hold']}, cancelled {t['cancelled']}")
    out.append(f"In the period: packed {t['packed_in_period']}, handed over {t['handed_over']}")
    flag = "" if figures["packed_without_waybill"] == 0 else "   <-- MUST BE 0: investigate"
    out.append(f"Packed without waybill: {figures['packed_without_waybill']}{flag}")
    out.append(f"Late (ready or packing > {late_hours} h): {figures['late']}")
    if "returns_received" in figures:  # the returns bench
        out.append(f"Returns: expected {figures['returns_expected']}, received {figures['returns_received']}, "
                   f"with a discrepancy {figures['returns_with_discrepancy']}")
    if "not_on_platform" in figures:
        out.append(f"Not on the platform: {figures['not_on_platform']}, platform failed: {figures['platform_failed']}, "
                   f"late to the platform (> {late_hours} h to its confirmation): {figures['platform']['late_to_platform']}")
    if "due_soon" in figures:
        out.append(f"Ship-by: due within {figures['due_soon_hours']} h {figures['due_soon']}, overdue {figures['overdue']}")
        out.append("By shop: " + "; ".join(f"{name} " + ", ".join(f"{k} {v}" for k, v in row.items() if v)
                                            for name, row in figures["by_shop"].items()))
    out.append("By carrier:")
    for carrier, row in figures["by_carrier"].items():
        out.append(f"  {carrier:<7} packed {row['packed']:>5}  handed over {row['handed_over']:>5}  "
                   f"awaiting pickup {row['awaiting_pickup']:>5}  open manifests {row['open_manifests']:>3}")
    for title, key in (("By packer:", "by_packer"), ("By station:", "by_station")):
        out.append(title)
        for name, row in figures[key].items():
            out.append(f"  {name:<28} orders {row['orders']:>5}  items {row['items']:>6}  "
                       f"avg {_secs(row['avg_seconds']):>6}  median {_secs(row['median_seconds']):>6}  "
                       f"refused {row['refused_rate'] * 100:5.1f}%  first {row['first_scan'] or '-'}  "
                       f"last {row['last_scan'] or '-'}")
    busy = {h: n for h, n in figures["throughput_per_hour"].items() if n}
    out.append("Packed per hour: " + (", ".join(f"{h}h {n}" for h, n in busy.items()) or "none"))
    if "not_picked_up" in figures:
        out.append(f"Pickup: not picked up after {figures['pickup_alert_hours']} h {figures['not_picked_up']}, "
                   f"no pickup 24 h after the platform's confirmation {figures['pickup_overdue']}, "
                   f"trace exceptions {figures['trace_exceptions']}")
    counts = figures["exception_counts"]
    out.append(f"Exceptions: on hold {counts['on_hold']}, late {counts['late']}, "
               f"not picked up after {pickup_warn_hours} h {counts['awaiting_pickup']}, "
               f"reprints {counts['reprints']}, waybills unlinked {counts['unlinked']}")
    for name, rows in figures["exceptions"].items():
        for row in rows[:20]:
            out.append(f"  {name:<15} {row['order_no'] or '-':<16} {row['at'] or '-'}  {row['detail']}")
    return "\n".join(out)
