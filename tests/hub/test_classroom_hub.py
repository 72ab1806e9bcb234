"""A class on one hub, as two learners see it: a real JupyterHub (classroom/jupyterhub_config.py), the
nbgitpuller link the teachers' guide (docs/teachers.md) gives, headless Chromium.

Learner ada logs in, follows the link (the series is pulled into her home and the contents page opens),
runs notebook 04 and moves its slider, writes an answer into an exercise cell. The teacher pushes a fix to
the same notebook; ada follows the link again: the fix is there and so is her answer. Learner grace gets a
copy of her own and cannot reach ada's server or files. The hub's idle culler runs with the configured
timeout and, with a short one, stops an idle server; each learner's server gets the configured settings;
nothing listens beyond 127.0.0.1; a roster or setting the hub cannot use stops it with one line.

What keeps learners apart is tried as a curious learner would: another's first-login code, a name off the
roster, a kernel reading the hub's secrets or another's home or writing the course's environment, crafted
pull links, a kernel asking for more memory than the limit, more servers than the hub allows.

`make classroom` (tests/hub/class_at_once.py) runs eight learners at once with faults; it is not part of
`make test`.
"""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import re
import shutil
import statistics
import subprocess
import sys
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psutil
import pytest

from classroom import classhub
from tests.browser.lab import ROOT
from tests.hub.hub import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CONFIG,
    NOTEBOOK_04,
    REPO_DIR,
    Course,
    Hub,
    Learner,
    missing_hub_reason,
    serving,
    shared_folder,
    unique_name,
)

REASON = missing_hub_reason()
if REASON is not None and os.environ.get("CI") == "true":  # make test installs all of it: in CI these must run
    raise RuntimeError(f"hub tests cannot run in CI: {REASON}")
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"hub tests skipped: {REASON}")

# the learners' names, unique to this run: an account the machine already has (a user "ada") changes nothing
ADA, GRACE, TOK, IDLE, SECOND, ZOE = (unique_name(n) for n in ("ada", "grace", "tok", "idle", "second", "zoe"))

# the teacher's fix: a sentence in notebook 04's first cell, far from the exercise cell ada writes in
TYPO = "Dot products say who is alike;"
FIX = "Dot products say which words are alike;"
ANSWER_CELL = "answer_04_1 = ..."
ADA_ANSWER = 'answer_04_1 = 0.5\ncheck_exercise("04.1", answer_04_1)'


@pytest.fixture(scope="module")
def hub(course):
    yield from serving(Hub([ADA, GRACE], course_repos=course.url))


def notebook_source(path) -> str:
    return "\n".join("".join(cell["source"]) for cell in json.loads(path.read_text(encoding="utf-8"))["cells"])


async def two_learners(hub: Hub, course: Course):
    from playwright.async_api import async_playwright

    link = hub.link(course)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        ada = await Learner.open(hub, browser, ADA)
        # the link: log in, the series is pulled into ada's home, the contents page opens
        seconds = await ada.follow_link(link)
        mine = ada.home / REPO_DIR
        assert (mine / "notebooks" / "00_contents.ipynb").exists(), (
            "the link did not pull the series into the learner's home"
        )
        assert (await ada.title()).startswith("Self-Attention, Step by Step"), "the contents page did not open"
        print(f"\nada: link to contents page in {seconds:.1f} s")

        # notebook 04 runs in ada's kernel, with the pulled copy's helpers, and its slider redraws the picture
        await ada.open_notebook(NOTEBOOK_04)
        await ada.run_all()
        body = await ada.text()
        assert "Traceback" not in body and "Error displaying widget" not in body
        where = (await ada.in_kernel("import helpers; print(helpers.__file__)")).strip()
        assert where.startswith(str(mine / "helpers")), (
            f"the kernel imports helpers from {where}, not from the learner's copy"
        )
        alt_before = await ada.picture_alt()
        print(f"ada: slider -> new picture in {await ada.move_slider():.0f} ms")
        assert await ada.picture_alt() != alt_before, "the picture's words did not follow the slider"

        # ada writes an answer into exercise 04.1 and saves
        cell = await ada.write_into_cell(ANSWER_CELL, ADA_ANSWER)
        assert (await cell.locator(".jp-OutputArea-output").inner_text()).strip(), (
            "the exercise's check printed nothing"
        )
        assert "answer_04_1 = 0.5" in notebook_source(mine / "notebooks" / NOTEBOOK_04)

        # the teacher pushes a fix to the same notebook; ada follows the link again
        course.push_fix(f"notebooks/{NOTEBOOK_04}", TYPO, FIX, "Notebook 04: clearer first sentence")
        await ada.follow_link(link)
        text = notebook_source(mine / "notebooks" / NOTEBOOK_04)
        assert FIX in text and TYPO not in text, "the teacher's fix did not arrive"
        assert "answer_04_1 = 0.5" in text, "the learner's answer was lost when the fix arrived"
        await ada.open_notebook(NOTEBOOK_04)
        await ada.page.wait_for_function(
            "(fix) => window.jupyterapp.shell.currentWidget.node.innerText.includes(fix)", arg=FIX
        )
        assert "answer_04_1 = 0.5" in await ada.sources(), (
            "the learner's answer is not in the notebook JupyterLab opened"
        )

        # grace: her own copy (with the fix, without ada's answer); ada's server and files are closed to her
        grace = await Learner.open(hub, browser, GRACE)
        await grace.follow_link(link)
        hers = notebook_source(grace.home / REPO_DIR / "notebooks" / NOTEBOOK_04)
        assert FIX in hers and ANSWER_CELL in hers and "answer_04_1 = 0.5" not in hers
        listing = await grace.page.evaluate(
            "async () => (await window.jupyterapp.serviceManager.contents.get('')).content.map(f => f.name)"
        )
        assert sorted(listing) == ["assignments", REPO_DIR], f"grace's home shows {listing}"
        response = await grace.page.goto(f"{hub.url}/user/{ADA}/api/contents/{REPO_DIR}/notebooks/{NOTEBOOK_04}")
        assert response.status == 403, f"grace reached ada's server: HTTP {response.status}"
        assert "answer_04_1 = 0.5" not in await grace.page.content()

        users = {u["name"]: u for u in hub.api("GET", "/users")}
        assert users[ADA]["server"] and users[GRACE]["server"], "both learners' servers should be running"
        await browser.close()


def test_two_learners_pull_run_keep_their_answers_and_stay_apart(hub, course):
    asyncio.run(two_learners(hub, course))
    assert_server_settings(hub, ADA)  # while ada's server and kernel still run


# the teacher's second change: the very line ada answered in (her version stays, and she is told), and a new file
# with the name of one ada made herself; meanwhile ada deleted notebook 05
TEACHER_LINE = "answer_04_1 = ...  # your number, between 0 and 1"
NOTEBOOK_05 = "notebooks/05_queries-keys-values.ipynb"


async def a_pull_that_keeps_restores_and_renames(hub: Hub, course: Course):
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        ada = await Learner.open(hub, browser, ADA)
        await ada.follow_link(hub.link(course))
        await ada.open_notebook(NOTEBOOK_04)
        mine = ada.home / REPO_DIR
        await ada.in_kernel(
            f"import os; os.remove({str(mine / NOTEBOOK_05)!r}); "
            f"open({str(mine / 'notes.md')!r}, 'w').write('my notes')"
        )
        assert not (mine / NOTEBOOK_05).exists() and (mine / "notes.md").read_text() == "my notes"
        course.push_fix(
            f"notebooks/{NOTEBOOK_04}",
            ANSWER_CELL,
            TEACHER_LINE,
            "04.1: say what to write",
            add={"notes.md": "the teacher's notes"},
        )
        await ada.page.goto(hub.link(course))
        heading = ada.page.get_by_role("heading", name="What the update changed in your copy")
        await heading.wait_for(timeout=120_000)
        news = await ada.page.locator("li").all_inner_texts()
        print("\nada is told:\n  " + "\n  ".join(news))
        assert len(news) == 3, news
        assert f"notebooks/{NOTEBOOK_04}" in news[0] and "your version was kept" in news[0]
        assert f"{NOTEBOOK_05}, which you had deleted, is back" in news[1]
        assert news[2].startswith("Your file notes.md was renamed notes__") and "teacher added a file" in news[2]
        # her answer stayed, the teacher's version of the notebook is beside her copy, and so is the report
        assert "answer_04_1 = 0.5" in notebook_source(mine / "notebooks" / NOTEBOOK_04)
        theirs = ada.home / f"{REPO_DIR}-teacher-versions" / "notebooks" / NOTEBOOK_04
        assert TEACHER_LINE in notebook_source(theirs)
        assert (mine / NOTEBOOK_05).exists() and (mine / "notes.md").read_text() == "the teacher's notes"
        assert [f.read_text() for f in mine.glob("notes__*.md")] == ["my notes"]
        report = (ada.home / f"{REPO_DIR}-pull-report.md").read_text()
        assert all(line in report for line in news)
        # Continue opens the notebook the link names; a pull with nothing to tell goes straight there
        await ada.page.click("#continue")
        await ada.page.wait_for_url(f"**/user/{ADA}/lab/tree/{REPO_DIR}/notebooks/00_contents.ipynb", timeout=60_000)
        await ada.follow_link(hub.link(course))
        await browser.close()


def test_a_pull_tells_the_learner_what_it_kept_restored_and_renamed(hub, course):
    asyncio.run(a_pull_that_keeps_restores_and_renames(hub, course))


async def log_in(hub: Hub, browser, name: str, password: str) -> str:
    """Try the hub's login form in a fresh browser context; the URL it ends on."""
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{hub.url}/hub/login")
    await page.fill("input[name=username]", name)
    await page.fill("input[name=password]", password)
    async with page.expect_navigation():  # the URL of the page the form's answer loads, not of the form's own page
        await page.click("[type=submit]")
    url = page.url
    await context.close()
    return url


# what grace's kernel tries; every line should end in PermissionError
PRYING = """
import json, os, pathlib, sys
state, homes, repo = pathlib.Path({state!r}), pathlib.Path({homes!r}), pathlib.Path({repo!r})
tries = {{
    "list the hub's state": lambda: os.listdir(state),
    "read the cookie secret": lambda: (state / "jupyterhub_cookie_secret").read_bytes(),
    "read the proxy token": lambda: (state / "proxy_auth_token").read_text(),
    "read the hub's database": lambda: (state / "jupyterhub.sqlite").read_bytes(),
    "read the password hashes": lambda: [(state / name).read_bytes() for name in {dbm_files!r}],
    "read the first-login codes": lambda: (state / "first-login-codes.txt").read_text(),
    "list ada's home": lambda: os.listdir(homes / {ada!r}),
    "read ada's notebook": lambda: (homes / {ada!r} / {notebook!r}).read_text(),
    "read the hub's environment": lambda: open("/proc/{hub_pid}/environ", "rb").read(),
    "read ada's server's environment": lambda: open("/proc/{ada_pid}/environ", "rb").read(),
    "read the proxy's environment": lambda: open("/proc/{proxy_pid}/environ", "rb").read(),
    "write the class environment": lambda: (repo / ".venv-class" / "lib" / "sitecustomize.py").write_text("x"),
    "change the class environment": lambda: open(sys.executable, "ab"),
    "write the hub's environment": lambda: (repo / ".venv" / "sitecustomize.py").write_text("x"),
    "change the course's config": lambda: open(repo / "classroom" / "jupyterhub_config.py", "a"),
    "add to the course's config": lambda: (repo / "classroom" / "evil.py").write_text("x"),
    "list the hub's solutions": lambda: os.listdir(repo / "notebooks" / "solutions"),
    "read a solutions notebook": lambda: (repo / "notebooks" / "solutions" / {solutions!r}).read_text(),
    "list the graded course's source": lambda: os.listdir(repo / "classroom" / "course" / "source"),
    "read the hub's git history": lambda: (repo / ".git" / "HEAD").read_text(),
}}
out = {{}}
for what, attempt in tries.items():
    try:
        attempt()
        out[what] = "succeeded"
    except Exception as exc:
        out[what] = type(exc).__name__
out["uid"] = os.getuid()
print(json.dumps(out))
"""


async def a_curious_learner(hub: Hub, course: Course):
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        # another's code, a name off the roster, the right code with a wrong name: the login page again
        assert "/hub/login" in await log_in(hub, browser, ADA, hub.codes[GRACE])
        assert "/hub/login" in await log_in(hub, browser, "mallory", hub.codes[GRACE])
        assert "/hub/login" in await log_in(hub, browser, "root", hub.codes[GRACE])
        assert "/hub/login" not in await log_in(hub, browser, GRACE, hub.codes[GRACE]), "her own code failed"

        grace = await Learner.open(hub, browser, GRACE)
        await grace.follow_link(hub.link(course))
        # logged in as grace: the hub's REST API about ada, and ada's server's, are closed to her
        for url in (f"{hub.url}/hub/api/users/{ADA}", f"{hub.url}/hub/api/users", f"{hub.url}/user/{ADA}/api/contents"):
            response = await grace.page.goto(url)
            assert response.status in (403, 404), f"grace reached {url}: HTTP {response.status}"
        await grace.open_notebook("00_contents.ipynb")
        ada_server = next(p for p in hub.learner_processes(ADA) if "singleuser.py" in " ".join(p.cmdline()))
        code = PRYING.format(
            state=str(hub.state),
            homes=str(hub.homes),
            repo=str(ROOT),
            hub_pid=hub.proc.pid,
            proxy_pid=int((hub.state / "jupyterhub-proxy.pid").read_text()),
            ada_pid=ada_server.pid,
            notebook=f"{REPO_DIR}/notebooks/{NOTEBOOK_04}",
            dbm_files=[p.name for p in hub.state.glob("passwords.dbm*")],
            ada=ADA,
            solutions="04_self-attention-from-scratch-solutions.ipynb",
        )
        assert "[]" not in code, "found no password store to try"
        found = json.loads((await grace.in_kernel(code)).strip().splitlines()[-1])
        print("\ngrace's kernel tried:\n  " + "\n  ".join(f"{k}: {v}" for k, v in found.items()))
        assert found.pop("uid") == pwd.getpwnam(GRACE).pw_uid != 0
        assert set(found.values()) == {"PermissionError"}, found

        # her pulled copy: the handout, with no solution in its files or in its history
        copy = hub.homes / GRACE / REPO_DIR
        assert (copy / "notebooks" / NOTEBOOK_04).exists() and not (copy / "notebooks" / "solutions").exists()
        history = subprocess.run(
            ["git", "-c", "safe.directory=*", "log", "--all", "--format=", "--name-only"],
            cwd=copy, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        assert history.strip() and "solutions" not in history and "course/source" not in history
        lesson = (copy / "notebooks" / NOTEBOOK_04).read_text()
        assert "## Solutions" not in lesson and "check_exercise(" in lesson

        # memory: a kernel asking for more than the learner's limit gets a clear MemoryError and carries on
        out = await grace.in_kernel(
            "import numpy as np\ntry:\n    a = np.ones(3 * 2**30 // 8)\nexcept MemoryError as e:\n"
            "    print('MemoryError:', e)\nprint('still here', 6 * 7)"
        )
        print(f"grace's kernel asked for 3 GiB: {out.strip()}")
        assert "MemoryError: Unable to allocate 3.00 GiB" in out and "still here 42" in out
        # disk: her home is a 256 MB disk of its own; filling it stops there, with the hub's disk untouched
        state_free = shutil.disk_usage(hub.state).free
        out = await grace.in_kernel(FILLING)
        print(f"grace's kernel filled her home: {out.strip()}")
        written = int(re.search(r"wrote (\d+) MB", out)[1])
        assert "OSError 28" in out and 150 < written <= 256, out  # 28: no space left on device
        image = hub.state / "disks" / f"{GRACE}.ext4"
        for _ in range(40):  # the space comes back when the file system commits the removal (every 5 s at most)
            if image.stat().st_blocks * 512 < 128 * 2**20:
                break
            time.sleep(0.5)
        print(f"her disk's image: {image.stat().st_size / 2**20:.0f} MB, {image.stat().st_blocks / 2048:.0f} MB used")
        assert image.stat().st_size == 256 * 2**20 and image.stat().st_blocks * 512 < 128 * 2**20, "space kept"
        assert shutil.disk_usage(hub.state).free > state_free - 64 * 2**20, "her home's space did not come back"
        ada_kernels = [p for p in hub.learner_processes(ADA) if "ipykernel" in " ".join(p.cmdline())]
        assert ada_kernels and all(p.is_running() for p in ada_kernels), "ada's kernel went with grace's"

        # ada's kernels: no TCP port of ada's listens but her server's, and their Unix sockets refuse grace
        ada_uid = pwd.getpwnam(ADA).pw_uid
        found = json.loads((await grace.in_kernel(EAVESDROPPING.format(uid=ada_uid, ada=ADA))).strip().splitlines()[-1])
        print(f"grace looked for ada's kernels: {found}")
        runtime = classhub.runtime_parent(hub.state) / ADA
        tcp = set()
        for proc in hub.learner_processes(ADA):
            ports = {c.laddr.port for c in proc.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN}
            tcp |= ports
            if "ipykernel" not in " ".join(proc.cmdline()):
                continue
            connection = next(a for a in proc.cmdline() if a.endswith(".json"))
            info = json.loads(Path(connection).read_text())
            assert info["transport"] == "ipc" and Path(info["ip"]).parent == runtime, info  # every channel
            # ipykernel's one TCP listener: the pipe that forwards forked subprocesses' output, a PULL socket
            # (it sends nothing to whoever connects) that drops messages without its random 16-byte key
            assert len(ports) <= 1, f"ada's kernel {proc.pid} listens on TCP ports {ports}"
        assert found["tcp_listening"] == len(tcp), (found["tcp_listening"], tcp)
        assert found["unix_sockets"] >= 5 and set(found["connect"]) == {"PermissionError"}, found

        # crafted links: a folder outside her home, in ada's, the home itself, another repository
        before = sorted(str(p) for p in Path("/tmp").iterdir())
        crafted = {
            "/tmp/planted": "must be a folder inside your home",
            f"../{ADA}/planted": "must be a folder inside your home",
            "..": "must be a folder inside your home",
            f"self-attention/../../{ADA}": "must be a folder inside your home",
        }
        for targetpath, why in crafted.items():
            response = await grace.page.goto(hub.link(course, targetpath=targetpath))
            body = await grace.page.inner_text("body")
            assert response.status == 400 and "This link cannot be used" in body and why in body, (targetpath, body)
        other = shared_folder("classroom-other-", 0o755)
        subprocess.run(["git", "clone", "--quiet", "--bare", str(ROOT), str(other / "x.git")], check=True)
        response = await grace.page.goto(hub.link(course, repo=(other / "x.git").as_uri(), targetpath="mine"))
        assert response.status == 400 and "this class pulls only from" in await grace.page.inner_text("body")
        shutil.rmtree(other)
        # the pull's own endpoint, called directly, refuses too
        api = f"{hub.url}/user/{GRACE}/git-pull/api?" + urllib.parse.urlencode(
            {"repo": course.url, "branch": course.branch, "targetpath": f"../{ADA}/planted"}
        )
        response = await grace.page.goto(api)
        assert "This link cannot be used" in await response.text()
        assert not (hub.homes / ADA / "planted").exists() and not Path("/tmp/planted").exists()
        assert sorted(str(p) for p in Path("/tmp").iterdir()) == before
        assert sorted(p.name for p in (hub.homes / GRACE).iterdir() if not p.name.startswith(".")) == [
            "assignments",
            REPO_DIR,
        ]

        await grace.open_notebook("00_contents.ipynb")  # the page was on the pull's endpoint
        # processes: at most 256 at once (her limit), and none outlives her server, however it was started
        ada_tasks = sum(p.num_threads() for p in hub.learner_processes(ADA))
        print(f"ada's server and kernels: {ada_tasks} processes and threads (the limit counts both)")
        assert ada_tasks < 128, "a learner's ordinary server comes near the process limit"
        out = await grace.in_kernel(FORKING)
        started = int(re.search(r"started (\d+)", out)[1])
        print(f"grace's kernel tried 400 processes: {out.strip()}")
        assert 100 < started < 256 and "refused: BlockingIOError" in out, out
        await grace.in_kernel("import subprocess\nsubprocess.Popen(['setsid', 'nohup', 'sleep', '600'])")
        grace_uid = pwd.getpwnam(GRACE).pw_uid
        assert any(p.info["uids"].real == grace_uid for p in psutil.process_iter(["uids"]) if p.info["uids"])
        hub.api("DELETE", f"/users/{GRACE}/server")
        deadline = time.time() + 60
        while hub.api("GET", f"/users/{GRACE}")["server"] and time.time() < deadline:
            time.sleep(0.5)
        procs = psutil.process_iter(["uids", "name"])
        left = [p.info["name"] for p in procs if p.info["uids"] and grace_uid in p.info["uids"]]
        assert left == [], f"grace's processes outlived her server: {left}"

        await browser.close()


# a learner's kernel looking for another learner's kernels: the TCP ports that user listens on (the socket table
# says whose each one is) and the Unix sockets whose paths are in the table, each tried
EAVESDROPPING = """
import json, socket
def listening(table):
    rows = open(table).read().splitlines()[1:]
    return [r.split() for r in rows if r.split()[3] == "0A" and r.split()[7] == "{uid}"]
tcp = listening("/proc/net/tcp") + listening("/proc/net/tcp6")
paths = [r.split()[-1] for r in open("/proc/net/unix").read().splitlines()[1:] if len(r.split()) > 7]
theirs = [p for p in paths if "/classroom-" in p and "/{ada}/" in p]
tried = []
for p in theirs:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(p)
        tried.append("connected")
    except OSError as e:
        tried.append(type(e).__name__)
    finally:
        s.close()
print(json.dumps({{"tcp_listening": len(tcp), "unix_sockets": len(theirs), "connect": tried}}))
"""

# a home filled 16 MB at a time until the disk says no; the file removed afterwards
FILLING = """
import os
path, written, why = os.path.expanduser("~/filling.bin"), 0, "none"
try:
    with open(path, "wb") as out:
        while written < 2048:
            out.write(b"x" * 2**24)
            out.flush()
            os.fsync(out.fileno())
            written += 16
except OSError as e:
    why = f"OSError {e.errno}"
os.remove(path)
os.sync()
print(f"wrote {written} MB, then {why}")
"""

# a fork bomb, bounded: start sleeping processes until refused, then stop them all
FORKING = """
import subprocess
procs, why = [], "none"
try:
    for _ in range(400):
        procs.append(subprocess.Popen(["sleep", "30"]))
except OSError as e:
    why = type(e).__name__
for p in procs:
    p.kill()
    p.wait()
print(f"started {len(procs)}, refused: {why}")
"""


def test_a_curious_learner_cannot_enter_another_account_read_secrets_or_pull_outside_her_home(hub, course):
    asyncio.run(a_curious_learner(hub, course))


async def choose_a_password(hub: Hub, course: Course):
    from playwright.async_api import async_playwright

    mine = "Klassenpaßwort-été"  # not ASCII: any password works
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        grace = await Learner.open(hub, browser, GRACE)
        await grace.follow_link(hub.link(course))
        page = grace.page
        await page.goto(f"{hub.url}/hub/auth/change-password")
        await page.fill("input[name=password]", "short")
        async with page.expect_navigation():  # the form posts: read the answer's page, not the one it replaces
            await page.click("[type=submit]")
        assert "at least 8 characters" in await page.inner_text("body")
        await page.fill("input[name=password]", mine)
        async with page.expect_navigation():
            await page.click("[type=submit]")
        assert "changed successfully" in await page.inner_text("body")
        assert "/hub/login" in await log_in(hub, browser, GRACE, hub.codes[GRACE]), "the old code still works"
        assert "/hub/login" not in await log_in(hub, browser, GRACE, mine)
        # the same password typed as decomposed letters (another keyboard) is the same password
        assert "/hub/login" not in await log_in(hub, browser, GRACE, unicodedata.normalize("NFD", mine))
        await browser.close()


def test_a_learner_replaces_her_first_login_code_with_a_password_of_her_own(hub, course):
    asyncio.run(choose_a_password(hub, course))


def post_login(hub: Hub, name: str, password: str) -> str:
    """The login form as a browser sends it (its _xsrf field and cookie first); the page that comes back."""
    import http.cookiejar

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(f"{hub.url}/hub/login", timeout=60) as response:
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', response.read().decode())[1]
    form = urllib.parse.urlencode({"username": name, "password": password, "_xsrf": xsrf}).encode()
    try:
        with opener.open(f"{hub.url}/hub/login", data=form, timeout=60) as response:
            return response.read().decode()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.read().decode()


def unlock(hub: Hub, name: str) -> dict:
    """A teacher unlocks `name` (the hub's /hub/auth/unlock, with a token allowed to administer users)."""
    request = urllib.request.Request(
        f"{hub.url}/hub/auth/unlock", method="POST", data=f"name={name}".encode(),
        headers={"Authorization": f"token {hub.token}"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return json.loads(exc.read())


def timed_ms(call) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1e3


def test_fifty_wrong_passwords_lock_the_name_and_leave_the_hub_fast_for_everyone_else(hub):
    """50 wrong passwords for ada, ten at a time, while the hub serves grace: the password check runs off the
    hub's event loop, one at a time, and after 5 wrong ones ada's name is locked (no more checks to run); grace's
    requests stay fast; the login page tells ada why; a teacher unlocks her."""
    from concurrent.futures import ThreadPoolExecutor

    def graces_request():
        hub.api("GET", f"/users/{GRACE}")

    unlock(hub, ADA)  # earlier tests tried a wrong code for ada: start from none in a row
    before = [timed_ms(graces_request) for _ in range(20)]
    log_start = len(hub.log_path.read_text())
    during = []
    with ThreadPoolExecutor(10) as pool:
        started = time.perf_counter()
        storm = [pool.submit(post_login, hub, ADA, f"not-her-password-{i}") for i in range(50)]
        while not all(f.done() for f in storm):
            during.append(timed_ms(graces_request))
            time.sleep(0.02)
        pages = [f.result() for f in storm]
        took = time.perf_counter() - started
    checks = hub.log_path.read_text()[log_start:].count(f"wrong password for {ADA} (")
    locked = sum(f"Too many wrong passwords for {ADA}" in page for page in pages)
    print(
        f"\n50 wrong passwords for ada in {took:.1f} s: {checks} checked, {locked} refused as locked; grace's "
        f"request: median {statistics.median(before):.1f} ms before, {statistics.median(during):.1f} ms during "
        f"(worst {max(during):.0f} ms, {len(during)} requests)"
    )
    assert checks == classhub.FREE_TRIES and locked == 50 - classhub.FREE_TRIES, (checks, locked)
    assert statistics.median(during) < 100, during
    assert f"Too many wrong passwords for {ADA}: try again in" in post_login(hub, ADA, hub.codes[ADA])
    listing = urllib.request.Request(f"{hub.url}/hub/auth/unlock", headers={"Authorization": f"token {hub.token}"})
    with urllib.request.urlopen(listing, timeout=30) as response:
        assert f"{ADA}: 5 wrong passwords in a row, locked for" in response.read().decode()
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        anonymous_post = urllib.request.Request(f"{hub.url}/hub/auth/unlock", data=f"name={ADA}".encode())
        urllib.request.urlopen(anonymous_post, timeout=30)
    assert anonymous.value.code == 403
    anonymous.value.close()
    assert unlock(hub, ADA) == {"unlocked": ADA}
    page = post_login(hub, ADA, "still-not-her-password")
    assert "Too many" not in page and "Invalid username or password" in page


def test_the_idle_culler_runs_with_the_configured_timeout(hub):
    services = hub.api("GET", "/services")  # by name
    assert "idle-culler" in services
    command = " ".join(services["idle-culler"]["command"])
    assert "jupyterhub_idle_culler" in command and "--timeout=3600" in command
    running = [
        p
        for p in psutil.process_iter(["cmdline"])
        if p.info["cmdline"]
        and "jupyterhub_idle_culler" in p.info["cmdline"]
        and "--timeout=3600" in p.info["cmdline"]
        and p.ppid() == hub.proc.pid
    ]
    assert running, "the idle culler is not running"
    log = hub.log_path.read_text()
    assert "(idle-culler@127.0.0.1)" in log, "the culler never asked the hub about its users"
    culler_lines = [line for line in log.splitlines() if "(idle-culler@" in line]
    assert all(" 200 " in line for line in culler_lines), (
        f"the culler was refused: {[x for x in culler_lines if ' 200 ' not in x]}"
    )


def test_everything_listens_on_localhost_only(hub):
    listening = []
    for proc in hub.processes():
        try:
            listening += [
                (proc.name(), c.laddr.ip, c.laddr.port)
                for c in proc.net_connections(kind="inet")
                if c.status == psutil.CONN_LISTEN
            ]
        except psutil.NoSuchProcess:
            continue
    assert listening, "found no listening socket: the check looked at the wrong processes"
    outside = [x for x in listening if x[1] not in ("127.0.0.1", "::1")]
    assert not outside, f"listening beyond this machine: {outside}"


def test_the_idle_culler_stops_an_idle_server_and_the_hub_caps_running_servers():
    """The configuration with a 20 s idle timeout and one server at most: a second learner's server is refused
    while the first runs; a server nobody uses is stopped by the culler, the files stay."""
    short = Hub([IDLE, SECOND], idle_timeout=20, max_servers=1)
    try:
        short.start()
        short.api("POST", f"/users/{IDLE}/server")
        deadline = time.time() + 60
        while not short.api("GET", f"/users/{IDLE}")["server"] and time.time() < deadline:
            time.sleep(0.5)
        assert short.api("GET", f"/users/{IDLE}")["server"], "the server did not start"
        with pytest.raises(urllib.error.HTTPError) as refused:
            short.api("POST", f"/users/{SECOND}/server")
        assert refused.value.code == 429, f"a second server while the limit is 1: HTTP {refused.value.code}"
        assert "Active user limit" in refused.value.read().decode()
        (short.homes / IDLE / "answers.txt").write_text("my answer\n")
        started = time.time()
        # culled once idle for 20 s, at the culler's next round (every 10 s): well within 60 s. The hub logs the
        # culler's request when the server has stopped.
        culled = f"DELETE /hub/api/users/{IDLE}/server (idle-culler@127.0.0.1)"
        while culled not in short.log_path.read_text() and time.time() < started + 60:
            time.sleep(1)
        assert culled in short.log_path.read_text(), "the idle culler did not stop a server idle for 20 s"
        print(f"\nidle server culled {time.time() - started:.0f} s after it started (timeout 20 s)")
        assert not short.api("GET", f"/users/{IDLE}")["server"]
        _gone, alive = psutil.wait_procs(short.learner_processes(IDLE), timeout=15)
        assert not alive, "the culled server's processes are still running"
        assert (short.homes / IDLE / "answers.txt").read_text() == "my answer\n", (
            "the learner's files went with the server"
        )
    finally:
        short.teardown()


# a learner's process after the hub's ports and the proxy's API socket while the hub is down: bind each port,
# connect to the socket, put a file of her own in its folder
SQUATTING = """
import json, os, socket, sys
tried = {}
for name, port in json.loads(sys.argv[1]).items():
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            s.listen()
            tried[name] = "bound"
        except OSError as e:
            tried[name] = type(e).__name__
api = sys.argv[2]
with socket.socket(socket.AF_UNIX) as s:
    try:
        s.connect(api)
        tried["connect to the proxy's API"] = "connected"
    except OSError as e:
        tried["connect to the proxy's API"] = type(e).__name__
with socket.socket(socket.AF_UNIX) as s:
    try:
        s.bind(os.path.join(os.path.dirname(api), "mine.sock"))
        tried["a socket beside it"] = "bound"
    except OSError as e:
        tried["a socket beside it"] = type(e).__name__
print(json.dumps(tried))
"""


def squat(hub: Hub, name: str) -> dict[str, str]:
    """What a learner's process gets when it tries to take the hub's ports and the proxy's API."""
    ports = {k: int(hub.env[k]) for k in ("CLASSROOM_PORT", "CLASSROOM_HUB_PORT")}
    api = classhub.runtime_parent(hub.state) / "_proxy" / "api.sock"
    run = subprocess.run(
        ["runuser", "-u", name, "--", "/usr/bin/python3", "-c", SQUATTING, json.dumps(ports), str(api)],
        capture_output=True, text=True, check=True, timeout=60, cwd="/",
    )  # fmt: skip
    return json.loads(run.stdout)


def test_a_new_proxy_gets_a_new_token_and_no_learner_can_take_the_hubs_ports_or_the_proxys_api():
    """The proxy's token is the key to its routes: a hub that starts a new proxy makes a new token, so one that
    reached a leftover process is worthless; a hub restarted while its proxy runs keeps it (the class goes on).
    While the hub restarts and before the next start, a learner's process can take none of the hub's ports nor
    the proxy's API."""
    short = Hub([TOK])
    try:
        short.start()
        first = (short.state / "proxy_auth_token").read_text()
        short.stop_hub_only()
        during_restart = squat(short, TOK)
        print(f"\na learner's process while the hub restarts: {during_restart}")
        assert set(during_restart.values()) == {"PermissionError"}, during_restart
        short.start()  # the proxy it left running: the same token, or it could not talk to it
        assert (short.state / "proxy_auth_token").read_text() == first
        short.stop_hub_only()
        proxy = psutil.Process(int((short.state / "jupyterhub-proxy.pid").read_text()))
        proxy.kill()
        proxy.wait(10)
        before_next = squat(short, TOK)
        print(f"a learner's process before the next start: {before_next}")
        assert set(before_next.values()) == {"PermissionError"}, before_next
        short.start()  # a new proxy: a new token
        assert (short.state / "proxy_auth_token").read_text() != first
        assert short.api("GET", f"/users/{TOK}")["name"] == TOK  # the new proxy routes to the hub
    finally:
        short.teardown()


def assert_server_settings(hub: Hub, name: str) -> None:
    """What the configuration promises a learner's server (and so its kernels): the limits passed on, one BLAS
    thread, the pulled copy first on the import path, the home in the class's folder."""
    servers = [p for p in hub.learner_processes(name) if "singleuser.py" in " ".join(p.cmdline())]
    assert len(servers) == 1, f"expected {name}'s one server, found {len(servers)}"
    kernels = [p for p in hub.learner_processes(name) if "ipykernel" in " ".join(p.cmdline())]
    assert kernels, f"{name} has no kernel running"
    account = pwd.getpwnam(name)
    assert account.pw_shell == classhub.NO_SHELL, f"{name} has a login shell: {account.pw_shell}"
    home = (hub.homes / name).stat()
    assert (home.st_uid, home.st_mode & 0o777) == (account.pw_uid, 0o700), "the home is not the learner's, 0700"
    mounts = {line.split()[1]: line.split()[3] for line in Path("/proc/mounts").read_text().splitlines()}
    options = mounts[str(hub.homes / name)].split(",")  # her home: a disk of its own, no set-uid, no devices
    assert {"nosuid", "nodev", "discard"} <= set(options), options
    cgroups = classhub.memory_cgroup_parent()
    if cgroups:
        limit = next(f for f in ("memory.limit_in_bytes", "memory.max") if (cgroups / f"classroom-{name}" / f).exists())
        assert int((cgroups / f"classroom-{name}" / limit).read_text()) == 2 * 1024**3
    for proc in servers + kernels:
        env = proc.environ()
        assert env["MEM_LIMIT"] == str(2 * 1024**3) and float(env["CPU_LIMIT"]) == 1.0
        assert proc.uids().real == proc.uids().effective == account.pw_uid != 0, "not the learner's own user"
        limits = Path(f"/proc/{proc.pid}/limits").read_text()
        assert re.search(rf"Max address space +{2 * 1024**3} +{2 * 1024**3} +bytes", limits), limits
        assert re.search(r"Max processes +256 +256 +processes", limits), limits
        if cgroups:
            assert f"/classroom-{name}" in Path(f"/proc/{proc.pid}/cgroup").read_text()
        assert env["OPENBLAS_NUM_THREADS"] == env["OMP_NUM_THREADS"] == "1"
        assert env["PYTHONPATH"] == str(hub.homes / name / REPO_DIR)
        assert env["HOME"] == str(hub.homes / name)
        assert env["PATH"].split(":")[0] == str(ROOT / ".venv-class" / "bin")


def _start_hub(roster_text: str | None, **env_changes):
    """jupyterhub with the class config, a roster of `roster_text` (None: no roster); it should stop at once."""
    folder = shared_folder("classroom-refused-", 0o711)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLASSROOM_")}
    env["CLASSROOM_STATE"] = str(folder / "state")
    if roster_text is not None:
        (folder / "roster.txt").write_text(roster_text)
        env["CLASSROOM_ROSTER"] = str(folder / "roster.txt")
    env.update(env_changes)
    exe = Path(sys.executable).parent / "jupyterhub"
    try:
        run = subprocess.run(
            [str(exe), "-f", str(CONFIG)], check=False, cwd=folder, env=env, capture_output=True, text=True, timeout=60
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return run.returncode, run.stdout + run.stderr


@pytest.mark.parametrize(
    ("roster", "env", "says"),
    [
        (None, {}, "cannot read the roster"),
        ("# nobody yet\n", {}, "lists nobody: write one learner's name per line"),
        (f"{ZOE}\nZoe Smith\n", {}, "line 2: 'Zoe Smith' is not `name` or `name teacher`"),
        (f"{ZOE}\n{ZOE}\n", {}, f"line 2: '{ZOE}' is listed twice"),
        ("daemon\n", {}, "'daemon' is an account on this machine that the class did not create"),
        ("root teacher\n", {}, "'root' is an account on this machine that the class did not create"),
        (f"{ZOE}\n", {"CLASSROOM_MEM_LIMIT": "lots"}, "CLASSROOM_MEM_LIMIT='lots' is not a size such as 2G"),
        (f"{ZOE}\n", {"CLASSROOM_ENV": "/nowhere"}, "no class environment at /nowhere: run `make hub-setup`"),
        (f"{ZOE}\n", {"CLASSROOM_PORT": "8000"}, "CLASSROOM_PORT=8000: any user on this machine may bind ports"),
        (f"{ZOE}\n", {"CLASSROOM_PORT": "990"}, "CLASSROOM_PORT=990: browsers refuse to open pages on port 990"),
    ],
)
def test_a_roster_or_setting_the_hub_cannot_use_stops_it_at_start_with_one_line(roster, env, says):
    code, output = _start_hub(roster, **env)
    assert code != 0 and says in output, output
    assert "Traceback" not in output
    with pytest.raises(KeyError):  # nothing half-made: no account for a roster the hub refused
        pwd.getpwnam(ZOE)
