"""nbgrader in every learner's server on the class hub (the hub puts this folder on JUPYTER_CONFIG_PATH).

The course and the exchange the teacher releases assignments into and collects them from; JupyterLab's
Assignments panel (Nbgrader > Assignments) fetches, submits and fetches feedback through it. The
panels that make and grade assignments are switched off in JupyterLab (labconfig/page_config.json beside this
file): learners do not need them, and teachers run nbgrader's commands in a terminal, as the teachers' guide
(docs/teachers.md) says.
"""

import os

c = get_config()  # noqa: F821  (nbgrader provides get_config when it reads this file)

c.CourseDirectory.course_id = "self-attention"
if os.environ.get("CLASSROOM_EXCHANGE"):
    c.Exchange.root = os.environ["CLASSROOM_EXCHANGE"]
# fetched assignments go into a folder of their own in the learner's home, beside the pulled series
ASSIGNMENTS = os.path.join(os.path.expanduser("~"), "assignments")
os.makedirs(ASSIGNMENTS, exist_ok=True)  # nbgrader's Assignments panel lists nothing until it exists
c.Exchange.assignment_dir = ASSIGNMENTS
