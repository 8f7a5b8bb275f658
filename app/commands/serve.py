"""``packgate serve [--listen HOST:PORT] [--db URL] [--tls-cert FILE --tls-key FILE] [--evidence DIR]``: the server.

Benches enrolled with ``packgate stations add`` / ``packgate enrol`` scan through it and never hold
the database's credentials. It keeps no state outside the database: several ``serve`` processes
on one PostgreSQL database work side by side. On an address other than loopback it serves HTTPS
only: with the given certificate, or a self-signed one it makes once (in the data folder) and
keeps; it prints the certificate's fingerprint, which benches pin at enrolment.
"""

from __future__ import annotations

from app.errors import ConfigError

DEFAULT_LISTEN = "127.0.0.1:8650"


def register(sub) -> None:
    p = sub.add_parser("serve", help="run the PackGate server that benches scan through (default 127.0.0.1:8650)")
    p.add_argument("--listen", metavar="HOST:PORT", default=DEFAULT_LISTEN, help=f"default {DEFAULT_LISTEN}")
    p.add_argument("--db", dest="serve_db", metavar="URL", help="the database (else the global --db / $PACKGATE_DB)")
    p.add_argument("--tls-cert", metavar="FILE", help="certificate (PEM) for HTTPS")
    p.add_argument("--tls-key", metavar="FILE", help="its private key (PEM)")
    p.add_argument("--idle-minutes", type=int, default=30, help="a packer's session ends after this long idle")
    p.add_argument("--no-sender", action="store_true",
                   help="do not run the shop-platform sender here (another server or `packgate sync` does)")
    p.add_argument("--evidence", metavar="DIR",
                   help="the evidence store: clips uploaded by the benches (default: evidence/ in the server's data folder)")
    p.set_defaults(func=run)


def parse_listen(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"--listen {text!r}: use HOST:PORT, e.g. {DEFAULT_LISTEN}")
    return host.strip("[]") or "127.0.0.1", int(port)


def _check_free(host: str, port: int) -> None:
    """A port already taken (another server?) is the admin's to fix: say so in one line."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ConfigError(f"Cannot listen on {host}:{port}: {exc.strerror or exc} "
                              "(is another server running there? choose another --listen)") from exc


def run(args, ctx) -> int:
    from pathlib import Path

    import uvicorn

    from app.config import data_dir
    from app.models.db import safe_url
    from app.server import tls
    from app.server.api import create_app
    from app.server.sessions import signer

    host, port = parse_listen(args.listen)
    if bool(args.tls_cert) != bool(args.tls_key):
        raise ConfigError("give both --tls-cert and --tls-key, or neither")
    if not 1 <= args.idle_minutes <= 24 * 60:
        raise ConfigError("--idle-minutes is 1 to 1440")
    cert = key = None
    if args.tls_cert:
        cert, key = Path(args.tls_cert), Path(args.tls_key)
        tls.check_pair(cert, key)
    elif not tls.is_loopback(host):
        cert, key = tls.self_signed(data_dir() / "server-tls", host)
    _check_free(host, port)
    if args.serve_db:
        ctx.db_url = args.serve_db
    services = ctx.services()
    store = Path(args.evidence).expanduser() if args.evidence else services.settings.evidence_path()
    app = create_app(services, signer(services, args.idle_minutes * 60), evidence_dir=store)
    retention_stop = _start_store_retention(services, store)
    sender_stop = None
    if not args.no_sender:
        # The site's platform sender lives in the server (its lease lets several servers share the work).
        from app.platform.sender import start_in_background

        _thread, sender_stop = start_in_background(services)
    scheme = "https" if cert else "http"
    print(f"PackGate server on {scheme}://{host}:{port} (database {safe_url(services.db_url)}, evidence {store})",
          flush=True)
    if cert:
        print(f"certificate SHA-256 fingerprint: {tls.fingerprint_pem(Path(cert).read_text())}", flush=True)
    # Stopping (SIGTERM, Ctrl+C) answers the open long polls at once (nothing changed: a bench asks
    # again once a server is back) and waits at most 3 s for other calls in flight. uvicorn takes
    # httptools and uvloop when they are installed (dependencies; no uvloop on Windows), else its
    # pure-Python h11 and asyncio; no access log (a line per scan).
    server = uvicorn.Server(uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, timeout_graceful_shutdown=3,
        ssl_certfile=str(cert) if cert else None, ssl_keyfile=str(key) if key else None))
    stop_server = server.handle_exit

    def handle_exit(sig, frame) -> None:
        app.state.context.feed.close()
        stop_server(sig, frame)

    server.handle_exit = handle_exit  # type: ignore[method-assign]
    try:
        server.run()
        if not server.started:  # as uvicorn.run: it could not start (it said why)
            return 3
    finally:
        if sender_stop is not None:
            sender_stop.set()
        retention_stop.set()
    return 0


RETENTION_EVERY_S = 3600.0


def _start_store_retention(services, store):
    """The evidence store keeps ``retention_days`` / ``retention_gb`` per bench (the server's settings),
    over uploaded clips only, never a flagged one, and deletes unfinished uploads left for
    ``upload_expire_hours``: checked at start, then hourly, on its own thread."""
    import logging
    import threading

    from app.evidence.store import EvidenceStore, server_retention

    stop = threading.Event()
    settings = services.settings

    def loop() -> None:
        while True:
            try:
                with services.uow() as uow:
                    removed = server_retention(uow.session, services.clock(), float(settings.retention_days),
                                               float(settings.retention_gb))
                if removed:
                    logging.getLogger(__name__).warning("evidence retention removed %d clip(s)", len(removed))
                if settings.upload_expire_hours > 0:
                    EvidenceStore(store).expire_partials(services.clock(), settings.upload_expire_hours * 3600)
            except Exception:  # noqa: BLE001 - retention must never take the server down
                logging.getLogger(__name__).exception("evidence retention failed")
            if stop.wait(RETENTION_EVERY_S):
                return

    threading.Thread(target=loop, name="evidence-retention", daemon=True).start()
    return stop
