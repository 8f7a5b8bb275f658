"""The shop platform, Qt-free: the outbox (jobs written with the state change they report), the
sender that drains it under a lease, and the channels (``pdd`` API, bulk-shipping ``file``,
``webhook`` to an ERP). :mod:`app.platform.standin` is a loopback stand-in for the PDD gateway."""
