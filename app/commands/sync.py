"""``packgate sync [--once]``: the platform sender for a headless machine (or a site's server)."""

from __future__ import annotations

import signal
import threading


def register(sub) -> None:
    p = sub.add_parser("sync", help="deliver the platform jobs (waybills) to the shop platform")
    p.add_argument("--once", action="store_true", help="one pass over the due jobs, then exit")
    p.add_argument("--lease-seconds", type=float, default=60.0, help="how long a job stays leased (default %(default)s)")
    p.add_argument("--retry-base", type=float, default=2.0, help="first retry delay in seconds, doubled each time")
    p.add_argument("--idle", type=float, default=2.0, help="seconds between passes when nothing is due")
    p.set_defaults(func=run)


def run(args, ctx) -> int:
    from app.errors import ConfigError
    from app.platform.sender import Sender, make_balance_watch, make_puller, make_tracker

    if args.lease_seconds <= 0 or args.retry_base <= 0 or args.idle <= 0:
        raise ConfigError("--lease-seconds, --retry-base and --idle must be above 0")
    services = ctx.services()
    st = services.settings
    sender = Sender(services.uow, services.catalogue, services.clock, lease_s=args.lease_seconds,
                    backoff_base=args.retry_base, rate_per_s=st.platform_rate_per_s,
                    file_minutes=st.platform_file_minutes, read_uow=services.read_uow,
                    puller=make_puller(services), pull_minutes=st.platform_pull_minutes,
                    tracker=make_tracker(services), track_minutes=st.pickup_track_minutes,
                    balances=make_balance_watch(services), balance_minutes=st.ewaybill_balance_minutes)
    if args.once:
        total: dict[str, int] = {}
        try:
            while True:
                stats = sender.run_once(force_export=True)
                for k, v in stats.results.items():
                    total[k] = total.get(k, 0) + v
                if stats.stopped:
                    print(f"channel stopped: {stats.stopped}")
                    break
                if stats.leased < sender.batch:
                    break
        finally:
            sender.shutdown()
        print("sync: " + (", ".join(f"{k} {v}" for k, v in sorted(total.items())) or "nothing due"))
        return 1 if stats.stopped else 0
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        sender.run(stop, args.idle)
    except KeyboardInterrupt:
        stop.set()
        sender.shutdown()
    return 0
