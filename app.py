"""Start the Counterpoint browser app: `python app.py [--host H] [--port N]`, the same as
`counterpoint serve`."""

from __future__ import annotations

import sys

from interface.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
