"""The server process started as `make run` starts it (``python -m app.serve``): Streamlit
serving the app, with the memory settings of a long-running server in its environment."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from app.serve import SERVER_ENV
from tests.e2e.conftest import server_pid

pytestmark = pytest.mark.e2e


def test_the_server_runs_with_its_memory_settings(server: str):
    pid = server_pid(server)
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert b"streamlit" in cmdline and any(arg.endswith(b"app/main.py") for arg in cmdline)
    environ = dict(
        item.decode().split("=", 1)
        for item in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        if b"=" in item
    )
    for name, value in SERVER_ENV.items():
        assert environ.get(name) == value, name
    with urllib.request.urlopen(f"{server}/_stcore/health", timeout=10) as answer:
        assert answer.status == 200
