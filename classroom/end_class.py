"""End a class: stop the hub, its proxy and its services, then every process of every learner, leftovers included.

    sudo .venv/bin/python classroom/end_class.py [classroom-state]

Run as root from the repository's folder, with the state folder the hub used (CLASSROOM_STATE, ./classroom-state by
default). The learners' files stay. A process a learner left behind (started with nohup or setsid, or renamed)
is found by its owner, the learner's system user, not by its name, so none survives to take a port the next
class's hub or proxy will use.
"""

from __future__ import annotations

import os
import pwd
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import classhub


def stop_pid_file(path: Path, seconds: float = 30) -> bool:
    """SIGTERM to the process a pid file names, then SIGKILL if it is still there after `seconds`. -> it was running"""
    try:
        pid = int(path.read_text().strip())
        os.kill(pid, signal.SIGTERM)
    except (OSError, ValueError):
        return False
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            return True
        time.sleep(0.2)
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    return True


def main(argv: list[str]) -> int:
    if os.getuid() != 0:
        print("end_class: run it as root (sudo): it stops processes of the learners' system users", file=sys.stderr)
        return 2
    state = Path(argv[1] if len(argv) > 1 else os.environ.get("CLASSROOM_STATE", "classroom-state")).resolve()
    if not state.is_dir():
        print(f"end_class: no class state folder at {state}", file=sys.stderr)
        return 2
    hub = stop_pid_file(state / "jupyterhub.pid")
    proxy = stop_pid_file(state / "jupyterhub-proxy.pid")
    learners = [a.pw_name for a in pwd.getpwall() if a.pw_gecos == classhub.MARK and a.pw_uid >= 1000]
    stopped = {name: classhub.stop_everything_of(name) for name in learners}
    left = sum(stopped.values())
    print(
        f"end_class: hub {'stopped' if hub else 'not running'}, proxy {'stopped' if proxy else 'not running'}, "
        f"{left} processes of {sum(1 for n in stopped.values() if n)} of {len(learners)} learners stopped"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
