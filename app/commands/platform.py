"""``packgate platform set|show|status|carriers|uploaded|retry|pull|track|standin``: the site's shop platform."""

from __future__ import annotations

import json
from pathlib import Path

from app.errors import ConfigError, KnownError


def register(sub) -> None:
    p = sub.add_parser("platform", help="the shop platform: channel, status of the uploads, carriers, stand-in")
    psub = p.add_subparsers(dest="platform_command", metavar="ACTION", required=True)
    s = psub.add_parser("set", help="configure the site's channel: pdd, file or webhook")
    ssub = s.add_subparsers(dest="channel", metavar="CHANNEL", required=True)
    pdd = ssub.add_parser("pdd", help="the Pinduoduo Open Platform API")
    pdd.add_argument("--client-id", required=True)
    pdd.add_argument("--client-secret-file", required=True, metavar="FILE", help="owner-only file holding the client secret")
    pdd.add_argument("--access-token-file", required=True, metavar="FILE", help="owner-only file holding the shop's access token")
    pdd.add_argument("--endpoint", default="https://gw-api.pinduoduo.com/api/router",
                     help="the router URL (default: %(default)s); a stand-in: http://127.0.0.1:PORT/api/router")
    f = ssub.add_parser("file", help="bulk-shipping files for the platform's back office")
    f.add_argument("--dir", required=True, metavar="DIR")
    f.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    w = ssub.add_parser("webhook", help="a signed JSON POST per job to an ERP")
    w.add_argument("--url", required=True)
    w.add_argument("--secret-file", required=True, metavar="FILE", help="owner-only file holding the HMAC secret")
    s.set_defaults(func=run_set)
    psub.add_parser("show", help="the configured channel (secrets masked)").set_defaults(func=run_show)
    st = psub.add_parser("status", help="jobs by state and the failed ones")
    st.add_argument("--json", action="store_true", help="print JSON")
    st.set_defaults(func=run_status)
    psub.add_parser("carriers", help="read the platform's carrier list (pdd.logistics.companies.get)").set_defaults(
        func=run_carriers)
    up = psub.add_parser("uploaded", help="mark a bulk-shipping file as uploaded: its jobs are confirmed")
    up.add_argument("file")
    up.set_defaults(func=run_uploaded)
    rt = psub.add_parser("retry", help="send a failed job again")
    rt.add_argument("job", type=int)
    rt.set_defaults(func=run_retry)
    pl = psub.add_parser("pull", help="pull new and changed orders from the shops (pdd.order.number.list.increment.get)")
    pl.add_argument("--once", action="store_true", help="one pass over every enabled shop (or --shop), then exit")
    pl.add_argument("--shop", metavar="NAME", help="only this shop")
    pl.add_argument("--json", action="store_true", help="print JSON (with --once)")
    pl.set_defaults(func=run_pull)
    tr = psub.add_parser("track", help="follow handed-over parcels' carrier traces until the courier's pickup "
                                       "scan (pdd.logistics.ordertrace.get)")
    tr.add_argument("--once", action="store_true", help="one pass over the parcels due, then exit")
    tr.add_argument("--all", action="store_true", help="with --once: every parcel still followed, due or not")
    tr.add_argument("--json", action="store_true", help="print JSON (with --once)")
    tr.set_defaults(func=run_track)
    sd = psub.add_parser("standin", help="run the stand-in PDD gateway on loopback (tests, demo)")
    sd.add_argument("--port", type=int, default=8790)
    sd.add_argument("--client-id", default="standin-client")
    sd.add_argument("--client-secret-file", metavar="FILE", help="default: secret 'standin-secret'")
    sd.add_argument("--access-token-file", metavar="FILE", help="default: token 'standin-token'")
    sd.add_argument("--refunded", action="append", default=[], metavar="ORDER_NO",
                    help="an order whose buyer asked for a refund (repeatable)")
    sd.add_argument("--shipped", action="append", default=[], metavar="ORDER_NO=NUMBER",
                    help="an order already shipped on the platform with this number (repeatable)")
    sd.add_argument("--faults", metavar="JSON", help='e.g. {"error_5xx_rate": 0.05, "delay_ms": 20}')
    sd.add_argument("--shop", action="append", default=[], metavar="NAME=TOKEN_FILE",
                    help="a shop with its own access token (owner-only file; repeatable); the default token is "
                         "the shop 'default'")
    sd.add_argument("--orders", metavar="FILE", help="a JSON list of orders in the platform's shape "
                                                     "(an order's \"shop\" names its shop; else the first --shop)")
    sd.add_argument("--trace", action="append", default=[], metavar="WAYBILL|ORDER_NO=MINUTES|never|fail:TEXT",
                    help="the carrier trace of a waybill (or of every waybill shipped for an order): picked up "
                         "MINUTES after it is first asked about, never, or a FAIL with TEXT (repeatable)")
    sd.add_argument("--trace-default", metavar="MINUTES|never|fail:TEXT",
                    help="the trace of every other waybill (default: an empty trace)")
    sd.add_argument("--pick-up-first", type=int, default=0, metavar="N",
                    help="the first N waybills asked about (not named by --trace) are picked up; later ones never")
    sd.set_defaults(func=run_standin)


def run_set(args, ctx) -> int:
    from app.platform import config
    from app.platform.config import masked_urls

    if args.channel == "pdd":
        if not args.client_id.strip():
            raise ConfigError("--client-id must not be empty")
        if not args.endpoint.startswith(("http://", "https://")):
            raise ConfigError(f"--endpoint {masked_urls(args.endpoint)!r} is not an http(s) URL")
        options = {"client_id": args.client_id.strip(), "client_secret_file": args.client_secret_file,
                   "access_token_file": args.access_token_file, "endpoint": args.endpoint}
    elif args.channel == "file":
        folder = Path(args.dir).expanduser()
        if folder.exists() and not folder.is_dir():
            raise ConfigError(f"--dir {folder} is not a folder")
        options = {"dir": str(folder.resolve()), "format": args.format}
    else:
        if not args.url.startswith(("http://", "https://")):
            raise ConfigError(f"--url {masked_urls(args.url)!r} is not an http(s) URL")
        options = {"url": args.url, "secret_file": args.secret_file}
    services = ctx.services()
    with services.uow() as uow:
        old = config.load(uow.session)
        if old is not None and old.channel == args.channel and "logistics_ids" in old.options:
            options["logistics_ids"] = old.options["logistics_ids"]
        config.save(uow.session, config.ChannelConfig(args.channel, options), services.clock())
        if args.channel == "pdd":  # the site's credentials are also its shop `default` (pulled, sent for)
            from app.platform import shops

            shops.save(uow.session, shops.DEFAULT_SHOP, options, services.clock(), replace_carrier=False)
    print(f"platform channel: {args.channel}")
    return 0


def _load(ctx):
    from app.platform import config

    with ctx.services().read_uow() as uow:
        return config.load(uow.session)


def run_show(args, ctx) -> int:
    cfg = _load(ctx)
    if cfg is None:
        print("no platform channel: set one with `packgate platform set pdd|file|webhook ...`")
        return 0
    for key, value in cfg.masked().items():
        if key != "logistics_ids":
            print(f"{key}: {value if value is not None else '-'}")
    return 0


def run_status(args, ctx) -> int:
    from app.platform import outbox

    cfg = _load(ctx)
    with ctx.services().read_uow() as uow:
        counts = outbox.counts(uow.session)
        failed = outbox.failed_jobs(uow.session)
        not_on = outbox.not_on_platform(uow.session)
    figures = {"channel": cfg.channel if cfg else None, "stopped": (cfg.stopped_reason or None) if cfg else None,
               "counts": counts, "not_on_platform": not_on, "failed": failed}
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return 0
    print(f"channel: {figures['channel'] or '-'}" + (f"  STOPPED: {figures['stopped']}" if figures["stopped"] else ""))
    print("jobs: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(f"not on the platform: {not_on}")
    for job in failed:
        print(f"  job {job['job']}  {job['order_no']}  {job['kind']} #{job['parcel']}  {job['carrier']} "
              f"{job['tracking_number']}  {job['error']}")
    return 0


def run_carriers(args, ctx) -> int:
    from app.platform import config
    from app.platform.pdd import PddChannel, PddClient

    services = ctx.services()
    cfg = _load(ctx)
    if cfg is None or cfg.channel != "pdd":
        raise ConfigError("`platform carriers` needs the pdd channel: packgate platform set pdd ...")
    channel = PddChannel(PddClient.from_options(cfg.options), lambda code: None)
    try:
        verdict, companies = channel.companies()
    finally:
        channel.close()
    if verdict.kind != "ok":
        raise KnownError(f"the platform did not give its carrier list: {verdict.message}")
    found: dict[str, int] = {}
    for carrier in services.catalogue.all():
        names = {carrier.code.casefold(), carrier.name_zh.casefold(), *(a.casefold() for a in carrier.aliases)}
        for row in companies:
            if str(row.get("code", "")).casefold() in names or str(row.get("logistics_company", "")).casefold() in names:
                found[carrier.code] = int(row["id"])
                break
    with services.uow() as uow:
        current = config.load(uow.session)
        assert current is not None
        current.options["logistics_ids"] = found
        config.save(uow.session, current, services.clock())
    for carrier in services.catalogue.all():
        own = carrier.pdd_logistics_id
        print(f"{carrier.code:<8} carriers.toml {own if own is not None else '-':>5}  platform "
              f"{found.get(carrier.code, '-'):>5}  {carrier.name_zh}")
    return 0


def run_uploaded(args, ctx) -> int:
    from app.platform import outbox

    name = Path(args.file).name
    services = ctx.services()
    with services.uow() as uow:
        count = outbox.mark_uploaded(uow.session, name, services.clock())
    if count == 0:
        raise KnownError(f"no exported jobs wait in {name} (already marked, or not a PackGate file)")
    print(f"{name}: {count} shipments confirmed")
    return 0


def run_retry(args, ctx) -> int:
    from app.platform import outbox

    services = ctx.services()
    with services.uow() as uow:
        ok = outbox.retry(uow.session, args.job, services.clock())
    if not ok:
        raise KnownError(f"job {args.job} is not a failed job")
    print(f"job {args.job} will be sent again")
    return 0


def run_pull(args, ctx) -> int:
    """``--once``: one pass and exit (1 when a shop failed or is stopped); without it, a pass every
    ``platform_pull_minutes`` until interrupted (``serve`` and ``sync`` pull by themselves too)."""
    import threading

    from app.platform.sender import make_puller

    services = ctx.services()
    puller = make_puller(services)
    if not args.once:
        stop = threading.Event()
        minutes = max(1, services.settings.platform_pull_minutes)
        try:
            while not stop.is_set():
                for stats in puller.run_once(args.shop):
                    print(stats.line(), flush=True)
                stop.wait(minutes * 60)
        except KeyboardInterrupt:
            pass
        finally:
            puller.close()
        return 0
    try:
        results = puller.run_once(args.shop)
    finally:
        puller.close()
    if args.json:
        print(json.dumps([{"shop": r.shop, "new": r.new, "held": r.held, "released": r.released,
                           "cancelled": r.cancelled, "updated": r.updated, "unchanged": r.unchanged,
                           "ignored": r.ignored, "skipped": r.skipped, "windows": r.windows, "calls": r.calls,
                           "cursor": r.cursor.isoformat(timespec="seconds") if r.cursor else None,
                           "error": r.error, "stopped": r.stopped} for r in results], ensure_ascii=False, indent=2))
    else:
        if not results:
            print("no enabled shops: add one with `packgate shops add NAME ...`")
        for r in results:
            print(r.line())
            for text in r.skipped:
                print(f"  skipped {text}")
    return 1 if any(r.error or r.stopped for r in results) else 0


def run_track(args, ctx) -> int:
    """``--once``: one pass and exit (1 when a shop stopped); without it, a pass every
    ``pickup_track_minutes`` until interrupted (``serve`` and ``sync`` track by themselves too)."""
    import threading

    from app.platform.tracker import make_tracker

    services = ctx.services()
    tracker = make_tracker(services)
    if args.all and not args.once:
        raise ConfigError("--all goes with --once")
    if not args.once:
        stop = threading.Event()
        minutes = max(1, services.settings.pickup_track_minutes)
        try:
            while not stop.is_set():
                print(tracker.run_once().line(), flush=True)
                stop.wait(minutes * 60)
        except KeyboardInterrupt:
            pass
        finally:
            tracker.close()
        return 0
    try:
        stats = tracker.run_once(everything=args.all)
    finally:
        tracker.close()
    if args.json:
        print(json.dumps(stats.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(stats.line())
    return 1 if stats.stopped else 0


def run_standin(args, ctx) -> int:
    from app.platform.config import read_secret
    from app.platform.standin import Faults, serve

    secret = read_secret(args.client_secret_file) if args.client_secret_file else "standin-secret"
    token = read_secret(args.access_token_file) if args.access_token_file else "standin-token"
    faults = Faults()
    if args.faults:
        try:
            wanted = json.loads(args.faults)
        except ValueError as exc:
            raise ConfigError(f"--faults is not JSON: {exc}") from exc
        if not isinstance(wanted, dict):
            raise ConfigError("--faults must be a JSON object, e.g. {\"error_5xx_rate\": 0.05}")
        for key, value in wanted.items():
            if not hasattr(faults, key):
                raise ConfigError(f"--faults: unknown fault {key!r}")
            setattr(faults, key, value)
    faults.refunded.update({no: 3 for no in args.refunded})
    shipped = {}
    for item in args.shipped:
        order_no, _, number = item.partition("=")
        if not order_no.strip() or not number.strip():
            raise ConfigError(f"--shipped {item!r}: use ORDER_NO=NUMBER")
        shipped[order_no.strip()] = number.strip().upper()
    if not 0 <= args.port <= 65535:
        raise ConfigError("--port must be 0..65535")
    shops: dict[str, str] = {}
    for item in args.shop:
        name, _, path = item.partition("=")
        if not name.strip() or not path.strip():
            raise ConfigError(f"--shop {item!r}: use NAME=TOKEN_FILE")
        shops[name.strip()] = read_secret(path.strip())
    orders = None
    if args.orders:
        try:
            orders = json.loads(Path(args.orders).expanduser().read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"--orders {args.orders}: {exc}") from exc
    traces = _traces(args.trace)
    default = _traces([f"*={args.trace_default}"])["*"] if args.trace_default else None
    if args.pick_up_first < 0:
        raise ConfigError("--pick-up-first must not be negative")
    try:
        serve(args.port, client_id=args.client_id, secret=secret, token=token, faults=faults, shipped=shipped,
              shops=shops, orders=orders, traces=traces, pick_up_first=args.pick_up_first, trace_default=default)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    except OSError as exc:
        raise KnownError(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror}") from exc
    return 0


def _traces(items: list[str]) -> dict:
    """``--trace WAYBILL=MINUTES|never|fail:TEXT`` as the stand-in's trace plans."""
    from app.platform.standin import TracePlan

    out = {}
    for item in items:
        number, _, what = item.partition("=")
        number, what = number.strip().upper(), what.strip()
        if not number or not what:
            raise ConfigError(f"--trace {item!r}: use WAYBILL=MINUTES, WAYBILL=never or WAYBILL=fail:TEXT")
        if what == "never":
            out[number] = TracePlan(None)
        elif what.startswith("fail:"):
            out[number] = TracePlan(None, fail=what[5:].strip() or "揽收失败")
        else:
            try:
                minutes = float(what)
            except ValueError:
                raise ConfigError(f"--trace {item!r}: {what!r} is not a number of minutes, never or fail:TEXT") from None
            if minutes < 0:
                raise ConfigError(f"--trace {item!r}: minutes must not be negative")
            out[number] = TracePlan(minutes * 60)
    return out
