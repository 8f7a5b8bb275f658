"""Packaging beyond what pyproject.toml can say: the repository's ``resources/`` folder (carrier
catalogue, sounds, translations) is installed as the package ``app.resources``, so an installed
PackGate reads them with ``importlib.resources`` and the repository keeps one copy of each file."""

from setuptools import find_namespace_packages, setup

setup(
    # Namespace packages too (what pyproject's packages.find does): the Alembic migrations have no
    # __init__.py and must be installed all the same.
    packages=[*find_namespace_packages(include=["app", "app.*"]), "app.resources"],
    package_dir={"app.resources": "resources"},
)
