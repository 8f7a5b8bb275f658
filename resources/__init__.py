"""PackGate's data files, installed as the package ``app.resources`` (see setup.py).

Read them with :func:`app.resources_path.resource` (``importlib.resources``), never by a path
relative to the source tree: an installed PackGate has no repository around it.
"""
