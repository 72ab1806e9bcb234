"""The graded course (classroom/course/source, for nbgrader on the class hub) is the lessons' own: made from them
and their solutions by classroom/make_course.py, and with its solutions in place every check passes."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from classroom import make_course

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "classroom" / "course" / "source"


def test_the_committed_course_is_what_the_lessons_make(tmp_path):
    made = make_course.write_course(tmp_path)
    assert sorted(p.name for p in COURSE.iterdir()) == sorted(made), "run `make course`"
    for name in made:
        for nb in (tmp_path / name).glob("*.ipynb"):
            assert (COURSE / name / nb.name).read_text() == nb.read_text(), f"{name} drifted: run `make course`"
    assert sum(len(x) for x in made.values()) == 50
    for name in made:  # a graded copy points to no solutions notebook, and has no links that lead nowhere
        nb = nbformat.read(COURSE / name / f"{name}.ipynb", as_version=4)
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert "solutions/" not in text and ".ipynb)" not in text, name
        assert nb.cells[-1].source.startswith("## Submitting"), name
    points = {e: p for listed in made.values() for e, _, p in listed}
    assert points["04.1"] == 1 and points["04.4"] == 2 and sum(points.values()) == 69


def test_hidden_tests_hide_each_check(tmp_path):
    nb, listed = make_course.assignment(ROOT / "notebooks" / "04_self-attention-from-scratch.ipynb", True)
    checks = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(checks) == len(listed) == 5
    assert all("### BEGIN HIDDEN TESTS" in c.source and "check_exercise(" in c.source for c in checks)


def test_a_solution_the_generator_cannot_place_is_named(tmp_path):
    lesson = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell('def my_f(x):\n    """Doc."""\n    return 1\n\n\ncheck_exercise("99.1", my_f)')
        ]
    )
    solutions = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    with pytest.raises(make_course.CourseError, match="exercise 99.1: 0 solution cells, expected 1"):
        make_course.solution_for(solutions, "99.1", {"my_f"})
    with pytest.raises(make_course.CourseError, match="should have one `...` body line"):
        make_course._answer_cell_source(lesson.cells[0].source, "def my_f(x):\n    return 2", "my_f", "99.1")


@pytest.mark.parametrize("assignment", sorted(p.name for p in COURSE.iterdir()))
def test_with_its_solutions_every_check_of_the_assignment_passes(assignment):
    nb = nbformat.read(COURSE / assignment / f"{assignment}.ipynb", as_version=4)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}
    ).execute()
    checks = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    said = ["".join(o.get("text", "") for o in c.outputs if o.output_type == "stream") for c in checks]
    assert checks and all(s.startswith("Exercise ") and ": Correct." in s for s in said), said
