"""A JupyterHub for one class on one machine: the configuration `make test` and `make classroom` run.

Start it from the repository's folder (after `make hub-setup`, which installs JupyterHub, the idle culler,
nbgitpuller and the proxy at pinned versions):

    CLASSROOM_PASSWORD='a shared password' .venv/bin/jupyterhub -f classroom/jupyterhub_config.py

then hand out the nbgitpuller link the README's teachers' section builds. Everything listens on 127.0.0.1;
to open it to a class, put a TLS reverse proxy (nginx, Caddy) in front of CLASSROOM_PORT.

Settings come from environment variables so the tests can run a hub in temporary folders:
  CLASSROOM_PASSWORD      the shared password (8 characters or more, ASCII only; required)
  CLASSROOM_STATE         where the hub keeps its database, cookie secret, proxy token and the learners' homes
                          (default ./classroom-state)
  CLASSROOM_PORT          the port learners' browsers use (default 8000); the hub's own API listens on
                          CLASSROOM_HUB_PORT (default 8081) and the proxy's API on CLASSROOM_PROXY_API_PORT (8001)
  CLASSROOM_IDLE_TIMEOUT  seconds without activity before the idle culler stops a learner's server (3600)
  CLASSROOM_MEM_LIMIT, CLASSROOM_CPU_LIMIT   per-learner limits a spawner that enforces them uses (see below)
  CLASSROOM_REPO_DIR      the folder nbgitpuller pulls the series into, in each learner's home (self-attention)

What each learner gets: a JupyterLab server started by JupyterHub's local process spawner, with its home in
CLASSROOM_STATE/homes/<name>. `SimpleLocalProcessSpawner` runs every learner's server as the user running
the hub, so learners are kept apart by JupyterHub (nobody can open another's server or files through it),
not by the operating system: code in one learner's notebook could read another's home. For a class whose
learners must not trust each other, use real system users (LocalProcessSpawner, SystemdSpawner) or Zero to
JupyterHub. The memory and CPU limits are passed to the server (MEM_LIMIT, CPU_LIMIT) but the local spawner
does not enforce them; SystemdSpawner and Kubernetes do. What this configuration does enforce is one BLAS
thread per learner, so learners share the cores instead of each one's numpy taking all of them.
"""

import os
import secrets
import sys
from pathlib import Path

c = get_config()  # JupyterHub provides get_config when it reads this file)

REPO = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("CLASSROOM_STATE", "classroom-state")).resolve()
HOMES = STATE / "homes"
HOMES.mkdir(parents=True, exist_ok=True)
REPO_DIR = os.environ.get("CLASSROOM_REPO_DIR", "self-attention")

# -- where it listens: this machine only
c.JupyterHub.bind_url = f"http://127.0.0.1:{int(os.environ.get('CLASSROOM_PORT', '8000'))}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("CLASSROOM_HUB_PORT", "8081"))

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
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{int(os.environ.get('CLASSROOM_PROXY_API_PORT', '8001'))}"
PROXY_PID = STATE / "jupyterhub-proxy.pid"
c.ConfigurableHTTPProxy.pid_file = str(PROXY_PID)
# the proxy's token, kept in the state folder so a restarted hub can talk to the proxy it left running
TOKEN_FILE = STATE / "proxy_auth_token"
if not TOKEN_FILE.exists():
    TOKEN_FILE.write_text(secrets.token_hex(32))
    TOKEN_FILE.chmod(0o600)
c.ConfigurableHTTPProxy.auth_token = TOKEN_FILE.read_text().strip()


def _proxy_left_running() -> bool:
    try:
        os.kill(int(PROXY_PID.read_text()), 0)
        return True
    except (OSError, ValueError):
        return False


# A restarted hub would stop the proxy it finds and start a new one, cutting every learner's connection until
# JupyterLab reconnects. When the proxy this hub left running is still there, the hub uses it instead: the
# learners' pages and kernels go on as if nothing happened. (Stop it for good with: kill $(cat
# <state>/jupyterhub-proxy.pid))
if _proxy_left_running():
    c.ConfigurableHTTPProxy.should_start = False

# -- who may log in: anyone with the class's shared password (JupyterHub's built-in shared-password
# authenticator, which replaced the dummy authenticator's password in JupyterHub 5.3)
c.JupyterHub.authenticator_class = "shared-password"
PASSWORD = os.environ.get("CLASSROOM_PASSWORD", "")
if len(PASSWORD) < 8:
    raise SystemExit("classroom: set CLASSROOM_PASSWORD to the class's shared password, 8 characters or more")
if not PASSWORD.isascii():  # the shared-password check compares with hmac.compare_digest, which refuses other text
    raise SystemExit(
        "classroom: CLASSROOM_PASSWORD must use ASCII characters only (letters a-z, A-Z, digits, punctuation): "
        "JupyterHub's shared-password check cannot compare a password such as 'Klassenpaßwort'"
    )
c.SharedPasswordAuthenticator.user_password = PASSWORD
c.Authenticator.allow_all = True

# -- each learner's server: JupyterLab in the same Python environment as the hub (`make hub-setup`)
c.JupyterHub.spawner_class = "simple"  # SimpleLocalProcessSpawner: no system user per learner (see above)
c.SimpleLocalProcessSpawner.home_dir_template = str(HOMES / "{username}")
c.Spawner.cmd = [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.args = ["--allow-root"] if os.getuid() == 0 else []  # JupyterLab refuses root unless told
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.mem_limit = os.environ.get("CLASSROOM_MEM_LIMIT", "1G")
c.Spawner.cpu_limit = float(os.environ.get("CLASSROOM_CPU_LIMIT", "1"))


def _pulled_copy(spawner):
    """The pulled series' own helpers come first, so a fix the teacher pushes reaches the learner's kernel."""
    return str(Path(spawner.home_dir) / REPO_DIR)


c.Spawner.environment = {
    "PYTHONPATH": _pulled_copy,
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}

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
