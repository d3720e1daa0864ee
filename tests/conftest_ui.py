"""Helpers shared by the UI tests: a private copy of the bundled index, an app subprocess, chromium.

Not a conftest.py (pytest does not load it by itself): the UI test modules import from it. The
bundled index itself is tests/conftest.py's session fixture `bundled_index`, built once per run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
"""Debian's chromium: the real binary first (the /usr/bin wrapper prints a harmless warning)."""


def chromium_path() -> str | None:
    """The chromium binary, or None when it is not installed (`make browser-deps` installs it)."""
    if not Path("/usr/bin/chromium").exists():
        return None
    return next((p for p in CHROMIUM_CANDIDATES if os.access(p, os.X_OK)), None)


def copy_index(index: Path, tmp_path_factory, name: str) -> tuple[Path, Path]:
    """(KOTAE_HOME, index) for one test module: a private copy of `index`, since uploads change it."""
    home = tmp_path_factory.mktemp(name)
    shutil.copytree(index, home / "index")
    return home, home / "index"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the app did not answer at {url} within {timeout:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


@contextmanager
def app_server(home: Path, index: Path, log_dir: Path, *, timeout: float = 120.0):
    """`kotae serve --index INDEX` as a subprocess on a free loopback port; yields its URL.

    The process is stopped by its own pid at the end.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {
        **os.environ,
        "KOTAE_HOME": str(home),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("KOTAE_INDEX", None)
    log = log_dir / f"app-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "serve", "--index", str(index), "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(url, proc, log, timeout)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
