"""The class hub's own parts without a hub: the roster, passwords and first-login codes, the pull guard's checks,
and what it tells a learner after nbgitpuller's own merge (run here on real git repositories)."""

from __future__ import annotations

import dbm
import gc
import os
import stat
import subprocess
import time
import unicodedata
from pathlib import Path

import pytest

pytest.importorskip("firstuseauthenticator", reason="run `make hub-setup` (requirements-hub.txt)")

from classroom import classhub, pull_guard
from classroom.pull_guard import PullRefused, pull_target

ROOT = Path(__file__).resolve().parents[2]
# the one account these tests make, unique to this run (never one the machine had)
_RUN = "".join(__import__("random").choices("abcdefghjkmnpqrstuvwxyz", k=4))
PARTS_NAME, STOP_NAME = f"zz-parts-{_RUN}", f"zz-stop-{_RUN}"


@pytest.mark.parametrize(
    ("target", "repo", "why"),
    [
        ("/tmp/planted", "file:///c.git", "must be a folder inside your home"),
        ("../grace/planted", "file:///c.git", "must be a folder inside your home"),
        ("..", "file:///c.git", "must be a folder inside your home"),
        ("a/../../b", "file:///c.git", "must be a folder inside your home"),
        (".", "file:///c.git", "must be a folder inside your home"),
        ("~root/x", "file:///c.git", "must be a folder inside your home"),
        ("", "file:///c.git", "names no folder"),
        (None, "file:///up/..", "must be a folder inside your home"),  # the default: the repository's last part
        (None, "file:///c.git/", "names no folder"),
        ("x\0y", "file:///c.git", "names no folder"),
        ("escape", "file:///c.git", "leads outside your home"),  # a link the learner made, pointing out
    ],
)
def test_a_pull_outside_the_learners_home_is_refused(tmp_path, target, repo, why):
    home = tmp_path / "home"
    home.mkdir()
    (home / "escape").symlink_to(tmp_path)
    with pytest.raises(PullRefused, match=why):
        pull_target(home, repo, target, [])


def test_a_pull_inside_the_home_names_its_folder_and_only_course_repositories_pass(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    assert pull_target(home, "file:///c.git", "self-attention", []) == home.resolve() / "self-attention"
    assert pull_target(home, "file:///c.git", "a/b", []) == home.resolve() / "a" / "b"
    assert pull_target(home, "https://x.org/c.git", None, []) == home.resolve() / "c.git"
    allowed = pull_guard.allowed_repos("https://x.org/c.git/  file:///d.git")
    assert pull_target(home, "https://x.org/c.git", "s", allowed) == home.resolve() / "s"
    with pytest.raises(PullRefused, match="this class pulls only from https://x.org/c.git, file:///d.git"):
        pull_target(home, "https://evil.org/c.git", "s", allowed)
    for bad in ("/lab", "//evil.org", "https://evil.org", "\\\\evil", ""):
        with pytest.raises(PullRefused, match="must be a page of this server"):
            pull_guard.safe_next(bad)
    assert pull_guard.safe_next("lab/tree/s/notebooks/04.ipynb") == "lab/tree/s/notebooks/04.ipynb"


def test_the_roster_names_learners_and_teachers_and_refuses_what_is_not_a_name(tmp_path):
    roster = tmp_path / "roster.txt"
    roster.write_text("# class 3b\nada\n\ngrace  # sits by the window\nmrs-lee teacher\n")
    assert classhub.read_roster(roster) == (["ada", "grace"], ["mrs-lee"])
    for text, says in [
        ("Ada\n", "line 1: 'Ada' is not `name` or `name teacher`"),
        ("ada admin\n", "'ada admin' is not"),
        ("1ada\n", "'1ada' is not"),
        ("a" * 32 + "\n", "is not `name`"),
        ("ada\nada teacher\n", "line 2: 'ada' is listed twice"),
        ("\n# nobody\n", "lists nobody"),
    ]:
        roster.write_text(text)
        with pytest.raises(classhub.ClassSetupError, match=says):
            classhub.read_roster(roster)
    with pytest.raises(classhub.ClassSetupError, match="cannot read the roster"):
        classhub.read_roster(tmp_path / "missing.txt")


def test_first_login_codes_are_private_and_given_once(tmp_path):
    store, codes = tmp_path / "passwords.dbm", tmp_path / "codes.txt"
    assert classhub.issue_first_login_codes(["ada", "grace"], store, codes) == ["ada", "grace"]
    assert stat.S_IMODE(codes.stat().st_mode) == 0o600
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in tmp_path.glob("passwords.dbm*"))
    lines = [line.split() for line in codes.read_text().splitlines() if not line.startswith("#")]
    assert [name for name, _ in lines] == ["ada", "grace"]
    assert all(len(code) == 14 and code.count("-") == 2 for _, code in lines)
    assert lines[0][1] != lines[1][1]
    # a name that has a password keeps it; a new name gets a code
    assert classhub.issue_first_login_codes(["ada", "grace", "alan"], store, codes) == ["alan"]
    assert len(codes.read_text().splitlines()) == 4


async def _login(auth, name, password):
    return await auth.authenticate(None, {"username": name, "password": password})


def test_the_authenticator_opens_an_account_only_with_its_own_password(tmp_path):
    import asyncio

    store, codes = tmp_path / "passwords.dbm", tmp_path / "codes.txt"
    classhub.issue_first_login_codes(["ada", "grace"], store, codes)
    code = dict(line.split() for line in codes.read_text().splitlines() if not line.startswith("#"))
    auth = classhub.ClassAuthenticator(dbm_path=str(store), check_passwords_on_startup=False)
    assert asyncio.run(_login(auth, "ada", code["ada"])) == "ada"
    assert asyncio.run(_login(auth, "ADA", code["ada"])) == "ada"  # JupyterHub's names are lowercase
    assert asyncio.run(_login(auth, "ada", code["grace"])) is None
    assert asyncio.run(_login(auth, "alan", code["ada"])) is None  # no password yet: no first-use claim
    assert asyncio.run(_login(auth, "ada", "")) is None
    assert asyncio.run(_login(auth, "ada", "x" * 100)) is None
    assert asyncio.run(_login(auth, "../ada", code["ada"])) is None
    # a password of her own, Unicode included, replaces the code
    assert "at least 8" in auth.reset_password("ada", "short")
    assert "shorter password" in auth.reset_password("ada", "ß" * 40)
    assert "successfully" in auth.reset_password("ada", "Klassenpaßwort-été")
    assert asyncio.run(_login(auth, "ada", "Klassenpaßwort-été")) == "ada"
    # typed on a keyboard that sends é as e + accent: the same password
    assert asyncio.run(_login(auth, "ada", unicodedata.normalize("NFD", "Klassenpaßwort-été"))) == "ada"
    assert asyncio.run(_login(auth, "ada", "Klassenpasswort-ete")) is None
    assert asyncio.run(_login(auth, "ada", code["ada"])) is None
    with dbm.open(str(store), "r") as db:
        assert b"Klassen" not in db[b"ada"]


class _Page:
    custom_login_error = ""


def test_wrong_passwords_lock_a_name_for_longer_each_time_and_a_teacher_unlocks_it(tmp_path):
    import asyncio

    assert [classhub.lock_seconds(n) for n in range(1, 12)] == [0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900]
    store, codes = tmp_path / "passwords.dbm", tmp_path / "codes.txt"
    classhub.issue_first_login_codes(["ada", "grace"], store, codes)
    code = dict(line.split() for line in codes.read_text().splitlines() if not line.startswith("#"))
    auth = classhub.ClassAuthenticator(dbm_path=str(store), check_passwords_on_startup=False)
    page = _Page()

    async def tries():
        wrong = [await auth.authenticate(page, {"username": "ada", "password": f"guess-{i}"}) for i in range(5)]
        locked = await auth.authenticate(page, {"username": "ada", "password": code["ada"]})
        other = await auth.authenticate(page, {"username": "grace", "password": code["grace"]})
        return wrong, locked, other

    wrong, locked, other = asyncio.run(tries())
    assert wrong == [None] * 5 and locked is None and other == "grace"  # her right code waits; grace is not locked
    assert page.custom_login_error.startswith("Too many wrong passwords for ada: try again in 30 seconds")
    assert 29 < auth.locked_for("ada") <= 30 and auth.locked_for("grace") == 0
    assert auth.unlock("ada") and not auth.unlock("ada")
    assert asyncio.run(_login(auth, "ada", code["ada"])) == "ada"


def test_memory_sizes():
    assert classhub.parse_bytes("2G") == 2 * 1024**3
    assert classhub.parse_bytes("1536M") == 1536 * 1024**2
    assert classhub.parse_bytes("1000") == 1000
    for bad in ("lots", "-1G", "2.5G", ""):
        with pytest.raises(classhub.ClassSetupError, match="is not a size"):
            classhub.parse_bytes(bad)


def test_the_port_learners_browsers_open_is_never_one_browsers_refuse(monkeypatch):
    # Chromium refused a test hub on 990 (net::ERR_UNSAFE_PORT): the settings refuse it, the tests never pick it
    with pytest.raises(classhub.ClassSetupError, match="browsers refuse to open pages on port 990"):
        classhub.privileged_ports({"CLASSROOM_PORT": "990"}, browsers_open=("CLASSROOM_PORT",))
    assert classhub.privileged_ports({"CLASSROOM_PORT": "800", "CLASSROOM_HUB_PORT": "990"}, ("CLASSROOM_PORT",)) == {
        "CLASSROOM_PORT": 800,
        "CLASSROOM_HUB_PORT": 990,
    }
    assert {80, 443, 800, 8000, 8888}.isdisjoint(classhub.BROWSER_BLOCKED_PORTS)
    assert {22, 601, 636, 989, 990, 993, 995, 6000, 10080} <= classhub.BROWSER_BLOCKED_PORTS
    from tests.hub import hub

    blocked_first = lambda ports, k: sorted(ports, key=lambda p: p not in classhub.BROWSER_BLOCKED_PORTS)[:k]  # noqa: E731
    monkeypatch.setattr(hub.random, "sample", blocked_first)
    assert classhub.BROWSER_BLOCKED_PORTS.isdisjoint(hub.free_root_ports(8))


def _git(cwd, *args):
    subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args], cwd=cwd, check=True, capture_output=True
    )


# nbgitpuller's execute_cmd leaves each git command's output pipe for the garbage collector to close
NBGITPULLER_PIPES = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@pytest.fixture
def course(tmp_path):
    """A teacher's repository with a notebook-like file, pushed to a bare one, and a learner's first pull."""
    from nbgitpuller import GitPuller

    bare, work = tmp_path / "course.git", tmp_path / "teacher"
    _git(tmp_path, "init", "--quiet", "--bare", "-b", "main", str(bare))
    _git(tmp_path, "clone", "--quiet", str(bare), str(work))
    (work / "lesson.txt").write_text("".join(f"line {i}\n" for i in range(30)))
    (work / "other.txt").write_text("other\n")
    _git(work, "add", ".")
    _git(work, "commit", "--quiet", "-m", "lesson")
    _git(work, "push", "--quiet", "origin", "main")
    home = tmp_path / "home"
    home.mkdir()
    copy = home / "copy"

    def pull():
        before = pull_guard.before_pull(copy)
        renamed = []
        for line in GitPuller(bare.as_uri(), str(copy), branch="main").pull():
            found = pull_guard.RENAMED.search(line)
            if found:
                renamed.append(found.groups())
        gc.collect()  # nbgitpuller's unclosed pipes are reported here, where they are expected
        return pull_guard.after_pull(copy, before, renamed)

    assert pull() == []  # the first pull clones: nothing to tell
    return work, copy, pull


@NBGITPULLER_PIPES
def test_a_pull_that_merges_cleanly_says_nothing(course):
    work, copy, pull = course
    text = (copy / "lesson.txt").read_text()
    (copy / "lesson.txt").write_text(text.replace("line 2\n", "my line 2\n"))
    (work / "lesson.txt").write_text((work / "lesson.txt").read_text().replace("line 25\n", "fixed line 25\n"))
    _git(work, "commit", "--quiet", "-am", "fix")
    _git(work, "push", "--quiet", "origin", "main")
    assert pull() == []
    assert "my line 2\n" in (copy / "lesson.txt").read_text() and "fixed line 25" in (copy / "lesson.txt").read_text()


@NBGITPULLER_PIPES
def test_a_pull_names_the_learners_kept_lines_restored_and_renamed_files(course):
    work, copy, pull = course
    (copy / "lesson.txt").write_text((copy / "lesson.txt").read_text().replace("line 2\n", "my line 2\n"))
    os.remove(copy / "other.txt")
    (copy / "notes.txt").write_text("mine\n")
    (work / "lesson.txt").write_text((work / "lesson.txt").read_text().replace("line 2\n", "teacher's line 2\n"))
    (work / "notes.txt").write_text("teacher's notes\n")
    _git(work, "add", ".")
    _git(work, "commit", "--quiet", "-m", "fix")
    _git(work, "push", "--quiet", "origin", "main")
    news = pull()
    assert len(news) == 3, news
    assert news[0].startswith("You had changed lines of lesson.txt that the teacher changed too: your version was")
    assert "my line 2\n" in (copy / "lesson.txt").read_text()  # nbgitpuller kept hers...
    saved = copy.parent / "copy-teacher-versions" / "lesson.txt"
    assert "teacher's line 2\n" in saved.read_text()  # ...and the teacher's is beside the copy
    assert news[1] == "other.txt, which you had deleted, is back: the teacher's copy was restored."
    assert news[2].startswith("Your file notes.txt was renamed notes__") and news[2].endswith("a file with its name.")
    (renamed,) = copy.glob("notes__*.txt")
    assert renamed.read_text() == "mine\n" and (copy / "notes.txt").read_text() == "teacher's notes\n"
    report = pull_guard.write_report(copy, news)
    assert report == copy.parent / "copy-pull-report.md" and all(line in report.read_text() for line in news)
    page = pull_guard.news_page(news + ["<script>"], report, "/user/ada/lab")
    assert "<script>" not in page and "&lt;script&gt;" in page and 'href="/user/ada/lab"' in page


def test_the_class_refuses_accounts_it_did_not_make(tmp_path):
    if os.getuid() != 0:
        pytest.skip("creating system users needs root")
    with pytest.raises(classhub.ClassSetupError, match="'daemon' is an account on this machine"):
        classhub.learner_account("daemon", tmp_path)
    homes = tmp_path / "homes"
    homes.mkdir()
    try:
        account = classhub.learner_account(PARTS_NAME, homes)
        home = Path(account.pw_dir)
        assert home == homes / PARTS_NAME and account.pw_uid >= 1000 and account.pw_shell == classhub.NO_SHELL
        assert (home.stat().st_uid, stat.S_IMODE(home.stat().st_mode)) == (account.pw_uid, 0o700)
        moved = tmp_path / "moved"
        moved.mkdir()
        assert classhub.learner_account(PARTS_NAME, moved).pw_dir == str(moved / PARTS_NAME)
    finally:
        classhub.remove_learner_account(PARTS_NAME)


def test_every_process_of_a_learner_is_stopped_and_only_a_learners(tmp_path):
    """What a server's stop and the end-of-class command do: every process the learner's user owns goes, one
    detached with setsid and nohup included; an account the class did not make is refused."""
    if os.getuid() != 0:
        pytest.skip("creating system users needs root")
    with pytest.raises(PermissionError, match="not a class learner's account"):
        classhub.stop_everything_of("root")
    assert classhub.stop_everything_of("zz-no-such-user") == 0
    homes = tmp_path / "homes"
    homes.mkdir(mode=0o711)
    tmp_path.chmod(0o711)
    try:
        account = classhub.learner_account(STOP_NAME, homes)
        for _ in range(3):  # detached: a new session, no terminal, its parent gone
            subprocess.run(
                ["setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--clear-groups"]
                + ["setsid", "--fork", "nohup", "sleep", "600"],
                cwd=homes / STOP_NAME,
                check=True,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,  # a pipe would be held open by the detached process
                stderr=subprocess.DEVNULL,
            )
        import psutil

        def mine():
            return [
                p for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real == account.pw_uid
            ]

        deadline = time.time() + 10
        while len(mine()) < 3 and time.time() < deadline:
            time.sleep(0.1)
        assert len(mine()) == 3
        assert classhub.stop_everything_of(STOP_NAME) == 3
        assert mine() == []
        runtime = classhub.runtime_folder(tmp_path / "run", account)
        assert (runtime.stat().st_uid, stat.S_IMODE(runtime.stat().st_mode)) == (account.pw_uid, 0o700)
        assert stat.S_IMODE((tmp_path / "run").stat().st_mode) == 0o711
    finally:
        classhub.remove_learner_account(STOP_NAME)


def test_end_class_stops_the_hub_the_proxy_and_the_learners(tmp_path):
    if os.getuid() != 0:
        pytest.skip("stopping other users' processes needs root")
    import sys

    state = tmp_path / "state"
    state.mkdir()
    hub = subprocess.Popen(["sleep", "600"])
    proxy = subprocess.Popen(["sleep", "600"], start_new_session=True)
    (state / "jupyterhub.pid").write_text(str(hub.pid))
    (state / "jupyterhub-proxy.pid").write_text(str(proxy.pid))
    done = subprocess.run(
        [sys.executable, str(ROOT / "classroom" / "end_class.py"), str(state)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert hub.wait(10) is not None and proxy.wait(10) is not None
    assert done.stdout.startswith("end_class: hub stopped, proxy stopped, ")
    again = subprocess.run(
        [sys.executable, str(ROOT / "classroom" / "end_class.py"), str(state)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert "hub not running, proxy not running" in again.stdout
    missing = subprocess.run(
        [sys.executable, str(ROOT / "classroom" / "end_class.py"), str(tmp_path / "none")],
        check=False,
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and "no class state folder" in missing.stderr


def test_the_exchanges_course_folder_is_the_teachers_and_one_a_learner_made_first_is_set_aside(tmp_path):
    """A learner who makes exchange/<course> before the teacher would own it and block every release: the hub makes
    it (and its three folders, in nbgrader's modes) the teacher's, and sets aside one someone else made."""
    if os.getuid() != 0:
        pytest.skip("giving folders to other users needs root")
    import pwd

    teacher, learner = pwd.getpwnam("daemon"), pwd.getpwnam("nobody")  # any two accounts stand for them here
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    (exchange / "course").mkdir()
    os.chown(exchange / "course", learner.pw_uid, learner.pw_gid)
    moved = classhub.exchange_course(exchange, "course", teacher)
    assert moved is not None and moved.parent == exchange and moved.stat().st_uid == learner.pw_uid
    assert stat.S_IMODE(exchange.stat().st_mode) == 0o1777
    for part, mode in classhub.EXCHANGE_MODES.items():
        info = (exchange / "course" / part).stat()
        assert (info.st_uid, stat.S_IMODE(info.st_mode) | (info.st_mode & stat.S_ISGID)) == (teacher.pw_uid, mode)
    assert classhub.exchange_course(exchange, "course", teacher) is None  # the teacher's own stays as it is


COLLECT_CHECK = """
import json, os, sys
sys.path.insert(0, sys.argv[1])
from owners_only import why_not_theirs
root = sys.argv[2]
print(json.dumps({name: why_not_theirs(os.path.join(root, name), "nobody") for name in sorted(os.listdir(root))}))
"""


def test_collect_refuses_a_submission_that_holds_a_link_or_anothers_file(tmp_path):
    """classroom/course/owners_only.py's check, with nbgrader from the class environment: a submission must be
    all the named learner's own files and folders, with no link."""
    python = ROOT / ".venv-class" / "bin" / "python"
    if os.getuid() != 0 or not python.exists():
        pytest.skip("needs root (files of another user) and the class environment (`make hub-setup`)")
    import json
    import pwd

    nobody = pwd.getpwnam("nobody")
    for name in ("own", "link", "planted"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.ipynb").write_text("{}")
    (tmp_path / "link" / "b.ipynb").symlink_to("/etc/hostname")
    for here, _dirs, files in os.walk(tmp_path):
        for entry in [here, *(os.path.join(here, f) for f in files)]:
            if not entry.endswith("planted/a.ipynb") and Path(entry) != tmp_path:
                os.chown(entry, nobody.pw_uid, nobody.pw_gid, follow_symlinks=False)
    run = subprocess.run(
        [str(python), "-c", COLLECT_CHECK, str(ROOT / "classroom" / "course"), str(tmp_path)],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    assert json.loads(run.stdout) == {
        "link": "b.ipynb is a link",
        "own": None,
        "planted": "planted/a.ipynb belongs to root",
    }


def test_a_home_moves_onto_a_disk_of_its_own_with_the_files_it_had(tmp_path):
    """A class started before homes had disks: at the next start her files move into her disk, which then holds
    at most its size."""
    if os.getuid() != 0:
        pytest.skip("mounting a disk needs root")
    import pwd

    nobody = pwd.getpwnam("nobody")
    home = tmp_path / "homes" / "nobody"
    (home / "self-attention").mkdir(parents=True)
    (home / "self-attention" / "notes.md").write_text("my notes\n")
    os.chown(home / "self-attention" / "notes.md", nobody.pw_uid, nobody.pw_gid)
    image = tmp_path / "disks" / "nobody.ext4"
    try:
        done = classhub.home_on_a_disk_of_its_own(home, image, nobody, 32 * 2**20)
        assert done == "made and mounted, her files moved in" and os.path.ismount(home)
        assert (home / "self-attention" / "notes.md").read_text() == "my notes\n"
        assert (home / "self-attention" / "notes.md").stat().st_uid == nobody.pw_uid
        assert sorted(p.name for p in home.iterdir()) == ["self-attention"]  # no lost+found
        assert stat.S_IMODE(image.stat().st_mode) == 0o600 and image.stat().st_size == 32 * 2**20
        assert classhub.home_on_a_disk_of_its_own(home, image, nobody, 32 * 2**20) == "already mounted"
        with pytest.raises(OSError) as full:
            (home / "big").write_bytes(b"x" * 40 * 2**20)
        assert full.value.errno == 28
    finally:
        subprocess.run(["umount", str(home)], check=False)
    assert not os.path.ismount(home) and list(home.iterdir()) == []  # the files live on her disk only
