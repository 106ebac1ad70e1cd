"""Start the workbench's web server (``make run``, the Docker image, the browser tests).

``python -m app.serve [streamlit options]`` runs ``streamlit run app/main.py`` in this
process (``exec``), with the memory settings of a long-running server in its environment,
unless the environment already sets them:

- ``PYTHONMALLOC=malloc``: Python objects come from the C allocator instead of Python's own
  arenas. An upload of 100,000 claims creates millions of small objects; with Python's
  arenas, a few survivors (a log record, a cache key) pin whole 1 MiB arenas, and the server
  kept about 110 MB more than at start once every session had closed. With the C allocator
  and the settings below, freed memory goes back to the system.
- ``MALLOC_MMAP_THRESHOLD_`` / ``MALLOC_TRIM_THRESHOLD_`` (128 KiB): blocks from 128 KiB
  (arrays, column buffers) are mapped on their own and unmapped when freed, instead of the
  threshold growing with each big free and the heap keeping the space.
- ``MALLOC_ARENA_MAX=2``: the script threads share two heaps instead of one per thread, so
  free space left by one upload is reused by the next.

Measured in ``make bench`` (``server_rss``). The settings are read when the process starts,
hence a launcher rather than code in the app.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SERVER_ENV = {
    "PYTHONMALLOC": "malloc",
    "MALLOC_ARENA_MAX": "2",
    "MALLOC_MMAP_THRESHOLD_": "131072",
    "MALLOC_TRIM_THRESHOLD_": "131072",
}
APP = Path(__file__).resolve().parent / "main.py"


def command(options: list[str]) -> list[str]:
    """The server's command line: this interpreter, Streamlit, the app, then ``options``."""
    return [sys.executable, "-m", "streamlit", "run", str(APP), *options]


def environment(base: dict[str, str]) -> dict[str, str]:
    """``base`` with the server's memory settings added where ``base`` does not set them."""
    return {**SERVER_ENV, **base}


def main(argv: list[str]) -> None:
    os.execve(sys.executable, command(argv), environment(dict(os.environ)))


if __name__ == "__main__":
    main(sys.argv[1:])
