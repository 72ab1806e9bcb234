"""A learner's JupyterLab server on the class hub: jupyterhub-singleuser with nbgitpuller guarded.

The hub runs this file with the class environment's Python, as the learner's own system user. Python puts this
file's folder first on the server's import path, so `pull_guard` comes from here, the course's own folder that
learners cannot write, and the learner's pulled copy (PYTHONPATH) cannot replace it. Kernels do not inherit it.
"""

import sys

from jupyterhub.singleuser import main

if __name__ == "__main__":
    sys.argv += [
        "--ServerApp.jpserver_extensions=nbgitpuller=False",
        "--ServerApp.jpserver_extensions=pull_guard=True",
    ]
    sys.exit(main())
