"""nbgrader's gradebook as one CSV row per learner, assignment and exercise (nbgrader's own CSV export has one
row per assignment): `nbgrader export --exporter=exercise_export.ExerciseExport [--ExerciseExport.to=grades.csv]`.

Columns: learner, assignment, exercise (the series' id, such as 04.1), points, max_points, submitted (the
submission's time, empty when the learner submitted nothing: then every exercise counts 0).
"""

import csv
import re

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin

GRADE_ID = re.compile(r"ex(\d\d)_(\d+)_check")  # the test cell of exercise NN.k (classroom/make_course.py)
COLUMNS = ["learner", "assignment", "exercise", "points", "max_points", "submitted"]


def exercise_of(grade_id: str) -> str | None:
    """'ex04_1_check' -> '04.1'; None for a cell that is not an exercise's check."""
    found = GRADE_ID.fullmatch(grade_id)
    return f"{found[1]}.{found[2]}" if found else None


def _points(value) -> str:
    return f"{value:g}"


class ExerciseExport(ExportPlugin):
    """One row per learner, assignment and exercise, with the points the autograder gave."""

    def export(self, gradebook: Gradebook) -> None:
        dest = self.to or "grades.csv"
        only_learners = {str(s) for s in self.student}
        only_assignments = {str(a) for a in self.assignment}
        rows = []
        for assignment in gradebook.assignments:
            if only_assignments and assignment.name not in only_assignments:
                continue
            checks = sorted(
                (exercise_of(cell.name), cell.max_score)
                for notebook in assignment.notebooks
                for cell in notebook.grade_cells
                if exercise_of(cell.name)
            )
            for learner in gradebook.students:
                if only_learners and learner.id not in only_learners:
                    continue
                try:
                    submission = gradebook.find_submission(assignment.name, learner.id)
                except MissingEntry:
                    rows += [[learner.id, assignment.name, e, "0", _points(m), ""] for e, m in checks]
                    continue
                got = {
                    exercise_of(grade.name): grade.score
                    for notebook in submission.notebooks
                    for grade in notebook.grades
                    if exercise_of(grade.name)
                }
                when = submission.timestamp.isoformat() if submission.timestamp else ""
                rows += [[learner.id, assignment.name, e, _points(got.get(e, 0)), _points(m), when] for e, m in checks]
        self.log.info("Exporting %d rows (learner, assignment, exercise) to %s", len(rows), dest)
        with open(dest, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            writer.writerows(rows)
