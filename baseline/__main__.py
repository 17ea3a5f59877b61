"""`python -m baseline ...`: see baseline.cli."""

import sys

from baseline.cli import main

if __name__ == "__main__":
    sys.exit(main())
