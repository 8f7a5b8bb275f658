"""Sub-commands of ``packgate``. Each module has ``register(subparsers)``; the parser it adds
sets ``func=run`` where ``run(args, ctx) -> int`` and ``ctx`` is an :class:`app.cli.Context`."""
