"""`python -m benchmarks [--quick] [--out DIR] [--readme FILE]` runs `counterpoint bench`."""

import sys

from interface.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
