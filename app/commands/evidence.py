"""``packgate evidence find|export|flag``: the packing videos of an order, found by order or waybill."""

from __future__ import annotations

import json
from pathlib import Path

from app.errors import KnownError


def register(sub) -> None:
    p = sub.add_parser("evidence", help="packing videos: find, export (clip + evidence sheet PDF), flag")
    ev = p.add_subparsers(dest="evidence_command", metavar="ACTION", required=True)
    f = ev.add_parser("find", help="the clips of an order number or of any of its waybills")
    f.add_argument("text", metavar="TEXT", help="an order number or a waybill")
    f.add_argument("--json", action="store_true", help="print JSON")
    f.set_defaults(func=run_find)
    x = ev.add_parser("export", help="copy the clips and write the evidence sheet PDF into a folder")
    x.add_argument("text", metavar="TEXT", help="an order number or a waybill")
    x.add_argument("--out", metavar="DIR", required=True, type=Path)
    x.set_defaults(func=run_export)
    g = ev.add_parser("flag", help="keep the clips of an order for a dispute (retention never deletes them)")
    g.add_argument("text", metavar="TEXT", help="an order number or a waybill")
    g.add_argument("--reason", default="dispute")
    g.add_argument("--unflag", action="store_true", help="let retention delete them again")
    g.set_defaults(func=run_flag)


def run_find(args, ctx) -> int:
    from app.evidence.index import FIND_KEYS, find_clips

    with ctx.services().read_uow() as uow:
        clips = find_clips(uow.session, args.text)
    if args.json:
        print(json.dumps([{k: c[k] for k in FIND_KEYS} for c in clips], ensure_ascii=False, indent=2))
        return 0 if clips else 1
    if not clips:
        raise KnownError(f"No video evidence for {args.text.strip()!r}")
    for c in clips:
        print(f"{c['order_no']}  {','.join(c['waybills']) or '-'}  {c['station']}  {c['packer'] or '-'}  "
              f"{c['started_at']}  {c['duration_s']:.1f} s  {c['state']}{'  FLAGGED' if c['flagged'] else ''}")
        print(f"    {c['path']}  sha256 {c['sha256'] or '-'}")
    return 0


def run_export(args, ctx) -> int:
    from app.evidence.export import export_evidence

    services = ctx.services()
    with services.read_uow() as uow:
        result = export_evidence(uow.session, args.text, args.out, font_path=services.settings.label_font or None)
    for clip in result["clips"]:
        print(clip)
    print(result["sheet"])
    return 0


def run_flag(args, ctx) -> int:
    from app.evidence.index import set_flag

    with ctx.services().uow() as uow:
        n = set_flag(uow.session, args.text, args.reason, flagged=not args.unflag)
        uow.commit()
    if not n:
        raise KnownError(f"No video evidence for {args.text.strip()!r}")
    print(f"{n} clip(s) {'unflagged' if args.unflag else 'flagged: kept until unflagged'}")
    return 0
