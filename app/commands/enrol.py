"""``packgate enrol --server URL --station NAME --code CODE``: make this bench a station of a PackGate server.

Trades the one-time code (``packgate stations add NAME`` on the server) for the station's token and
stores it, with the server's certificate fingerprint (HTTPS), in ``server.json`` in this bench's
config folder (owner-only). Then ``packgate gui --server URL --station NAME`` scans through it.
"""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("enrol", help="enrol this bench at a PackGate server with a one-time code")
    p.add_argument("--server", required=True, metavar="URL", help="e.g. https://192.168.1.10:8650")
    p.add_argument("--station", required=True, metavar="NAME")
    p.add_argument("--code", required=True, metavar="CODE", help="from `packgate stations add NAME` on the server")
    p.set_defaults(func=run)


def run(args, ctx) -> int:
    from app.client.remote import enrol

    link = enrol(args.server, args.station, args.code)
    path = link.save()
    pinned = f"; certificate pinned {link.fingerprint}" if link.fingerprint else ""
    print(f"Bench {link.station} enrolled at {link.server}{pinned} (token in {path})")
    return 0
