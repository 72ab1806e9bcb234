"""A real JupyterHub on localhost for the classroom tests, run from classroom/jupyterhub_config.py unchanged.

`Hub` starts the hub as root (which starts configurable-http-proxy and the idle culler, and creates a system
user for each name on its roster) in a temporary folder other users can pass through, restarts it, and tears
down everything it left running (the configuration leaves the learners' servers and the proxy running when the
hub stops, as a teacher wants; a test must not), the system users included. `Course` is the teacher's side: a
bare git repository cloned from this one, which nbgitpuller links point at, and a working copy to push fixes
from. `Learner` is one person in one browser context: log in with their first-login code, follow the link, run
a notebook, move its slider.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psutil

from classroom import classhub
from tests.browser.lab import APPS as ANY_APP
from tests.browser.lab import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PICTURE,
    ROOT,
    missing_browser_reason,
    stop_process,
    wait_until_serving,
)

CONFIG = ROOT / "classroom" / "jupyterhub_config.py"
TEST_CONFIG = Path(__file__).with_name("jupyterhub_test_config.py")
CHP = ROOT / ".cache" / "configurable-http-proxy-5.3.0" / "node_modules" / ".bin" / "configurable-http-proxy"
REPO_DIR = "self-attention"  # the folder a learner's copy is pulled into (the config's CLASSROOM_REPO_DIR)
NOTEBOOK_04 = "04_self-attention-from-scratch.ipynb"
FRONT = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in front (others stay in the page, hidden)
APPS = f"{FRONT} {ANY_APP}"
__all__ = [
    "APPS",
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "Course",
    "Hub",
    "Learner",
    "missing_hub_reason",
    "serving",
    "shared_folder",
    "unique_name",
]


def shared_folder(prefix: str, mode: int) -> Path:
    """A new folder under /tmp that the learners' system users can pass through (pytest's own are 0700)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    folder.chmod(mode)
    return folder


RUN = "".join(random.choices("abcdefghjkmnpqrstuvwxyz", k=4))  # this test run's mark on every name it makes


def unique_name(name: str) -> str:
    """A learner's name for this run of the tests (`ada` -> `ada-kqzt`): never an account the machine had before."""
    return f"{name}-{RUN}"


def free_root_ports(count: int) -> list[int]:
    """`count` free localhost ports below the first one an ordinary user may bind (the class hub wants those).

    None is a port browsers refuse to load pages from (990, say): the learners' browsers open the first one.
    """
    found = []
    allowed = sorted(set(range(600, classhub.unprivileged_port_start())) - classhub.BROWSER_BLOCKED_PORTS)
    for port in random.sample(allowed, min(200, len(allowed))):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == count:
            return found
    raise RuntimeError("no free ports below the unprivileged ones")


def missing_hub_reason() -> str | None:
    """Why the hub tests cannot run here, or None."""
    reason = missing_browser_reason()
    if reason:
        return reason
    try:
        import jupyterhub  # noqa: F401
        import jupyterhub_idle_culler  # noqa: F401
        import nbgitpuller  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed: run `make hub-setup` (requirements-hub.txt)"
    if not CHP.exists():
        return f"configurable-http-proxy is missing at {CHP}: run `make hub-setup`"
    if subprocess.run(["git", "--version"], check=False, capture_output=True).returncode != 0:
        return "git is not installed"
    if os.getuid() != 0:
        return "the class hub runs each learner as a system user of their own, so its tests run as root"
    if not (ROOT / ".venv-class" / "bin" / "jupyterhub-singleuser").exists():
        return "the class environment .venv-class is missing: run `make hub-setup`"
    return None


def _git(*args, cwd=None):
    subprocess.run(
        ["git", "-c", "user.name=Teacher", "-c", "user.email=teacher@example.org", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        timeout=120,
    )


class Course:
    """The teacher's repositories: a bare clone of this one, a working copy to fix things in, and the handout the
    learners pull (scripts/handout.py --branch, pushed as the main branch of a bare repository of its own)."""

    def __init__(self, workdir: Path | None = None):
        workdir = workdir or shared_folder("classroom-course-", 0o755)  # learners' servers clone it as themselves
        self.workdir = workdir
        self.bare = workdir / "course.git"
        self.work = workdir / "teacher"
        self.handout = workdir / "handout.git"
        _git("clone", "--quiet", "--bare", str(ROOT), str(self.bare))
        _git("clone", "--quiet", str(self.bare), str(self.work))
        _git("init", "--quiet", "--bare", "--initial-branch=main", str(self.handout))
        self.teacher_branch = subprocess.run(
            ["git", "rev-parse", "--abbrev-ref", "HEAD"], cwd=self.work, capture_output=True, text=True, check=True
        ).stdout.strip()
        self.branch = "main"  # the handout's
        self.publish()

    @property
    def url(self) -> str:
        return self.handout.as_uri()  # file:///...: a local git URL

    def publish(self):
        """docs/teachers.md's steps: the handout of the teacher's last commit, pushed where learners pull."""
        subprocess.run(
            [sys.executable, "scripts/handout.py", "--branch", "handout"],
            cwd=self.work, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        _git("push", "--quiet", str(self.handout), "handout:main", cwd=self.work)

    def push_fix(self, path: str, old: str, new: str, message: str, add: dict[str, str] | None = None):
        """Replace `old` by `new` in one file of the course (and add the files `add` maps to their text), commit,
        push and publish the handout, as a teacher fixing a typo."""
        target = self.work / path
        text = target.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{path}: the text to fix is not there exactly once"
        target.write_text(text.replace(old, new), encoding="utf-8")
        for name, content in (add or {}).items():
            (self.work / name).write_text(content, encoding="utf-8")
            _git("add", name, cwd=self.work)
        _git("commit", "--quiet", "-am", message, cwd=self.work)
        _git("push", "--quiet", "origin", self.teacher_branch, cwd=self.work)
        self.publish()


class Hub:
    """JupyterHub with classroom/jupyterhub_config.py on free localhost ports, state in `workdir`."""

    def __init__(
        self,
        learners: list[str],
        teachers: tuple[str, ...] = (),
        idle_timeout: int = 3600,
        course_repos: str = "",
        max_servers: int | None = None,
        mem_limit: str = "2G",
        disk_limit: str = "256M",
    ):
        self.workdir = shared_folder("classroom-hub-", 0o711)
        self.state = self.workdir / "state"
        self.homes = self.state / "homes"
        self.learners = list(learners) + list(teachers)  # every account the hub makes (the teardown removes them)
        self.roster = self.workdir / "roster.txt"
        self.roster.write_text("".join(f"{name}\n" for name in learners) + "".join(f"{n} teacher\n" for n in teachers))
        self.exchange = self.state / "exchange"  # nbgrader's exchange (the configuration's default)
        self.codes: dict[str, str] = {}
        self.token = secrets.token_hex(16)  # the test's own admin service (jupyterhub_test_config.py)
        self.port, hub_port = free_root_ports(2)
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(
            os.environ,
            CLASSROOM_STATE=str(self.state),
            CLASSROOM_ROSTER=str(self.roster),
            CLASSROOM_COURSE_REPOS=course_repos,
            CLASSROOM_MEM_LIMIT=mem_limit,
            CLASSROOM_DISK_LIMIT=disk_limit,
            CLASSROOM_PORT=str(self.port),
            CLASSROOM_HUB_PORT=str(hub_port),
            CLASSROOM_IDLE_TIMEOUT=str(idle_timeout),
            CLASSROOM_CONFIG=str(CONFIG),
            CLASSROOM_TEST_TOKEN=self.token,
            CLASSROOM_REPO_DIR=REPO_DIR,
        )
        self.env.pop("CLASSROOM_MAX_SERVERS", None)
        if max_servers is not None:
            self.env["CLASSROOM_MAX_SERVERS"] = str(max_servers)
        self.proc = None
        self.starts = 0

    @property
    def log_path(self) -> Path:
        return self.workdir / f"hub-{self.starts}.log"

    def start(self, timeout: float = 90.0):
        self.starts += 1
        self.log = open(self.log_path, "w")
        exe = Path(sys.executable).parent / "jupyterhub"
        self.proc = subprocess.Popen(
            [str(exe), "-f", str(TEST_CONFIG)],
            cwd=self.workdir,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_until_serving(self.proc, lambda: self.api("GET", "/users"), timeout, "jupyterhub", self.log_path)
        for line in (self.state / "first-login-codes.txt").read_text().splitlines():
            if not line.startswith("#"):
                name, code = line.split()
                self.codes[name] = code
        return self

    def api(self, method: str, path: str, body=None):
        """The hub's REST API as the test's admin service."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            f"{self.url}/hub/api{path}", method=method, data=data, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=15) as resp:
            text = resp.read()
        return json.loads(text) if text else None

    def link(self, course: Course, notebook: str = "00_contents.ipynb", **changed: str) -> str:
        """The nbgitpuller link a teacher hands out: pull the course, open `notebook` in JupyterLab (or a link
        with some of its parameters `changed`, as a prankster would craft one)."""
        params = {
            "repo": course.url,
            "branch": course.branch,
            "targetpath": REPO_DIR,
            "urlpath": f"lab/tree/{REPO_DIR}/notebooks/{notebook}",
        }
        return f"{self.url}/hub/user-redirect/git-pull?{urllib.parse.urlencode(params | changed)}"

    def stop_hub_only(self):
        """Stop the hub process as a teacher would (Ctrl+C); the configuration leaves servers and proxy running."""
        stop_process(self.proc, signal.SIGINT, 30)
        self.log.close()

    def learner_processes(self, name: str) -> list[psutil.Process]:
        """The learner's JupyterLab server and its kernels: every process working in the learner's home."""
        return self._processes_under(self.homes / name)

    def processes(self) -> list[psutil.Process]:
        """Every process of the class: the hub, its services, the learners' servers and kernels, and the proxy."""
        found = self._processes_under(self.workdir)
        try:
            found.append(psutil.Process(int((self.state / "jupyterhub-proxy.pid").read_text().strip())))
        except (OSError, ValueError, psutil.NoSuchProcess):
            pass
        return found

    def _processes_under(self, folder: Path) -> list[psutil.Process]:
        found = []
        for proc in psutil.process_iter():
            try:
                if Path(proc.cwd()).is_relative_to(folder):
                    found.append(proc)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        return found

    def kernel_pid(self, name: str, kernel_id: str) -> int | None:
        """The process of one of the learner's kernels (its connection file is named after the kernel's id)."""
        for proc in self.learner_processes(name):
            try:
                if any(kernel_id in part for part in proc.cmdline()):
                    return proc.pid
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return None

    def teardown(self, keep_folder: bool = False):
        """Stop everything the hub started, whatever state it is in, and remove its system users (and its folder)."""
        if self.proc is not None and self.proc.poll() is None:
            self.stop_hub_only()
        victims = self.processes()
        for proc in victims:
            try:
                proc.terminate()
            except psutil.NoSuchProcess:
                pass
        _gone, alive = psutil.wait_procs(victims, timeout=10)
        for proc in alive:
            try:
                proc.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(alive, timeout=10)
        for name in self.learners:  # each home is a disk of its own: unmounted before the folder goes
            home = self.homes / name
            if os.path.ismount(home) and subprocess.run(["umount", str(home)], check=False).returncode != 0:
                subprocess.run(["umount", "--lazy", str(home)], check=False)
        for name in [*self.learners, classhub.GRADER]:  # the grader account, if a test autograded
            classhub.stop_everything_of(name)
            classhub.remove_learner_account(name)
        shutil.rmtree(classhub.runtime_parent(self.state), ignore_errors=True)
        cgroups = classhub.memory_cgroup_parent()
        for name in self.learners if cgroups else []:
            try:
                (cgroups / f"classroom-{name}").rmdir()
            except OSError:
                pass
        if not keep_folder:
            shutil.rmtree(self.workdir, ignore_errors=True)


def serving(hub: Hub):
    """A fixture's body: the hub started, then torn down whatever happened."""
    try:
        yield hub.start()
    finally:
        hub.teardown()


class Learner:
    """One learner in one browser context (cookies of their own), driving JupyterLab through the hub.

    Asynchronous (playwright's async API), so one browser can hold a whole class of learners at once.
    """

    def __init__(self, hub: Hub, context, name: str):
        self.hub, self.context, self.name = hub, context, name
        self.page = None
        self.password = hub.codes.get(name, "")  # the first-login code, until the learner chooses a password

    @classmethod
    async def open(cls, hub: Hub, browser, name: str) -> Learner:
        learner = cls(hub, await browser.new_context(viewport={"width": 1400, "height": 1000}), name)
        learner.page = await learner.context.new_page()
        return learner

    @property
    def home(self) -> Path:
        return self.hub.homes / self.name

    async def follow_link(self, link: str, timeout: float = 180_000) -> float:
        """Follow the teacher's link (logging in if asked); seconds until the contents page is open in JupyterLab."""
        start = time.perf_counter()
        page = self.page
        await page.goto(link, timeout=timeout)
        if "/hub/login" in page.url:
            await page.fill("input[name=username]", self.name)
            await page.fill("input[name=password]", self.password)
            await page.click("[type=submit]")
        await page.wait_for_url(f"**/user/{self.name}/lab/tree/{REPO_DIR}/notebooks/**", timeout=timeout)
        notebook = urllib.parse.unquote(page.url.split("/notebooks/")[-1].split("?")[0])
        await page.wait_for_function(
            "(name) => window.jupyterapp && window.jupyterapp.shell.currentWidget && "
            "window.jupyterapp.shell.currentWidget.title.label === name",
            arg=notebook,
            timeout=timeout,
        )
        await page.wait_for_function(
            "() => window.jupyterapp.shell.currentWidget.node.querySelector('.jp-MarkdownOutput h1')", timeout=timeout
        )
        return time.perf_counter() - start

    async def title(self) -> str:
        """The first heading of the notebook in front."""
        return await self.page.evaluate(
            "() => window.jupyterapp.shell.currentWidget.node.querySelector('.jp-MarkdownOutput h1').innerText"
        )

    async def text(self) -> str:
        """The text of the notebook in front, as drawn (JupyterLab draws only the cells near the view)."""
        return await self.page.evaluate("() => window.jupyterapp.shell.currentWidget.node.innerText")

    async def sources(self) -> str:
        """Every cell's source in the notebook JupyterLab has open in front."""
        return await self.page.evaluate(
            "() => window.jupyterapp.shell.currentWidget.content.widgets.map(c => "
            "c.model.sharedModel.getSource()).join('\\n')"
        )

    async def open_notebook(self, name: str, timeout: float = 180_000, folder: str = f"{REPO_DIR}/notebooks"):
        page = self.page
        await page.goto(f"{self.hub.url}/user/{self.name}/lab/tree/{folder}/{name}", timeout=timeout)
        await page.wait_for_function(
            "(name) => window.jupyterapp && window.jupyterapp.shell.currentWidget && "
            "window.jupyterapp.shell.currentWidget.title.label === name && "
            "window.jupyterapp.shell.currentWidget.sessionContext",
            arg=name,
            timeout=timeout,
        )
        await page.evaluate(
            "async () => { const w = window.jupyterapp.shell.currentWidget; await w.context.ready; await "
            "w.sessionContext.ready; }"
        )

    async def wait_idle(self, timeout: float = 180_000):
        await self.page.wait_for_function(
            "() => { const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel; return k "
            "&& k.status === 'idle'; }",
            timeout=timeout,
        )

    async def run_all(self, timeout: float = 300_000):
        """Run every cell of the notebook in front; waits until the kernel is idle and the widgets are drawn."""
        page = self.page
        await self.wait_idle(timeout)
        await page.evaluate("async () => { await window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
        await self.wait_idle(timeout)
        await page.wait_for_function("() => !document.body.innerText.includes('Loading widget')", timeout=timeout)
        await page.locator(APPS).first.wait_for(timeout=timeout)

    async def move_slider(self, key: str = "ArrowRight", timeout: float = 60_000) -> float:
        """Press a key on the first widget's slider; milliseconds until the new picture is on screen."""
        page = self.page
        app = page.locator(APPS).first
        await app.scroll_into_view_if_needed()
        img = await app.locator(PICTURE).first.element_handle()
        await app.locator(".noUi-handle").first.focus()
        old = await img.get_attribute("src")
        start = time.perf_counter()
        await page.keyboard.press(key)
        await page.wait_for_function(
            "([img, old]) => img.getAttribute('src') !== old && img.complete",
            arg=[img, old],
            polling="raf",
            timeout=timeout,
        )
        return (time.perf_counter() - start) * 1e3

    async def picture_alt(self) -> str:
        return await self.page.locator(f"{APPS} {PICTURE}").first.get_attribute("alt")

    async def in_kernel(self, code: str) -> str:
        """Run `code` in the open notebook's kernel and return what it printed (as a cell would)."""
        return await self.page.evaluate(
            """async (code) => {
                const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
                let out = '';
                const future = kernel.requestExecute({code, store_history: false});
                future.onIOPub = (msg) => {
                    if (msg.header.msg_type === 'stream') out += msg.content.text;
                    if (msg.header.msg_type === 'error') out += msg.content.ename + ': ' + msg.content.evalue;
                };
                await future.done;
                return out;
            }""",
            code,
        )

    async def kernel_id(self) -> str:
        """The id of the kernel of the notebook in front."""
        return await self.page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.id")

    async def restart_kernel(self, timeout: float = 180_000):
        """Kernel > Restart Kernel, as a learner does when the kernel has died (no dialog asked)."""
        await self.page.evaluate(
            "async () => { await window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.restart(); }"
        )
        await self.wait_idle(timeout)

    async def write_into_cell(self, starts_with: str, text: str):
        """Replace the source of the cell starting with `starts_with` by typing, run it and save the notebook."""
        page = self.page
        index = await page.evaluate(
            """(start) => window.jupyterapp.shell.currentWidget.content.widgets.findIndex(
                c => c.model.sharedModel.getSource().startsWith(start))""",
            starts_with,
        )
        assert index >= 0, f"no cell starts with {starts_with!r}"
        cell = page.locator(f"{FRONT} .jp-Notebook .jp-Cell").nth(index)
        await cell.scroll_into_view_if_needed()
        await cell.locator(".cm-content").click()
        await page.keyboard.press("Control+a")
        await page.keyboard.insert_text(text)
        await page.keyboard.press("Shift+Enter")
        await self.wait_idle()
        await page.evaluate("async () => { await window.jupyterapp.commands.execute('docmanager:save'); }")
        await page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty")
        return cell
