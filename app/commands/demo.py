"""``packgate demo``: load the demo data (safe to run twice)."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("demo", help="load demo products, orders, users and boxes (safe to run twice)")
    p.add_argument("--write-files", metavar="DIR",
                   help="only write the demo import files (a product catalogue and a Pinduoduo order export) into DIR")
    p.set_defaults(func=run)


def run(args, ctx) -> int:
    if args.write_files:
        from app.demo_files import write_demo_files

        for path in write_demo_files(args.write_files):
            print(path)
        return 0
    from app.demo import DEMO_USERS, seed_demo

    services = ctx.services()
    added = seed_demo(services)
    print(f"Demo data in {services.safe_db_url}")
    print(", ".join(f"{k}: {v} added" for k, v in added.items()))
    print("Badges: " + ", ".join(f"{badge} {name} ({role}{', PIN ' + pin if pin else ''})"
                                 for name, role, badge, pin in DEMO_USERS))
    print("Orders PDD-1001 .. PDD-1020 are ready to pack; boxes BOX-S, BOX-M, BOX-L.")
    return 0
