"""The teacher's nbgrader course: run nbgrader's commands from this folder (or a copy of it in your home).

    nbgrader generate_assignment 04_self-attention-from-scratch     # source/ -> release/, solutions removed
    nbgrader release_assignment 04_self-attention-from-scratch      # into the exchange: learners can fetch it
    nbgrader collect 04_self-attention-from-scratch                 # the learners' submissions -> submitted/
    sudo .venv/bin/python classroom/autograde.py 04_self-attention-from-scratch   # as the grader account, as root
    nbgrader generate_feedback 04_self-attention-from-scratch       # one HTML page per learner, with the hints
    nbgrader release_feedback 04_self-attention-from-scratch        # learners fetch it from the Assignments panel
    nbgrader export --exporter=exercise_export.ExerciseExport       # grades.csv: points per learner and exercise

The source assignments come from the lesson notebooks: `python classroom/make_course.py` (`make course`).
Run the commands with the series' helpers importable (PYTHONPATH set to your copy of the repository), as the
learners' kernels have them.
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (nbgrader provides get_config when it reads this file)

# autograding runs every learner's answer cells: on the class hub, never with the teacher's rights
if sys.argv[1:2] == ["autograde"] and os.environ.get("CLASSROOM_GRADING") != "grader":
    raise SystemExit(
        "nbgrader autograde runs the learners' code. On the class hub, grade as the class's grader account: "
        "sudo .venv/bin/python classroom/autograde.py <assignment> (on a machine of your own, set "
        "CLASSROOM_GRADING=grader to run it with your own rights)"
    )

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the exporter and the collect below live beside this file

c.CourseDirectory.course_id = "self-attention"
c.CourseDirectory.root = str(HERE)
c.Exchange.root = os.environ.get("CLASSROOM_EXCHANGE", "/srv/nbgrader/exchange")
# what replaces each solution in the released notebooks: for a value, the lesson's `answer_04_1 = ...` line
# stays above it; for a function, its def and docstring
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE"}
c.ExecutePreprocessor.timeout = 600  # seconds per cell when autograding (notebooks 10 and 14 train models)
c.ExerciseExport.to = "grades.csv"
# collect takes each learner's newest submission among her own; one named after another learner is refused
c.ExchangeFactory.collect = "owners_only.OwnersOnlyCollect"
