"""Thin entry point: ``python main.py`` does what ``packgate`` does."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
