"""Run actviz from a source checkout: ``python main.py [--plugins DIR] [COMMAND ...]``.

With no command this opens the desktop app, exactly like the ``actviz`` command.
"""

from __future__ import annotations

import sys

from actviz.cli import main

if __name__ == "__main__":
    sys.exit(main())
