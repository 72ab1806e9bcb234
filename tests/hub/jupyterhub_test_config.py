"""The teacher's classroom/jupyterhub_config.py, unchanged, plus two things only the tests need."""

import os

load_subconfig(os.environ["CLASSROOM_CONFIG"])  # JupyterHub provides load_subconfig and c

# the tests read JupyterLab's state through window.jupyterapp, as tests/browser does
c.Spawner.args = ["--LabApp.expose_app_in_browser=True"]
# an admin service with a token the test knows, to ask the hub's REST API about learners and servers
c.JupyterHub.services = [
    *c.JupyterHub.services,
    {"name": "test-admin", "api_token": os.environ["CLASSROOM_TEST_TOKEN"]},
]
c.JupyterHub.load_roles = [
    *c.JupyterHub.load_roles,
    {
        "name": "test-admin",
        "scopes": ["admin:users", "admin:servers", "list:users", "read:users", "list:services", "read:services"],
        "services": ["test-admin"],
    },
]
