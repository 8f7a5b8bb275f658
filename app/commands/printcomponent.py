"""``packgate printcomponent standin`` (a stand-in print component for the demo and the tests) and
``packgate printers --component pdd|cainiao`` (the printers a platform's print component offers)."""

from __future__ import annotations

import json


def register(sub) -> None:
    p = sub.add_parser("printcomponent", help="the platforms' print components: run a stand-in one")
    actions = p.add_subparsers(dest="printcomponent_command", metavar="ACTION", required=True)
    st = actions.add_parser("standin", help="a stand-in print component on loopback: each document it gets is "
                                            "written into DIR as JSON and as a PDF label with the waybill's barcode")
    st.add_argument("--kind", choices=("pdd", "cainiao"), default="pdd")
    st.add_argument("--port", type=int, default=None, help="default: the component's own (pdd 5000, cainiao 13528)")
    st.add_argument("--out", metavar="DIR", default=None, help="default: component-labels/ in the data folder")
    st.set_defaults(func=run_standin)
    pr = sub.add_parser("printers", help="the printers a print component offers (for the printer setting "
                                         "pddprint:PRINTER or cainiao:PRINTER)")
    pr.add_argument("--component", choices=("pdd", "cainiao"), required=True)
    pr.add_argument("--url", metavar="ws://HOST:PORT", default=None, help="default: the component's own address")
    pr.add_argument("--json", action="store_true", help="print JSON")
    pr.set_defaults(func=run_printers)


def run_standin(args, ctx) -> int:
    from pathlib import Path

    from app.config import data_dir
    from app.printing.component_standin import serve

    out = Path(args.out).expanduser() if args.out else data_dir() / "component-labels"
    try:
        serve(args.kind, args.port, out)
    except KeyboardInterrupt:
        pass
    return 0


def run_printers(args, ctx) -> int:
    from app.printing.component import PrintComponent, component_for

    spec = component_for(args.component, args.url)
    client = PrintComponent(spec, timeout=5)
    try:
        names, default = client.printers()
    finally:
        client.close()
    prefix = "pddprint" if args.component == "pdd" else "cainiao"
    if args.json:
        print(json.dumps({"component": args.component, "url": spec.url, "printers": names, "default": default},
                         ensure_ascii=False, indent=2))
        return 0
    print(f"{args.component} print component at {spec.url}:")
    for name in names:
        print(f"  {prefix}:{name}{'@' + args.url if args.url else ''}{'   (default)' if name == default else ''}")
    return 0
