"""``python -m core ...``: the workbench command line (see core/cli.py)."""

import sys

from core.cli.main import main

sys.exit(main())
