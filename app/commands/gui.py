"""``packgate gui [--station NAME] [--printer SPEC] [--camera SPEC] [--supervisor]``: the packing station window."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("gui", help="open the packing station window (the default command)")
    p.add_argument("--station", metavar="NAME", help="this bench's name (default: from the settings; asked at first start)")
    p.add_argument("--printer", metavar="SPEC", help="pdf:DIR, system:NAME, zpl:HOST:PORT or zpl-cups:QUEUE")
    p.add_argument("--camera", metavar="SPEC",
                   help="packing video: v4l2:/dev/video0, dshow:video=NAME, avfoundation:0, rtsp://..., http://..., "
                   "test (a synthetic moving pattern) or none (default: from the settings)")
    p.add_argument("--supervisor", action="store_true", help="open the supervisor's shipping summary")
    p.add_argument("--demo", action="store_true", help="load the demo data first (packgate demo)")
    p.add_argument("--server", metavar="URL", help="scan through this PackGate server (enrol first: packgate enrol)")
    p.set_defaults(func=run)


def run(args, ctx) -> int:
    from app.ui.app import run_gui

    return run_gui(args, ctx)
