"""``packgate summary [--from DATE] [--to DATE] [--json]``: the supervisor's figures."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

from app.errors import ConfigError


def register(sub) -> None:
    p = sub.add_parser("summary", help="the shift's figures: orders by state, late, per carrier and packer")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="first day (YYYY-MM-DD, local time)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last day, inclusive (YYYY-MM-DD)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def parse_day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ConfigError(f"{option} {text!r} is not a date: use YYYY-MM-DD") from exc


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time()).astimezone()


def run(args, ctx) -> int:
    from app.reports.summary import Period, summary

    start = local_midnight(parse_day(args.date_from, "--from")) if args.date_from else None
    end = local_midnight(parse_day(args.date_to, "--to") + timedelta(days=1)) if args.date_to else None
    if start and end and end <= start:
        raise ConfigError("--to is before --from")
    services = ctx.services()
    with services.read_uow() as uow:
        figures = summary(uow.session, services.clock(), Period(start, end), services.settings.late_hours)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return 0
    states = figures["orders_by_state"]
    print("Orders by state: " + ", ".join(f"{k} {v}" for k, v in states.items()))
    flag = "" if figures["packed_without_waybill"] == 0 else "   <-- MUST BE 0: investigate"
    print(f"Packed without waybill: {figures['packed_without_waybill']}{flag}")
    print(f"Late (ready or packing > {services.settings.late_hours} h): {figures['late']}")
    print("By carrier:")
    for carrier, row in figures["by_carrier"].items():
        print(f"  {carrier:<7} packed {row['packed']:>5}  handed over {row['handed_over']:>5}  "
              f"awaiting pickup {row['awaiting_pickup']:>5}")
    print("By packer:")
    for name, row in figures["by_packer"].items():
        print(f"  {name:<28} orders {row['orders']:>5}")
    return 0
