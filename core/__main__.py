"""``python -m core ...``: the workbench command line as a process (see core/cli/main.py).

A command is a short process that imports large libraries and builds a few large tables
once. Python's cyclic garbage collector would walk the imported modules' objects again and
again while they load, and walk every live object once more at exit, when the interpreter
collects before shutting down (about 0.4 s after scoring 50,000 claims). So the collector
is off for the start-up (imports create long-lived objects, not garbage), the objects alive
when the start-up ends are frozen out of its reach (:func:`core.cli.common.end_start_up`),
and the ones alive at exit too: nothing relies on a collection at exit (files and the
database are closed by the commands and by the store's exit handler, and CPython never
promised to finalise objects still alive at exit).
"""

import gc
import sys

gc.disable()
from core.cli.main import main  # noqa: E402

code = main(own_process=True)
gc.freeze()
sys.exit(code)
