"""The class hub's own parts: the roster, the learners' system users, first-login codes, the authenticator and
the spawner that classroom/jupyterhub_config.py configures. JupyterHub stays the engine; these are thin layers
over its standard FirstUseAuthenticator and LocalProcessSpawner.

Everything here runs in the hub, as root: it creates one system user per learner and starts each learner's
server as that user.
"""

from __future__ import annotations

import dbm
import grp
import hashlib
import html
import os
import pwd
import re
import resource
import secrets
import shutil
import stat
import subprocess
import time
import unicodedata
from pathlib import Path

import bcrypt
from firstuseauthenticator import FirstUseAuthenticator
from jupyterhub.handlers import BaseHandler
from jupyterhub.spawner import LocalProcessSpawner
from tornado import web
from traitlets import Integer, Unicode

# a learner's name is a system user's name: lowercase letters, digits and '-', starting with a letter
NAME = re.compile(r"[a-z][a-z0-9-]{0,30}")
MARK = "self-attention class learner"  # the comment (GECOS field) on every account the class creates
GRADER = "classroom-grader"  # the account that autogrades submissions (classroom/autograde.py): never a roster name
CODE_LETTERS = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: a code read off a slip of paper
MIN_PASSWORD = 8
MAX_PASSWORD_BYTES = 72  # bcrypt uses at most 72 bytes of a password; a longer one is refused, not cut


class ClassSetupError(Exception):
    """Something the teacher must fix before the hub can start; the message says what."""


def read_roster(path: Path) -> tuple[list[str], list[str]]:
    """(learners, teachers) from a roster file: one name per line, `name teacher` for a teacher, # comments."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ClassSetupError(f"cannot read the roster {path}: {exc.strerror}") from None
    learners, teachers, seen = [], [], set()
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        name = parts[0]
        if not NAME.fullmatch(name) or len(parts) > 2 or (len(parts) == 2 and parts[1] != "teacher"):
            raise ClassSetupError(
                f"roster {path}, line {number}: {raw.strip()!r} is not `name` or `name teacher`; a name is 1 to 31 "
                "lowercase letters, digits or '-', starting with a letter (it becomes a system user)"
            )
        if name in seen:
            raise ClassSetupError(f"roster {path}, line {number}: {name!r} is listed twice")
        if name == GRADER:
            raise ClassSetupError(f"roster {path}, line {number}: {GRADER!r} is the class's grading account")
        seen.add(name)
        (teachers if len(parts) == 2 else learners).append(name)
    if not seen:
        raise ClassSetupError(f"the roster {path} lists nobody: write one learner's name per line")
    return learners, teachers


def unprivileged_port_start() -> int:
    """The first TCP port any user may bind on this machine (Linux's net.ipv4.ip_unprivileged_port_start)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_unprivileged_port_start").read_text())
    except (OSError, ValueError):
        return 1024


# The Fetch standard's "bad ports" (https://fetch.spec.whatwg.org/#port-blocking): every browser refuses to load a
# page from one of them (Chromium says net::ERR_UNSAFE_PORT), so learners could never open a hub listening there.
BROWSER_BLOCKED_PORTS = frozenset(
    (1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110)
    + (111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531)
    + (532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190)
    + (5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080)
)


def privileged_ports(settings: dict[str, str], browsers_open: tuple[str, ...] = ()) -> dict[str, int]:
    """Each setting's port, checked to be one only root can bind here (else a learner's process could take it).

    The settings in `browsers_open` are ports learners' browsers load pages from: a browser-blocked one is refused.
    """
    first = unprivileged_port_start()
    ports = {}
    for name, text in settings.items():
        if not text.strip().isdigit() or not 0 < int(text) < 65536:
            raise ClassSetupError(f"{name}={text!r} is not a port number")
        port = int(text)
        if port >= first:
            raise ClassSetupError(
                f"{name}={port}: any user on this machine may bind ports from {first} up, so a learner's process could "
                f"take it while the hub restarts; choose a port below {first}"
            )
        if name in browsers_open and port in BROWSER_BLOCKED_PORTS:
            raise ClassSetupError(
                f"{name}={port}: browsers refuse to open pages on port {port} (one of the ports the web's Fetch "
                f"standard blocks), so no learner could reach the hub; choose another port below {first}, such as 800"
            )
        ports[name] = port
    if len(set(ports.values())) < len(ports):
        raise ClassSetupError(f"two of {', '.join(ports)} are the same port")
    return ports


def private_folder(path: Path, mode: int = 0o700) -> Path:
    """Make `path` (and its parents) a folder owned by the hub's user with exactly `mode`."""
    path.mkdir(parents=True, exist_ok=True, mode=mode)
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode) or info.st_uid != os.getuid():
        raise ClassSetupError(f"{path} must be a folder owned by the hub's user, not a link or another's folder")
    path.chmod(mode)
    return path


def write_secret(path: Path, text: str) -> None:
    """Write `text` to a new file that is 0600 from the moment it exists (never readable by anyone else)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


def tighten_state(state: Path) -> None:
    """Every file the hub keeps in its state folder readable by the hub's user only (an older hub left 0644)."""
    for child in state.iterdir():
        if child.is_file() and not child.is_symlink() and child.name != "learners.gitconfig":
            child.chmod(0o600)


NO_SHELL = "/usr/sbin/nologin" if os.path.exists("/usr/sbin/nologin") else "/bin/false"


def learner_account(name: str, homes: Path) -> pwd.struct_passwd:
    """The learner's system user, created if missing, with a 0700 home at homes/name, no password and no login
    shell (nobody can log in to the machine as it; JupyterLab's terminal runs bash all the same); never an account
    the class did not create (root, daemon, a teacher's own login...)."""
    home = homes / name
    try:
        account = pwd.getpwnam(name)
    except KeyError:
        run = subprocess.run(
            ["useradd", "--no-create-home", "--home-dir", str(home), "--shell", NO_SHELL, "--comment", MARK]
            + ["--user-group", name],
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode != 0:
            raise ClassSetupError(f"could not create the system user {name!r}: {run.stderr.strip()}") from None
        account = pwd.getpwnam(name)
    if account.pw_gecos != MARK or account.pw_uid == 0 or account.pw_uid < 1000:
        raise ClassSetupError(
            f"the roster's name {name!r} is an account on this machine that the class did not create "
            f"(uid {account.pw_uid}); give the learner another name"
        )
    if account.pw_dir != str(home) or account.pw_shell != NO_SHELL:  # the class's folder moved, or an older class
        subprocess.run(["usermod", "--home", str(home), "--shell", NO_SHELL, name], check=True, capture_output=True)
        account = pwd.getpwnam(name)
    home.mkdir(mode=0o700, exist_ok=True)
    os.chown(home, account.pw_uid, account.pw_gid)
    home.chmod(0o700)
    return account


MOUNT = "loop,nosuid,nodev,discard"  # a home's disk: no set-uid programs or devices; deleted blocks given back


def home_on_a_disk_of_its_own(home: Path, image: Path, account: pwd.struct_passwd, size: int) -> str:
    """Mount the learner's home from a file system of its own: an ext4 image file of `size` bytes (sparse: it takes
    on the hub's disk only what she writes), mounted nosuid and nodev. She can fill her home, not the disk that
    holds the hub's state; what she deletes goes back to the hub's disk (discard). Files already in her home move into
    it. -> what was done"""
    if os.path.ismount(home):
        return "already mounted"
    made = "mounted"
    if not image.exists():
        private_folder(image.parent, 0o700)
        fd = os.open(image, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.ftruncate(fd, size)
        os.close(fd)
        owner = f"root_owner={account.pw_uid}:{account.pw_gid}"
        _run_or_stop(["mkfs.ext4", "-q", "-F", "-m", "0", "-E", owner, str(image)], f"make {account.pw_name}'s disk")
        made = "made and mounted"
    if any(home.iterdir()):  # a home from before the class had disks: her files move into her disk
        staging = image.with_suffix(".moving")
        staging.mkdir(mode=0o700, exist_ok=True)
        _run_or_stop(["mount", "-o", MOUNT, str(image), str(staging)], f"mount {account.pw_name}'s disk")
        try:
            _run_or_stop(["cp", "-a", f"{home}/.", str(staging)], f"move {account.pw_name}'s files to her disk")
        finally:
            subprocess.run(["umount", str(staging)], check=False, capture_output=True)
            staging.rmdir()
        for child in home.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        made += ", her files moved in"
    _run_or_stop(["mount", "-o", MOUNT, str(image), str(home)], f"mount {account.pw_name}'s disk")
    try:
        (home / "lost+found").rmdir()  # mkfs's folder for fsck (which makes it again if it needs it): not hers
    except OSError:
        pass
    os.chown(home, account.pw_uid, account.pw_gid)
    home.chmod(0o700)
    return made


def _run_or_stop(command: list[str], what: str) -> None:
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise ClassSetupError(
            f"could not {what} ({' '.join(command[:1])}: {run.stderr.strip() or run.returncode}); without disks of "
            "their own, start the hub with CLASSROOM_DISK_LIMIT=0"
        )


def runtime_parent(state: Path) -> Path:
    """Where a class keeps its learners' runtime folders: /run/classroom-<8 hex digits of its state folder's path>,
    short enough for Unix sockets, one per class on the machine."""
    return Path("/run") / f"classroom-{hashlib.sha256(str(state).encode()).hexdigest()[:8]}"


def runtime_folder(parent: Path, account: pwd.struct_passwd) -> Path:
    """The learner's own 0700 folder for her server's and kernels' runtime files (connection files and the kernels'
    sockets), under a short root-owned parent: a Unix socket's path must stay under 108 bytes."""
    parent.mkdir(mode=0o711, exist_ok=True)
    parent.chmod(0o711)
    folder = parent / account.pw_name
    folder.mkdir(mode=0o700, exist_ok=True)
    os.chown(folder, account.pw_uid, account.pw_gid)
    folder.chmod(0o700)
    return folder


EXCHANGE_MODES = {".": 0o755, "outbound": 0o755, "inbound": 0o2733, "feedback": 0o711}  # nbgrader's own modes


def exchange_course(exchange: Path, course_id: str, teacher: pwd.struct_passwd | None) -> Path | None:
    """nbgrader's exchange and the course's folders in it, made by the hub before any learner can: the exchange
    1777 (nbgrader wants it open to all; the sticky bit keeps each folder its maker's), the course's folder with
    its outbound, inbound and feedback folders the teacher's (root's while the roster has no teacher), in
    nbgrader's modes. A course folder someone else made is set aside. -> where it was set aside, or None"""
    exchange.mkdir(exist_ok=True)
    exchange.chmod(0o1777)
    course = exchange / course_id
    uid, gid = (teacher.pw_uid, teacher.pw_gid) if teacher else (0, 0)
    moved = None
    try:
        info = course.lstat()
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode) or info.st_uid not in (0, uid):
            moved = exchange / f"{course_id}.set-aside-{int(time.time())}"
            os.rename(course, moved)
    except FileNotFoundError:
        pass
    for part, mode in EXCHANGE_MODES.items():
        folder = course / part
        folder.mkdir(exist_ok=True)
        if folder.is_symlink() or not folder.is_dir():
            raise ClassSetupError(f"{folder} is not a folder: remove it and start the hub again")
        os.chown(folder, uid, gid, follow_symlinks=False)
        folder.chmod(mode)
    return moved


TEACHERS_GROUP = "classroom-teachers"


def teachers_only(paths: list[Path], teachers: list[str]) -> int:
    """Make `paths` (the solutions and the graded course's source in the hub's copy of the series, and its git
    history) readable by root and the class's teachers only: group TEACHERS_GROUP, whose members are exactly
    `teachers`, nothing for other users. -> files and folders changed"""
    if subprocess.run(["getent", "group", TEACHERS_GROUP], capture_output=True, check=False).returncode != 0:
        run = subprocess.run(["groupadd", TEACHERS_GROUP], capture_output=True, text=True, check=False)
        if run.returncode != 0:
            raise ClassSetupError(f"could not create the group {TEACHERS_GROUP}: {run.stderr.strip()}")
    subprocess.run(["gpasswd", "-M", ",".join(teachers), TEACHERS_GROUP], capture_output=True, check=True)
    gid = grp.getgrnam(TEACHERS_GROUP).gr_gid
    changed = 0
    for top in paths:
        if not top.exists():
            continue
        for here, dirs, files in os.walk(top):
            for entry in [here, *(os.path.join(here, x) for x in dirs + files)]:
                info = os.lstat(entry)
                if stat.S_ISLNK(info.st_mode):
                    continue
                mode = stat.S_IMODE(info.st_mode) & 0o750  # the owner's bits, the group's read and search, no write
                if info.st_gid != gid or stat.S_IMODE(info.st_mode) != mode:
                    os.chown(entry, info.st_uid, gid)
                    os.chmod(entry, mode)
                    changed += 1
    return changed


def stop_everything_of(name: str) -> int:
    """Kill every process of a class account (SIGKILL: a learner's process cannot refuse it), and wait for them.
    -> how many there were"""
    import psutil

    try:
        account = pwd.getpwnam(name)
    except KeyError:
        return 0
    if account.pw_gecos != MARK or account.pw_uid < 1000:
        raise PermissionError(f"{name!r} is not a class learner's account: its processes are not the class's")
    found = []
    for proc in psutil.process_iter(["uids"]):
        uids = proc.info["uids"]
        if uids is not None and account.pw_uid in (uids.real, uids.effective, uids.saved):
            found.append(proc)
    for proc in found:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(found, timeout=10)
    return len(found)


def remove_learner_account(name: str) -> None:
    """Delete a system user the class created (the tests' clean-up); its home stays."""
    try:
        account = pwd.getpwnam(name)
    except KeyError:
        return
    if account.pw_gecos == MARK:
        subprocess.run(["userdel", name], check=False, capture_output=True)
        try:
            grp.getgrnam(name)
            subprocess.run(["groupdel", name], check=False, capture_output=True)
        except KeyError:
            pass


def normal_password(password: str) -> bytes:
    """The bytes bcrypt hashes: the same password typed on any keyboard (NFC) gives the same bytes."""
    return unicodedata.normalize("NFC", password).encode("utf-8")


def password_problem(password: str) -> str | None:
    """Why a learner's new password is refused, or None."""
    if len(password) < MIN_PASSWORD:
        return f"Choose a password of at least {MIN_PASSWORD} characters."
    if len(normal_password(password)) > MAX_PASSWORD_BYTES:
        return (
            f"Choose a shorter password: at most {MAX_PASSWORD_BYTES} bytes (about {MAX_PASSWORD_BYTES // 2} letters)."
        )
    return None


def new_code() -> str:
    """A first-login code: 12 letters and digits in three groups, easy to copy from a slip of paper."""
    letters = "".join(secrets.choice(CODE_LETTERS) for _ in range(12))
    return "-".join(letters[i : i + 4] for i in range(0, 12, 4))


def issue_first_login_codes(names: list[str], dbm_path: Path, codes_path: Path) -> list[str]:
    """Give each name without a password a first-login code: its hash into the password store, the code itself
    appended to the teacher's 0600 codes file. Returns the names that got one."""
    fresh = {}
    with dbm.open(str(dbm_path), "c", 0o600) as db:
        for name in names:
            if db.get(name.encode("utf-8")) is None:
                code = new_code()
                db[name.encode("utf-8")] = bcrypt.hashpw(normal_password(code), bcrypt.gensalt())
                fresh[name] = code
    if fresh:
        if not codes_path.exists():
            write_secret(codes_path, "# first-login codes: hand each learner theirs; they change it at first login\n")
        with codes_path.open("a", encoding="utf-8") as out:
            out.writelines(f"{name} {code}\n" for name, code in fresh.items())
    return list(fresh)


FREE_TRIES = 5  # wrong passwords in a row for a name before it is locked
FIRST_LOCK = 30  # seconds of the first lock; each further wrong password doubles it
LONGEST_LOCK = 15 * 60


def lock_seconds(wrong: int) -> int:
    """How long a name is locked after `wrong` wrong passwords in a row: 0 for the first FREE_TRIES - 1, then 30 s,
    doubling with each further one, at most 15 minutes."""
    return 0 if wrong < FREE_TRIES else min(FIRST_LOCK * 2 ** (wrong - FREE_TRIES), LONGEST_LOCK)


class ClassAuthenticator(FirstUseAuthenticator):
    """Roster names only, each with a password of their own: the teacher's first-login code, then the learner's.

    FirstUseAuthenticator's store (bcrypt hashes in a 0600 dbm file) and its change-password page, without its
    "first use": a name with no password cannot log in at all (the hub gives it a code at its next start), so
    nobody can claim another learner's account by logging in first. The password check runs in a thread, one at
    a time, so the hub goes on serving while it works; after FREE_TRIES wrong passwords in a row a name is locked
    for a while that doubles with each further one (lock_seconds), and a teacher unlocks it at /hub/auth/unlock.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.wrong: dict[str, tuple[int, float]] = {}  # name -> (wrong passwords in a row, when its lock ends)
        self._checking = None

    def locked_for(self, name: str) -> float:
        """Seconds until `name` may try again (0: not locked)."""
        return max(0.0, self.wrong.get(name, (0, 0.0))[1] - time.monotonic())

    def unlock(self, name: str) -> bool:
        """Forget the wrong passwords of `name`. -> it had any"""
        return self.wrong.pop(name, None) is not None

    async def authenticate(self, handler, data):
        import asyncio

        name = self.normalize_username(data.get("username", ""))
        password = data.get("password", "")
        if not NAME.fullmatch(name) or not isinstance(password, str) or not password:
            return None
        secret = normal_password(password)
        if len(secret) > MAX_PASSWORD_BYTES:
            return None
        with dbm.open(self.dbm_path, "c", 0o600) as db:
            stored = db.get(name.encode("utf-8"))
        loop = asyncio.get_running_loop()
        if self._checking is None or self._checking[0] is not loop:
            self._checking = (loop, asyncio.Semaphore(1))  # one bcrypt at a time: a core stays free for the hub
        async with self._checking[1]:
            left = self.locked_for(name)  # asked in turn: a try that waited behind the one that locked the name
            if left:
                if handler is not None:
                    handler.custom_login_error = (
                        f"Too many wrong passwords for {name}: try again in {int(left) + 1} seconds, or ask your "
                        "teacher to unlock your name."
                    )
                return None
            if stored is None:
                return None
            right = await asyncio.to_thread(bcrypt.checkpw, secret, stored)
        if right:
            self.wrong.pop(name, None)
            return name
        wrong = self.wrong.get(name, (0, 0.0))[0] + 1
        self.wrong[name] = (wrong, time.monotonic() + lock_seconds(wrong))
        self.log.warning("wrong password for %s (%d in a row)", name, wrong)
        return None

    def get_handlers(self, app):
        return [*super().get_handlers(app), (r"/auth/unlock", UnlockHandler)]

    def _validate_password(self, password):
        return password_problem(password) is None

    def reset_password(self, username, new_password):
        problem = password_problem(new_password)
        if problem:
            return problem
        with dbm.open(self.dbm_path, "c", 0o600) as db:
            db[username.encode("utf-8")] = bcrypt.hashpw(normal_password(new_password), bcrypt.gensalt())
        return "Your password has been changed successfully! Log in with it from now on."


class UnlockHandler(BaseHandler):
    """/hub/auth/unlock, for teachers (the hub's admins): the names locked by wrong passwords, each with a button
    that unlocks it (a POST with `name`, also as the REST API with a token allowed to administer users)."""

    _accept_token_auth = True  # a teacher's browser (cookie and form) or a script with a token

    def _teacher_only(self):
        if self.current_user is None or not self.has_scope("admin:users"):
            raise web.HTTPError(403, "Only a teacher can unlock a learner's name.")

    @web.authenticated
    async def get(self):
        self._teacher_only()
        rows = []
        for name, (wrong, _until) in sorted(self.authenticator.wrong.items()):
            left = self.authenticator.locked_for(name)
            state = f"locked for {int(left) + 1} more seconds" if left else "not locked"
            rows.append(
                f"<li>{html.escape(name)}: {wrong} wrong passwords in a row, {state} <form method='post' "
                f"style='display:inline'>{self.xsrf_form_html()}<input type='hidden' name='name' "
                f"value='{html.escape(name)}'><button type='submit'>Unlock</button></form></li>"
            )
        body = "<ul>" + "".join(rows) + "</ul>" if rows else "<p>No name has wrong passwords.</p>"
        self.finish(f"<!doctype html><html lang='en'><title>Unlock</title><h1>Names with wrong passwords</h1>{body}")

    @web.authenticated
    async def post(self):
        self._teacher_only()
        name = self.get_body_argument("name", "")
        found = self.authenticator.unlock(name)
        self.log.info("%s unlocked %s", self.current_user.name, name)
        if self.request.headers.get("Authorization"):
            self.set_status(200 if found else 404)
            self.finish({"unlocked": name if found else None})
        else:
            self.redirect(self.request.path)


def parse_bytes(text: str, setting: str = "CLASSROOM_MEM_LIMIT") -> int:
    """'2G', '1536M', '2000000000' -> bytes."""
    match = re.fullmatch(r"\s*(\d+)\s*([KMGT]?)B?\s*", text.upper())
    if not match:
        raise ClassSetupError(f"{setting}={text!r} is not a size such as 2G or 1536M")
    return int(match[1]) * 1024 ** "_KMGT".index(match[2] or "_")


def memory_cgroup_parent() -> Path | None:
    """The memory cgroup folder the hub may make learners' cgroups in (cgroup v1 or v2), or None."""
    try:
        mounts = Path("/proc/self/mountinfo").read_text().splitlines()
        own = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in mounts:
        left, _, right = line.partition(" - ")
        fields, kind = left.split(), right.split()
        if len(fields) < 5 or not kind:
            continue
        root, mount = fields[3], fields[4]
        if kind[0] == "cgroup" and "memory" in kind[-1].split(","):
            path = next((x.split(":", 2)[2] for x in own if "memory" in x.split(":", 2)[1].split(",")), None)
            limit_file = "memory.limit_in_bytes"
        elif kind[0] == "cgroup2":
            path = next((x.split(":", 2)[2] for x in own if x.startswith("0::")), None)
            limit_file = "memory.max"
        else:
            continue
        if path is None:
            continue
        relative = os.path.relpath(path, root) if path.startswith(root) else path.lstrip("/")
        parent = Path(mount) / relative
        if kind[0] == "cgroup2":  # v2: a child can only be limited if the parent hands memory down
            try:
                if "memory" not in (parent / "cgroup.subtree_control").read_text().split():
                    (parent / "cgroup.subtree_control").write_text("+memory")
            except OSError:
                continue
        probe = parent / f"classroom-probe-{os.getpid()}"
        try:
            probe.mkdir()
            (probe / limit_file).write_text(str(64 * 1024**2))
            return parent
        except OSError:
            continue
        finally:
            try:
                probe.rmdir()
            except OSError:
                pass
    return None


def learner_cgroup(parent: Path, name: str, limit: int) -> Path:
    """The learner's memory cgroup under `parent`, limited to `limit` bytes for all their processes together."""
    group = parent / f"classroom-{name}"
    group.mkdir(exist_ok=True)
    for limit_file in ("memory.limit_in_bytes", "memory.max"):
        if (group / limit_file).exists():
            (group / limit_file).write_text(str(limit))
    return group


class LearnerSpawner(LocalProcessSpawner):
    """JupyterHub's LocalProcessSpawner (the server as the learner's own system user), refusing any account the
    class did not create and with the learner's memory limit enforced: each process's address space (RLIMIT_AS,
    as `prlimit --as` sets it) and, where the machine has a memory cgroup the hub can use, all of the learner's
    processes together."""

    as_limit = Integer(0, config=True, help="RLIMIT_AS for every process of the learner's server, in bytes")
    nproc_limit = Integer(0, config=True, help="RLIMIT_NPROC: the learner's processes and threads at once, 0 for none")
    cgroup_parent = Unicode("", config=True, help="memory cgroup folder for per-learner cgroups ('' for none)")

    def make_preexec_fn(self, name):
        account = pwd.getpwnam(name)
        if account.pw_uid == 0 or account.pw_gecos != MARK:
            raise PermissionError(f"{name!r} is not a class learner's account: the hub will not start its server")
        become_learner = super().make_preexec_fn(name)
        limit, nproc = self.as_limit, self.nproc_limit
        procs = None
        if self.cgroup_parent:
            procs = learner_cgroup(Path(self.cgroup_parent), name, self.mem_limit or limit) / "cgroup.procs"
        procs_path = str(procs) if procs else None

        def preexec():
            if procs_path:
                with open(procs_path, "w") as out:
                    out.write(str(os.getpid()))
            if limit:
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            if nproc:  # counted per user: every process and thread of the learner, whatever started it
                resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
            become_learner()

        return preexec

    async def stop(self, now=False):
        """Stop the server, then every process left of the learner (a kernel's children, something started with
        setsid or nohup): nothing of a learner outlives her server."""
        await super().stop(now=now)
        stop_everything_of(self.user.name)
