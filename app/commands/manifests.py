"""``packgate manifests list [--open] [--carrier CODE]`` and ``packgate manifests print ID [--printer SPEC]``.

A manifest (交接单) is printed when the bench closes it; ``print`` prints it again (a lost sheet, a
printer that failed at closing time) and records the reprint in the audit trail.
"""

from __future__ import annotations

from app.errors import ConfigError, KnownError, PrinterError


def register(sub) -> None:
    p = sub.add_parser("manifests", help="list handover manifests (交接单) or print one again")
    manifests = p.add_subparsers(dest="manifests_command", metavar="ACTION", required=True)
    ls = manifests.add_parser("list", help="list manifests, newest first")
    ls.add_argument("--open", action="store_true", help="only manifests not closed yet")
    ls.add_argument("--carrier", metavar="CODE", help="only this carrier, e.g. SF, ZTO, 顺丰")
    ls.set_defaults(func=run_list)
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
    with services.read_uow() as uow:
        rows = uow.session.execute(query).all()
    if not rows:
        print("No manifests" + (" open" if args.open else "") + (f" for {carrier_code}" if carrier_code else ""))
        return 0
    print(f"{'id':>5}  {'manifest':<18} {'carrier':<7} {'station':<12} {'packer':<20} "
          f"{'opened':<16} {'closed':<16} {'parcels':>7}")
    for mid, number, carrier, station, packer, opened, closed, count in rows:
        print(f"{mid:>5}  {number:<18} {carrier or '-':<7} {station or '-':<12} {packer or '-':<20} "
              f"{_local(opened):<16} {_local(closed) if closed else 'open':<16} {count:>7}")
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
