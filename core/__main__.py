"""``python -m core ...``: the workbench command line as a process (see core/cli/main.py).

A command is a short process that imports large libraries and builds a few large tables
once. Python's cyclic garbage collector would walk the imported modules' objects again and
again while they load, and walk every live object once more at exit, when the interpreter
collects before shutting down (about 0.4 s after scoring 50,000 claims). So the collector
is off for the start-up (imports create long-lived objects, not garbage) and turned back on
when the command's imports are done (:func:`core.cli.common.end_start_up`), and the modules
imported here (pandas, numpy, the command line) are frozen out of its reach for good.

Frozen here, before DuckDB is imported, and never later: an object frozen is never
collected, not even at exit, and DuckDB's bindings then report their module's objects as
leaked on stderr when the interpreter shuts down.
"""

import gc
import sys

gc.disable()
from core.cli.main import main  # noqa: E402

gc.freeze()
sys.exit(main(own_process=True))
