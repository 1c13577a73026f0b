"""``python -m micrograd``: the command line (see :mod:`micrograd.cli`)."""

import sys

from micrograd.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
