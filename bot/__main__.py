"""`python -m bot` runs the same command line as `briefbot`."""

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main())
