"""How the server is started and configured: upload cap, listening address, secrets kept out."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from core.config.loading import load_config

ROOT = Path(__file__).resolve().parents[2]


def test_streamlit_upload_cap_equals_the_ingest_file_limit():
    # Streamlit refuses a larger upload body itself (HTTP 413, from Content-Length or while
    # streaming) and its uploader refuses a larger file in the browser; ingest checks the same
    # limit (both in MiB) with a message of its own.
    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert server["server"]["maxUploadSize"] == load_config().limits.max_file_mb


def test_make_run_listens_on_localhost_unless_told_otherwise():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^ADDRESS\s*\?=\s*localhost\s*$", makefile, re.M)
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "--server.address $(ADDRESS)" in run


def test_the_container_listens_on_every_interface():
    assert "--server.address=0.0.0.0" in (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_streamlit_secrets_are_never_committed_nor_copied_into_the_image():
    for ignore in (".gitignore", ".dockerignore"):
        lines = (ROOT / ignore).read_text(encoding="utf-8").splitlines()
        assert ".streamlit/secrets.toml" in lines, ignore
