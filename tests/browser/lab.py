"""A JupyterLab server and a headless Chromium for the browser tests; both cleaned up afterwards."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# a widget of the project in JupyterLab's page: its picture, and the box holding controls and picture
PICTURE = "img.sa-picture"
APPS = ".jp-OutputArea-output .widget-vbox:has(img.sa-picture)"
AXE = ROOT / ".cache" / "axe-core-4.14.1" / "axe.min.js"  # `make test` fetches it from the npm registry (Makefile)
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def missing_browser_reason() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return (
            f"Chromium not found at {CHROMIUM}: install it (Debian/Ubuntu: sudo apt-get install chromium) or set "
            "CHROMIUM=/path/to/chromium"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed: run `make setup-test` (it is in requirements-test.txt)"
    if not AXE.exists():
        return f"axe-core is missing at {AXE}: run `make setup-test`"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(proc, how: int, timeout: float) -> None:
    """Send a signal (SIGTERM, or SIGINT as Ctrl+C), wait, and kill what is still running after timeout seconds."""
    proc.send_signal(how)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_until_serving(proc, ready, timeout: float, name: str, log_path) -> None:
    """Poll ready() until it answers; a server that exits first or never answers is an error with its log's end."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited early:\n{Path(log_path).read_text()[-3000:]}")
        try:
            ready()
            return
        except OSError:  # refused, or an HTTP error while it starts
            time.sleep(0.3)
    raise RuntimeError(f"{name} did not start in {timeout} s:\n{Path(log_path).read_text()[-3000:]}")


class LabServer:
    """jupyter lab on a free localhost port, serving a copy of notebooks/ (so nothing in the repo is saved over)."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def start(self, timeout: float = 60.0):
        root = self.workdir / "root"
        shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        # no news or update settings here: the environment's lab-settings/overrides.json (make setup) must provide them
        notebook_settings = self.workdir / "settings" / "@jupyterlab" / "notebook-extension"
        notebook_settings.mkdir(parents=True)
        # every cell in the page, so every widget can be found (JupyterLab 4 otherwise renders only what is in view)
        (notebook_settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
        cmd = [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--allow-root",
            f"--port={self.port}",
            "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={root}",
            f"--LabApp.user_settings_dir={self.workdir / 'settings'}",
            f"--LabApp.workspaces_dir={self.workdir / 'workspaces'}",
            "--LabApp.expose_app_in_browser=True",
            "--ServerApp.disable_check_xsrf=True",
            "--ContentsManager.allow_hidden=True",
        ]
        env = dict(
            os.environ,
            JUPYTER_CONFIG_DIR=str(self.workdir / "config"),
            JUPYTER_RUNTIME_DIR=str(self.workdir / "runtime"),
        )
        self.log = open(self.workdir / "lab.log", "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        log = self.workdir / "lab.log"
        wait_until_serving(self.proc, lambda: self.api("GET", "/api/status"), timeout, "jupyter lab", log)
        return self

    def api(self, method: str, path: str):
        req = urllib.request.Request(self.url + path, method=method, headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self):
        for session in self.api("GET", "/api/sessions") or []:
            self.api("DELETE", f"/api/sessions/{session['id']}")
        for kernel in self.api("GET", "/api/kernels") or []:
            self.api("DELETE", f"/api/kernels/{kernel['id']}")

    def stop(self):
        if self.proc is None:
            return
        try:
            self.shutdown_kernels()
        except OSError:
            pass
        stop_process(self.proc, signal.SIGTERM, 15)
        self.log.close()
