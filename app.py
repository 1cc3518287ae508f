"""Start the Counterpoint browser app: `python app.py [--host H] [--port N]`."""

from __future__ import annotations

import sys

from interface.cli.serve import main

if __name__ == "__main__":
    sys.exit(main())
