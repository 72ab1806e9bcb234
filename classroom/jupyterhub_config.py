"""A JupyterHub for one class on one machine: the configuration `make test` and `make classroom` run.

Start it as root from the repository's folder (after `make hub-setup`, which installs JupyterHub, the idle culler,
nbgitpuller, the proxy and the class environment at pinned versions):

    sudo CLASSROOM_ROSTER=roster.txt .venv/bin/jupyterhub -f classroom/jupyterhub_config.py

then hand each learner the first-login code the hub wrote to <state>/first-login-codes.txt, and the nbgitpuller
link the teachers' guide (docs/teachers.md) builds. Everything listens on 127.0.0.1; to open it to a class, put a
TLS reverse proxy (nginx, Caddy) in front of CLASSROOM_PORT (http://127.0.0.1:800 by default).

Settings come from environment variables so the tests can run a hub in temporary folders:
  CLASSROOM_ROSTER        the roster: one learner's name per line, `name teacher` for a teacher (required)
  CLASSROOM_STATE         where the hub keeps its database, secrets and the learners' homes (./classroom-state)
  CLASSROOM_ENV           the Python environment learners' servers run in (.venv-class, made by `make hub-setup`)
  CLASSROOM_COURSE_REPOS  the repositories links may pull from, separated by spaces (default: any)
  CLASSROOM_PORT          the port learners' browsers use (default 800); the hub's own API listens on
                          CLASSROOM_HUB_PORT (default 801). Both must be below the first port an ordinary user may
                          bind (1024 unless net.ipv4.ip_unprivileged_port_start says otherwise): checked at start.
                          CLASSROOM_PORT may not be one browsers refuse to open (990, 995, ...): checked too.
                          The proxy's API is a Unix socket in a folder only root can enter.
  CLASSROOM_IDLE_TIMEOUT  seconds without activity before the idle culler stops a learner's server (3600)
  CLASSROOM_MEM_LIMIT     memory per learner (2G): each process's address space, and all of the learner's processes
                          together where the machine has a memory cgroup the hub can use
  CLASSROOM_MAX_SERVERS   learners' servers running at once (default: the machine's memory / CLASSROOM_MEM_LIMIT)
  CLASSROOM_NPROC_LIMIT   processes and threads per learner at once (256): a fork bomb stops there
  CLASSROOM_DISK_LIMIT    each home's size (1G): a file system of its own, an ext4 image in <state>/disks mounted
                          at the home (0: homes on the hub's own disk, with no limit)
  CLASSROOM_REPO_DIR      the folder nbgitpuller pulls the series into, in each learner's home (self-attention)
  CLASSROOM_EXCHANGE      nbgrader's exchange, where assignments are released and submitted (<state>/exchange)

What keeps learners apart (the teachers' guide, docs/teachers.md, says more):
- Identity: only the roster's names can log in, each with a password of its own. The hub gives every name
  without one a first-login code (appended to <state>/first-login-codes.txt, readable by root only); the learner
  logs in with it and chooses a password at /hub/auth/change-password. There is no shared class password.
- The operating system: each learner is a system user the hub creates (no login shell, comment "self-attention
  class learner") with a 0700 home in <state>/homes; their server and kernels run as that user, never as root.
  The hub's state and secrets are root's, 0600, inside a folder learners can only pass through (0711).
  The course's files and the class environment are root's and not writable by learners.
- Pulls: a link pulls only into a folder inside the learner's home, only from CLASSROOM_COURSE_REPOS when set,
  and tells the learner what the merge kept, restored or renamed (classroom/pull_guard.py). The class pulls the
  handout (scripts/handout.py --branch), without solutions; in the hub's own copy of the series, the solutions,
  the graded course's source and the git history are readable by root and the roster's teachers only.
- Kernels: over Unix sockets in the learner's own 0700 runtime folder (/run/classroom-<id>/<name>), never TCP.
- Limits: memory as above, CLASSROOM_NPROC_LIMIT processes and threads per learner, CLASSROOM_MAX_SERVERS servers
  at once, one BLAS thread per learner. Every process of a learner goes when her server stops.
"""

import os
import secrets
import shutil
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import classhub

c = get_config()

os.umask(0o077)  # everything the hub writes (database, secrets, pid files) is private from the moment it exists
REPO = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("CLASSROOM_STATE", "classroom-state")).resolve()
REPO_DIR = os.environ.get("CLASSROOM_REPO_DIR", "self-attention")
ENV = Path(os.environ.get("CLASSROOM_ENV", str(REPO / ".venv-class"))).absolute()


def _stop(message: str):
    raise SystemExit(f"classroom: {message}")


def _reachable_by_learners(path: Path, needs: int = 0o005) -> str | None:
    """Why a learner's process could not use `path` (a folder on the way it cannot pass; the file not readable, or
    for a program not runnable, by other users), or None."""
    for folder in [*reversed(path.parents)]:
        if not folder.stat().st_mode & 0o001:
            return f"{folder} is closed to other users (chmod o+x it, or move the course)"
    if path.stat().st_mode & needs != needs:
        return f"{path} is not {'readable' if needs == 0o004 else 'readable and runnable'} by other users"
    return None


def _writable_by_learners(path: Path) -> Path | None:
    """A file or folder under `path` (or a folder above it) that someone other than root could change, or None."""
    for folder in [*reversed(path.parents), path]:
        info = folder.stat()
        if info.st_uid != 0 or (info.st_mode & 0o022 and not info.st_mode & 0o1000):
            return folder
    for here, dirs, files in os.walk(path):
        for name in dirs + files:
            info = os.lstat(os.path.join(here, name))
            if info.st_uid != 0 or (info.st_mode & 0o022 and not os.path.islink(os.path.join(here, name))):
                return Path(here) / name
    return None


if os.getuid() != 0:
    _stop(
        "start the class hub as root (sudo): it runs each learner's server as the learner's own system user, which "
        "only root can do"
    )
python = ENV / "bin" / "python"
if not (ENV / "bin" / "jupyterhub-singleuser").exists():
    _stop(f"no class environment at {ENV}: run `make hub-setup`")
why = _reachable_by_learners(python) or _reachable_by_learners(python.resolve())
if why:
    _stop(f"learners could not run the class environment's Python: {why}")
for part in ("singleuser.py", "pull_guard.py"):  # what each learner's server runs from the course's folder
    why = _reachable_by_learners(REPO / "classroom" / part, needs=0o004)
    if why:
        _stop(f"learners could not start their servers: {why}")
for shared in (REPO / "classroom", ENV):
    open_to_change = _writable_by_learners(shared)
    if open_to_change:
        _stop(f"learners could change {open_to_change}: the course's config and environment must be root's, 0755")

# the ports, before anything is made (see `where it listens` below)
try:
    PORTS = classhub.privileged_ports(
        {
            "CLASSROOM_PORT": os.environ.get("CLASSROOM_PORT", "800"),
            "CLASSROOM_HUB_PORT": os.environ.get("CLASSROOM_HUB_PORT", "801"),
        },
        browsers_open=("CLASSROOM_PORT",),
    )
except classhub.ClassSetupError as exc:
    _stop(str(exc))

try:
    LEARNERS, TEACHERS = classhub.read_roster(Path(os.environ.get("CLASSROOM_ROSTER", "")).absolute())
    MEM = classhub.parse_bytes(os.environ.get("CLASSROOM_MEM_LIMIT", "2G"))
    # the state folder: learners pass through it to their homes (0711), and read nothing in it
    classhub.private_folder(STATE, 0o711)
    classhub.tighten_state(STATE)
    HOMES = classhub.private_folder(STATE / "homes", 0o711)
    # each learner's runtime files (her kernels' sockets among them) in a 0700 folder of hers with a short path
    RUNTIME = classhub.runtime_parent(STATE)
    # each home on a disk of its own (CLASSROOM_DISK_LIMIT, 1G): a learner can fill hers, not the hub's disk
    DISK = classhub.parse_bytes(os.environ.get("CLASSROOM_DISK_LIMIT", "1G"), "CLASSROOM_DISK_LIMIT")
    if DISK:  # the disks are sparse files on the hub's disk: all of them full must still fit
        images = [STATE / "disks" / f"{name}.ext4" for name in LEARNERS + TEACHERS]
        more = sum(DISK - (i.stat().st_blocks * 512 if i.exists() else 0) for i in images)
        free = shutil.disk_usage(STATE).free
        if more > free:
            raise classhub.ClassSetupError(
                f"{len(images)} homes of CLASSROOM_DISK_LIMIT={DISK / 1024**3:.1f} GiB, once full, would need "
                f"{more / 1024**3:.1f} GiB more than they take now, and {free / 1024**3:.1f} GiB are free where the "
                "hub keeps its state: set a smaller limit"
            )
    for name in LEARNERS + TEACHERS:
        account = classhub.learner_account(name, HOMES)
        classhub.runtime_folder(RUNTIME, account)
        if DISK:
            classhub.home_on_a_disk_of_its_own(HOMES / name, STATE / "disks" / f"{name}.ext4", account, DISK)
    # nbgrader's exchange, where teachers release assignments and learners submit them: the course's folders the
    # (first) teacher's before any learner can make them (classroom/course/nbgrader_config.py names the course)
    EXCHANGE = Path(os.environ.get("CLASSROOM_EXCHANGE", str(STATE / "exchange"))).absolute()
    TEACHER = classhub.learner_account(TEACHERS[0], HOMES) if TEACHERS else None
    SET_ASIDE = classhub.exchange_course(EXCHANGE, "self-attention", TEACHER)
    # the solutions stay the teachers': in the hub's copy of the series, the solutions notebooks, the graded
    # course's source and the git history that holds both are for root and the roster's teachers only
    # (learners pull the handout, scripts/handout.py --branch, which has none of them)
    classhub.teachers_only(
        [REPO / "notebooks" / "solutions", REPO / "classroom" / "course" / "source", REPO / ".git"], TEACHERS
    )
    FRESH = classhub.issue_first_login_codes(
        LEARNERS + TEACHERS, STATE / "passwords.dbm", STATE / "first-login-codes.txt"
    )
except classhub.ClassSetupError as exc:
    _stop(str(exc))
if SET_ASIDE:
    print(f"classroom: the exchange's course folder was not made by the hub or a teacher: set aside as {SET_ASIDE}")
if FRESH:
    print(f"classroom: first-login codes for {len(FRESH)} learners added to {STATE / 'first-login-codes.txt'}")

# -- where it listens: this machine only, on ports a learner's process cannot take. The public port and the hub's
# API are TCP ports below the first one an ordinary user may bind (learners' servers and the idle culler reach the
# hub's API over TCP); the proxy's API, which only the hub (root) talks to, is a Unix socket in a folder only root
# can enter. A learner's process left waiting for a port during a restart never gets one.
c.JupyterHub.bind_url = f"http://127.0.0.1:{PORTS['CLASSROOM_PORT']}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = PORTS["CLASSROOM_HUB_PORT"]

# -- its state, kept across restarts (a restarted hub finds its learners' running servers in the database)
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
# a restart of the hub (an upgrade, a changed setting) leaves the learners' servers and kernels running
c.JupyterHub.cleanup_servers = False
c.JupyterHub.cleanup_proxy = False

# -- the proxy: configurable-http-proxy from the npm registry, installed by `make hub-setup` (npm ci) at the
# versions of classroom/proxy/package-lock.json
CHP = REPO / ".cache" / "configurable-http-proxy-5.3.0" / "node_modules" / ".bin" / "configurable-http-proxy"
c.ConfigurableHTTPProxy.command = [str(CHP)]
PROXY_API = classhub.private_folder(RUNTIME / "_proxy", 0o700) / "api.sock"  # "_": never a learner's name
c.ConfigurableHTTPProxy.api_url = "http+unix://" + urllib.parse.quote(str(PROXY_API), safe="")
PROXY_PID = STATE / "jupyterhub-proxy.pid"
c.ConfigurableHTTPProxy.pid_file = str(PROXY_PID)


def _proxy_left_running() -> bool:
    try:
        os.kill(int(PROXY_PID.read_text()), 0)
        return True
    except (OSError, ValueError):
        return False


# the proxy's token, kept in the state folder so a restarted hub can talk to the proxy it left running; a new one
# whenever a new proxy starts, so a token that ever reached anyone else is worthless at the next start
TOKEN_FILE = STATE / "proxy_auth_token"
if not _proxy_left_running():
    PROXY_API.unlink(missing_ok=True)  # a socket left by a proxy that died: the new one could not listen on it
if not TOKEN_FILE.exists() or not _proxy_left_running():
    FRESH_TOKEN = TOKEN_FILE.with_name(TOKEN_FILE.name + ".new")
    FRESH_TOKEN.unlink(missing_ok=True)
    classhub.write_secret(FRESH_TOKEN, secrets.token_hex(32))  # 0600 from the start, then in place at once
    os.replace(FRESH_TOKEN, TOKEN_FILE)
c.ConfigurableHTTPProxy.auth_token = TOKEN_FILE.read_text().strip()


# A restarted hub would stop the proxy it finds and start a new one, cutting every learner's connection until
# JupyterLab reconnects. When the proxy this hub left running is still there, the hub uses it instead: the
# learners' pages and kernels go on as if nothing happened. (Stop it for good with: kill $(cat
# <state>/jupyterhub-proxy.pid))
if _proxy_left_running():
    c.ConfigurableHTTPProxy.should_start = False

# -- who may log in: the roster's names, each with a password of its own (classhub.ClassAuthenticator)
c.JupyterHub.authenticator_class = classhub.ClassAuthenticator
c.ClassAuthenticator.dbm_path = str(STATE / "passwords.dbm")
c.ClassAuthenticator.check_passwords_on_startup = False
c.Authenticator.allowed_users = set(LEARNERS + TEACHERS)
c.Authenticator.admin_users = set(TEACHERS)
c.Authenticator.allow_all = False
c.Authenticator.allow_existing_users = False  # a name taken off the roster cannot log in any more

# -- each learner's server: JupyterLab from the class environment, as the learner's own system user
c.JupyterHub.spawner_class = classhub.LearnerSpawner
c.Spawner.cmd = [str(python), str(REPO / "classroom" / "singleuser.py")]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.mem_limit = MEM
c.Spawner.cpu_limit = float(os.environ.get("CLASSROOM_CPU_LIMIT", "1"))
c.LearnerSpawner.as_limit = MEM
c.LearnerSpawner.nproc_limit = int(os.environ.get("CLASSROOM_NPROC_LIMIT", "256"))
CGROUP = classhub.memory_cgroup_parent()
c.LearnerSpawner.cgroup_parent = str(CGROUP) if CGROUP else ""
print(
    f"classroom: memory per learner {MEM / 1024**3:.1f} GiB: each process's address space (RLIMIT_AS)"
    + (f", and all of a learner's processes together (memory cgroup under {CGROUP})" if CGROUP else "")
)
c.JupyterHub.active_server_limit = int(
    os.environ.get("CLASSROOM_MAX_SERVERS", max(1, os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // MEM))
)


def _pulled_copy(spawner):
    """The pulled series' own helpers come first, so a fix the teacher pushes reaches the learner's kernel."""
    return str(Path(spawner.user_env({})["HOME"]) / REPO_DIR)


COURSE_REPOS = os.environ.get("CLASSROOM_COURSE_REPOS", "")
c.Spawner.environment = {
    "PYTHONPATH": _pulled_copy,
    "CLASSROOM_COURSE_REPOS": COURSE_REPOS,
    # the hub's own copy of the series: a teacher copies the graded course from it (its source is hers to read)
    "CLASSROOM_SERIES": str(REPO),
    # the class environment's programs first: nbgrader and jupyter in a teacher's or learner's terminal
    "PATH": f"{ENV / 'bin'}:/usr/local/bin:/usr/bin:/bin",
    # nbgrader in the learners' JupyterLab: the course and its exchange (classroom/jupyter-config/nbgrader_config.py)
    "CLASSROOM_EXCHANGE": str(EXCHANGE),
    "JUPYTER_CONFIG_PATH": str(REPO / "classroom" / "jupyter-config"),
    # the server's and kernels' runtime files, the kernels' Unix sockets among them (jupyter_server_config.py)
    "JUPYTER_RUNTIME_DIR": lambda spawner: str(RUNTIME / spawner.user.name),
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
# A course repository on this machine belongs to the teacher, and git refuses to read another user's repository
# ("dubious ownership") unless its system or global config says it is safe: the learners' git reads a system
# config that includes the machine's own and names those repositories.
LOCAL_REPOS = [r.removeprefix("file://") for r in COURSE_REPOS.split() if r.startswith(("file:///", "/"))]
if LOCAL_REPOS:
    GITCONFIG = STATE / "learners.gitconfig"
    GITCONFIG.write_text(
        "[include]\n\tpath = /etc/gitconfig\n[safe]\n" + "".join(f"\tdirectory = {r}\n" for r in LOCAL_REPOS)
    )
    GITCONFIG.chmod(0o644)  # not a secret: learners' git reads it
    c.Spawner.environment["GIT_CONFIG_SYSTEM"] = str(GITCONFIG)

# -- the idle culler: stop a learner's server after CLASSROOM_IDLE_TIMEOUT seconds without activity (an hour)
IDLE = int(os.environ.get("CLASSROOM_IDLE_TIMEOUT", "3600"))
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={IDLE}",
            f"--cull-every={max(IDLE // 6, 10)}",
        ],
    }
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]
