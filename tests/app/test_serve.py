"""The server launcher (``python -m app.serve``): the app's command line and the memory
settings of a long-running server, never overriding what the environment sets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app import serve

ROOT = Path(__file__).resolve().parents[2]


def test_the_command_runs_the_app_with_the_given_options():
    cmd = serve.command(["--server.port", "9999"])
    assert cmd[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert Path(cmd[4]) == ROOT / "app" / "main.py"
    assert cmd[5:] == ["--server.port", "9999"]


def test_memory_settings_are_added_but_never_override_the_environment():
    env = serve.environment({"PATH": "/bin", "MALLOC_ARENA_MAX": "8"})
    assert env["PATH"] == "/bin"
    assert env["MALLOC_ARENA_MAX"] == "8"  # the operator's choice stands
    assert env["PYTHONMALLOC"] == "malloc"
    assert env["MALLOC_MMAP_THRESHOLD_"] == env["MALLOC_TRIM_THRESHOLD_"] == "131072"


def test_the_launcher_execs_streamlit():
    """A real exec: Streamlit's own option parser answers for ``run`` (the server's memory
    settings in a running server: tests/e2e/test_server_process_e2e.py)."""
    done = subprocess.run(
        [sys.executable, "-m", "app.serve", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout and "run" in done.stdout
