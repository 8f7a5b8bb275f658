"""``packgate evidence find|export|flag|share|unshare``: the packing videos of an order, found by order or
waybill; ``share`` prints a link to one order's evidence for a dispute (``unshare`` revokes it)."""

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
    sh = ev.add_parser("share", help="a link that shows one order's evidence without a login (for a dispute)")
    sh.add_argument("order", metavar="ORDER", help="an order number or a waybill")
    sh.add_argument("--days", type=int, help="how long the link works (default: the share_days setting, 14)")
    sh.add_argument("--from", dest="from_s", type=float, metavar="SECONDS", help="cut each clip from here ...")
    sh.add_argument("--to", dest="to_s", type=float, metavar="SECONDS", help="... to here (no re-encoding)")
    sh.add_argument("--by", required=True, metavar="BADGE", help="the supervisor who shares it (audited)")
    sh.add_argument("--reason", required=True, metavar="TEXT", help="why (audited)")
    sh.add_argument("--base-url", metavar="URL",
                    help="the server's address in the link (default: the share_base_url setting, else server)")
    sh.set_defaults(func=run_share)
    un = ev.add_parser("unshare", help="revoke a share link")
    un.add_argument("link", metavar="TOKEN_OR_LINK")
    un.add_argument("--by", required=True, metavar="BADGE", help="the supervisor who revokes it (audited)")
    un.set_defaults(func=run_unshare)


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


def run_share(args, ctx) -> int:
    from app.evidence import shares

    services = ctx.services()
    settings = services.settings
    base = (args.base_url or settings.share_base_url or settings.server or "").strip()
    if not base.startswith(("http://", "https://")):
        raise KnownError("Give the server's address for the link: --base-url https://HOST:8650 "
                         "(or the share_base_url setting)")
    days = args.days if args.days is not None else settings.share_days
    by = shares.supervisor_by_badge(services, args.by)
    made = shares.make_share(services, args.order, by, args.reason, days=days, from_s=args.from_s, to_s=args.to_s)
    print(made.link(base))
    print(f"order {made.order_no}, until {made.expires_at.astimezone().isoformat(timespec='minutes')}")
    return 0


def run_unshare(args, ctx) -> int:
    from app.evidence import shares

    services = ctx.services()
    order_no = shares.revoke_share(services, args.link, shares.supervisor_by_badge(services, args.by))
    print(f"revoked: the share link of order {order_no} no longer opens")
    return 0
