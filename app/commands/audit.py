"""``packgate audit verify [--json]``: check every bench's hash chain of scan events.

Exit 0 when every chain is whole, 1 when an event was changed, removed or inserted out of order
(the first such event of each bench is named), 2 for the usual errors.
"""

from __future__ import annotations

import json


def register(sub) -> None:
    p = sub.add_parser("audit", help="check the audit trail (scan events) for tampering")
    audit = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = audit.add_parser("verify", help="walk every bench's hash chain; report the first broken link")
    verify.add_argument("--json", action="store_true", help="print JSON")
    verify.set_defaults(func=run_verify)


def run_verify(args, ctx) -> int:
    from app.models.audit_chain import verify

    with ctx.services().read_uow() as uow:
        result = verify(uow.session)
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
    print("audit trail intact" if result.ok else "audit trail TAMPERED")
    return 0 if result.ok else 1
