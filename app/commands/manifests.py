"""``packgate manifests list [--open] [--carrier CODE] [--json]``, ``packgate manifests print ID
[--printer SPEC]`` and ``packgate manifests picked-up ID --by BADGE``.

A manifest (交接单) is printed when the bench closes it; ``print`` prints it again (a lost sheet, a
printer that failed at closing time) and records the reprint in the audit trail. ``list`` shows how
many of its parcels the courier picked up (the pickup watch, issue 22); ``picked-up`` records a
courier-signed paper manifest as picked up by hand (carriers or sites without traces), audited.
"""

from __future__ import annotations

from app.errors import ConfigError, KnownError, PrinterError


def register(sub) -> None:
    p = sub.add_parser("manifests", help="list handover manifests (交接单) or print one again")
    manifests = p.add_subparsers(dest="manifests_command", metavar="ACTION", required=True)
    ls = manifests.add_parser("list", help="list manifests, newest first")
    ls.add_argument("--open", action="store_true", help="only manifests not closed yet")
    ls.add_argument("--carrier", metavar="CODE", help="only this carrier, e.g. SF, ZTO, 顺丰")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(func=run_list)
    pu = manifests.add_parser("picked-up", help="record a courier-signed paper manifest as picked up by hand")
    pu.add_argument("manifest", metavar="ID", help="the manifest id (from list) or its number")
    pu.add_argument("--by", metavar="BADGE", required=True,
                    help="the supervisor's badge; their PIN is asked on the terminal or read from "
                         "$PACKGATE_SUPERVISOR_PIN")
    pu.set_defaults(func=run_picked_up)
    pr = manifests.add_parser("print", help="print a manifest again")
    pr.add_argument("manifest", metavar="ID", help="the manifest id (from list) or its number, e.g. M20261125-000001")
    pr.add_argument("--printer", metavar="SPEC",
                    help="pdf:DIR, system:NAME, zpl:HOST:PORT, zpl-cups:QUEUE (default: the settings' printer)")
    pr.set_defaults(func=run_print)


def _local(dt) -> str:
    return dt.astimezone().strftime("%Y-%m-%d %H:%M") if dt is not None else "-"


def run_list(args, ctx) -> int:
    from sqlalchemy import func, select

    from app.models.schema import Manifest, ManifestItem, Station, User

    services = ctx.services()
    carrier_code = None
    if args.carrier:
        carrier = services.catalogue.resolve(args.carrier)
        if carrier is None:
            raise ConfigError(f"Unknown carrier {args.carrier!r}")
        carrier_code = carrier.code
    parcels = (select(func.count()).select_from(ManifestItem).where(ManifestItem.manifest_id == Manifest.id)
               .correlate(Manifest).scalar_subquery())
    query = (select(Manifest.id, Manifest.manifest_no, Manifest.carrier_code, Station.name, User.name,
                    Manifest.opened_at, Manifest.closed_at, parcels)
             .outerjoin(Station, Station.id == Manifest.station_id)
             .outerjoin(User, User.id == Manifest.opened_by_id)
             .order_by(Manifest.opened_at.desc(), Manifest.id.desc()))
    if args.open:
        query = query.where(Manifest.closed_at.is_(None))
    if carrier_code:
        query = query.where(Manifest.carrier_code == carrier_code)
    from app.reports.pickup import manifest_pickups

    with services.read_uow() as uow:
        rows = uow.session.execute(query).all()
        pickups = manifest_pickups(uow.session, [r[0] for r in rows]) if rows else {}
    if args.json:
        import json

        print(json.dumps([{"id": mid, "manifest": number, "carrier": carrier, "station": station, "packer": packer,
                           "opened_at": _iso(opened), "closed_at": _iso(closed), "parcels": count,
                           "picked_up": pickups.get(number, (count, 0))[1]}
                          for mid, number, carrier, station, packer, opened, closed, count in rows],
                         ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("No manifests" + (" open" if args.open else "") + (f" for {carrier_code}" if carrier_code else ""))
        return 0
    print(f"{'id':>5}  {'manifest':<18} {'carrier':<7} {'station':<12} {'packer':<20} "
          f"{'opened':<16} {'closed':<16} {'parcels':>7}  picked up")
    for mid, number, carrier, station, packer, opened, closed, count in rows:
        print(f"{mid:>5}  {number:<18} {carrier or '-':<7} {station or '-':<12} {packer or '-':<20} "
              f"{_local(opened):<16} {_local(closed) if closed else 'open':<16} {count:>7}  "
              f"picked up {pickups.get(number, (count, 0))[1]} of {count}")
    return 0


def _iso(dt) -> str | None:
    return dt.astimezone().isoformat(timespec="seconds") if dt is not None else None


def _manifest_id(s, key: str) -> int:
    from sqlalchemy import select

    from app.models.schema import Manifest

    manifest_id = s.scalar(select(Manifest.id).where(Manifest.manifest_no == key.upper()))
    if manifest_id is None and key.isdigit():
        manifest_id = s.scalar(select(Manifest.id).where(Manifest.id == int(key)))
    if manifest_id is None:
        raise KnownError(f"No manifest {key}: see packgate manifests list")
    return manifest_id


def run_picked_up(args, ctx) -> int:
    from app.commands.users import authority
    from app.models.audit_chain import add_event
    from app.platform.tracker import pick_up_by_hand

    services = ctx.services()
    key = args.manifest.strip()
    with services.read_uow() as uow:
        manifest_id = _manifest_id(uow.session, key)
    supervisor = authority(services, args, needed=True, action="manifest picked up by hand")
    with services.uow() as uow:  # the change and its audit event commit together
        number, parcels, picked = pick_up_by_hand(uow.session, manifest_id, supervisor.user_id, services.clock())
        # its own audit kind, kept out of the scan figures (NOT_SCANS, migration 0023)
        add_event(uow.session, at=services.clock(), kind="manifest_picked_up", user_id=supervisor.user_id,
                  manifest_id=manifest_id, raw=f"packgate manifests picked-up {key}",
                  message=f"Manifest {number} recorded as picked up by hand (courier-signed paper) by "
                          f"{supervisor.name}: {picked} of {parcels} parcels had no pickup scan")
    print(f"Manifest {number}: picked up by hand, recorded by {supervisor.name} ({picked} of {parcels} parcels "
          f"had no pickup scan)")
    return 0


def run_print(args, ctx) -> int:
    from sqlalchemy import select

    from app.models.audit_chain import add_event
    from app.models.schema import Manifest
    from app.packing.workflow import manifest_data

    services = ctx.services()
    key = args.manifest.strip()
    with services.read_uow() as uow:
        s = uow.session
        manifest_id = s.scalar(select(Manifest.id).where(Manifest.manifest_no == key.upper()))
        if manifest_id is None and key.isdigit():
            manifest_id = s.scalar(select(Manifest.id).where(Manifest.id == int(key)))
        if manifest_id is None:
            raise KnownError(f"No manifest {key}: see packgate manifests list")
        data = manifest_data(s, manifest_id, services)
    printer = services.printer(args.printer)  # a bad spec is a ConfigError: one line, exit 2
    error: str | None = None
    try:
        job = printer.print_manifest(data)
    except PrinterError as exc:
        error = exc.message
    except OSError as exc:
        error = str(exc)
    where = None if error else (str(job.path) if job.path else job.description)
    with services.uow() as uow:  # every print and reprint is in the audit trail
        add_event(
            uow.session, at=services.clock(), manifest_id=manifest_id, raw=f"packgate manifests print {key}",
            kind="reprint", accepted=error is None,
            message=f"Manifest {data.manifest_no} reprinted: {where}" if error is None
            else f"Manifest {data.manifest_no} reprint failed: {error}",
        )
    if error is not None:
        raise PrinterError(f"Manifest {data.manifest_no} not printed: {error}")
    note = "" if data.closed_at else " (still open: this is a draft, not the final list)"
    print(f"{job.description} ({len(data.parcels)} parcels){note}")
    return 0
