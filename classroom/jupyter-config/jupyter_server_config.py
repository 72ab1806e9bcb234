"""Each learner's JupyterLab server on the class hub (the hub puts this folder on JUPYTER_CONFIG_PATH).

Kernels talk to the server over Unix sockets (ZeroMQ's ipc transport) in the learner's own 0700 runtime folder,
not over TCP ports on 127.0.0.1: any user of the machine can connect to a TCP port, and with the ports from the
socket table another learner could subscribe to a kernel and read its code and outputs. A Unix socket in a
folder only its owner can enter refuses everyone else. (ipykernel still listens on one TCP port: a PULL socket
for forked subprocesses' output, which sends nothing and drops messages without its random key.)

JupyterLab's debugger is switched off for learners (labconfig/page_config.json): starting it makes the kernel
listen for debugpy on a TCP port of 127.0.0.1, which any user of the machine could connect to.
"""

c = get_config()  # noqa: F821  (Jupyter provides get_config when it reads this file)

c.KernelManager.transport = "ipc"
# learners' accounts have no login shell (nobody logs in to the machine as one); JupyterLab's terminal runs bash
c.ServerApp.terminado_settings = {"shell_command": ["/bin/bash"]}
