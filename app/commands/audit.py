"""``packgate audit verify [--json] [--against FILE]`` and ``packgate audit checkpoint``.

``verify``: exit 0 when every chain is whole, 1 when an event was changed, removed or inserted out
of order or without a hash (the first such event of each bench is named), or when the trail differs
from a checkpoint kept elsewhere (``--against``: a chain missing, shortened or changed), 2 for the
usual errors. ``checkpoint``: the heads of a verified trail as JSON (per chain: station, last id,
last hash, count), to keep where the database's owner cannot reach them.
"""

from __future__ import annotations

import json
from pathlib import Path

from app.errors import ConfigError


def register(sub) -> None:
    p = sub.add_parser("audit", help="check the audit trail (scan events) for tampering")
    audit = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = audit.add_parser("verify", help="walk every bench's hash chain; report the first broken link")
    verify.add_argument("--json", action="store_true", help="print JSON")
    verify.add_argument("--against", metavar="FILE", type=Path,
                        help="also compare with a checkpoint saved earlier by 'audit checkpoint'")
    verify.set_defaults(func=run_verify)
    cp = audit.add_parser("checkpoint", help="print the heads of every chain as JSON, to keep outside the database")
    cp.set_defaults(func=run_checkpoint)


def _kept(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"Cannot read the checkpoint {path}: {exc}") from exc
    if not isinstance(data, dict) or data.get("packgate_audit_checkpoint") != 1:
        raise ConfigError(f"{path} is not a checkpoint made by 'packgate audit checkpoint'")
    return data


def run_verify(args, ctx) -> int:
    from app.models.audit_chain import compare_checkpoint, verify

    kept = _kept(args.against) if args.against else None
    with ctx.services().read_uow() as uow:
        result = verify(uow.session)
        if kept is not None:
            result.against = compare_checkpoint(uow.session, result, kept)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return 0 if result.ok else 1
    for chain in result.benches:
        if chain.problem is None:
            print(f"{chain.bench}: ok, {chain.events} events, head {chain.head_hash[:16]}")
            continue
        p = chain.problem
        where = f"event {p['event_id']} ({p['kind']}, {p['at']})" if p["event_id"] is not None else "the end"
        print(f"{chain.bench}: BROKEN at position {p['position']}, {where}: {p['what']}")
    if result.unchained:
        print(f"{result.unchained} older events were written before the chain began (not covered)")
    if kept is not None:
        for difference in result.against:
            print(f"against {args.against}: {difference}")
        if not result.against:
            print(f"every head of {args.against} ({kept.get('at', '?')}) is still there")
    print("audit trail intact" if result.ok else "audit trail TAMPERED")
    return 0 if result.ok else 1


def run_checkpoint(args, ctx) -> int:
    import sys

    from app.models.audit_chain import checkpoint, verify

    services = ctx.services()
    with services.read_uow() as uow:
        result = verify(uow.session)
    if not result.ok:
        print("The audit trail does not verify (run 'packgate audit verify'): no checkpoint made", file=sys.stderr)
        return 1
    print(json.dumps(checkpoint(result, services.clock()), ensure_ascii=False, indent=2))
    return 0
