"""`make run` on a fresh clone: seconds until the app answers its health check, venv size.

    python3.11 scripts/cold_run.py [--ref main] [--port 8599]

Clones the repository at REF into a temporary folder (no venv, no demo data, no model), runs
`make run` there, polls http://localhost:PORT/_stcore/health every 0.5 s, and prints one JSON
line: the ref, the seconds from `make run` to the first healthy answer, the venv's size in MB
and its largest packages. The server is stopped and the clone removed afterwards. pip's own
download cache (~/.cache/pip) is left as it is: say whether it was warm when quoting figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def _size_mb(path: Path) -> float:
    total = sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())
    return round(total / 1e6, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="HEAD")
    parser.add_argument("--port", type=int, default=8599)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="cold-run-"))
    clone = work / "repo"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", args.ref], check=True)
    log = (work / "make-run.log").open("w")
    start = time.perf_counter()
    proc = subprocess.Popen(
        ["make", "run", f"PORT={args.port}"],
        cwd=clone,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "CI": "true"},
    )
    healthy_after = None
    try:
        while time.perf_counter() - start < args.timeout and proc.poll() is None:
            if _healthy(args.port):
                healthy_after = time.perf_counter() - start
                break
            time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    site = next((clone / ".venv" / "lib").glob("python3*/site-packages"))
    largest = sorted(
        ((p.name, _size_mb(p)) for p in site.iterdir() if p.is_dir()), key=lambda x: -x[1]
    )[:5]
    print(
        json.dumps(
            {
                "bench": "make_run_cold",
                "ref": subprocess.run(
                    ["git", "-C", str(clone), "rev-parse", "--short", "HEAD"],
                    capture_output=True,
                    text=True,
                ).stdout.strip(),
                "seconds_to_healthy": None if healthy_after is None else round(healthy_after, 1),
                "venv_mb": _size_mb(clone / ".venv"),
                "largest_packages_mb": dict(largest),
                "exit_code_before_healthy": proc.returncode if healthy_after is None else None,
            }
        )
    )
    shutil.rmtree(work, ignore_errors=True)
    return 0 if healthy_after is not None else 1


if __name__ == "__main__":
    raise SystemExit(main())
