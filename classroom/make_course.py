"""The graded course: nbgrader's source assignments, made from the lesson notebooks and their solutions.

Each lesson with exercises becomes one assignment, `classroom/course/source/<lesson>/<lesson>.ipynb`: the lesson
itself (outputs cleared), where every exercise cell becomes two nbgrader cells,
  - an autograded answer: the lesson's cell (`answer_04_1 = ...`, or `def my_softmax(...)` with its docstring),
    with the worked solution from the solutions notebook between BEGIN/END SOLUTION, which nbgrader removes
    when it releases the assignment;
  - an autograder test worth POINTS: the series' own checker, `check_exercise`, whose hint names the mistake;
    with `--hidden-tests` its call is hidden from learners until feedback.

Run from the repository's folder; `make course` runs it, and a test checks the committed course is what it
makes, so the course cannot drift from the lessons:

    python classroom/make_course.py [--hidden-tests] [--out classroom/course/source]
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "notebooks"
SOLUTIONS = LESSONS / "solutions"
OUT = ROOT / "classroom" / "course" / "source"
CHECK = re.compile(r'^check_exercise\("(\d\d\.\d)", *(\w+)\)\s*$', re.M)
POINTS = {"value": 1, "implement": 2}  # an answer to find: 1 point; a function to write: 2


class CourseError(Exception):
    """A lesson or solution the generator cannot turn into an assignment; the message says which and why."""


def exercise_cells(nb) -> list[tuple[int, str, str]]:
    """(cell index, exercise id, the name checked) of each exercise cell: a code cell ending in check_exercise."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        calls = CHECK.findall(cell.source)
        if len(calls) > 1:
            raise CourseError(f"cell {index} checks {len(calls)} exercises; one exercise per cell")
        if calls:
            found.append((index, *calls[0]))
    return found


def solution_for(solutions, exercise_id: str, exercise_names: set[str]) -> str:
    """The solutions notebook's code for one exercise, without its check, `solution_` names made `my_`; with the
    solutions notebook's own helper functions it calls (such as a softmax) that are not exercises of the lesson."""
    code_cells = [c for c in solutions.cells if c.cell_type == "code"]
    cells = [c for c in code_cells if f'check_exercise("{exercise_id}"' in c.source]
    if len(cells) != 1:
        raise CourseError(f"exercise {exercise_id}: {len(cells)} solution cells, expected 1")
    code = CHECK.sub("", cells[0].source).rstrip()
    helpers = []
    for used in sorted(set(re.findall(r"\bsolution_(\w+)", code))):
        if f"my_{used}" in exercise_names or re.search(rf"^def solution_{used}\(", code, re.M):
            continue
        found = [c.source for c in code_cells if re.search(rf"^def solution_{used}\(", c.source, re.M)]
        if len(found) != 1 or CHECK.search(found[0]):
            raise CourseError(f"exercise {exercise_id}: solution_{used} is defined in {len(found)} helper cells")
        helpers.append(found[0].rstrip())
    code = "\n\n\n".join([*helpers, code]) if helpers else code
    return re.sub(r"\bsolution_(\w+)", r"my_\1", code)


def _answer_cell_source(lesson_code: str, solution: str, name: str, exercise_id: str) -> tuple[str, str]:
    """The answer cell's source (lesson's prompt + solution region) and its kind, 'value' or 'implement'."""
    prompt = CHECK.sub("", lesson_code).rstrip()
    if not name.startswith("my_"):  # a value to find: the prompt line stays, the solution sets it
        return f"{prompt}\n### BEGIN SOLUTION\n{solution}\n### END SOLUTION", "value"
    tree = ast.parse(solution)
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name]
    if len(defs) != 1:
        raise CourseError(f"exercise {exercise_id}: the solution cell should define {name} once")
    # what comes before the def (imports) is part of the answer; what comes after only shows the result
    lines = solution.splitlines()
    start = defs[0].decorator_list[0].lineno if defs[0].decorator_list else defs[0].lineno
    before = "\n".join(lines[: start - 1]).strip()  # imports the solution needs: a region of their own
    body = defs[0].body
    if ast.get_docstring(defs[0]) is not None:
        body = body[1:]
    first = min(body[0].lineno, *(n.lineno for n in ast.walk(body[0]) if hasattr(n, "lineno")))
    # comment lines just above the first statement belong to the body too
    while first > defs[0].lineno + 1 and lines[first - 2].strip().startswith("#"):
        first -= 1
    solved = "\n".join(lines[first - 1 : defs[0].end_lineno])
    stub = [i for i, line in enumerate(prompt.splitlines()) if line.strip() == "..."]
    if len(stub) != 1:
        raise CourseError(f"exercise {exercise_id}: the lesson's def {name} should have one `...` body line")
    prompt_lines = prompt.splitlines()
    indent = prompt_lines[stub[0]][: len(prompt_lines[stub[0]]) - len(prompt_lines[stub[0]].lstrip())]
    region = [f"{indent}### BEGIN SOLUTION", solved, f"{indent}### END SOLUTION"]
    head = ["### BEGIN SOLUTION", before, "### END SOLUTION"] if before else []
    return "\n".join(head + prompt_lines[: stub[0]] + region + prompt_lines[stub[0] + 1 :]).rstrip(), "implement"


SUBMIT = (
    "## Submitting\n\n"
    "This is the graded copy of the lesson. Each check above prints *Correct* or a hint as you go; save the "
    "notebook, then submit it from **Nbgrader > Assignments**. Your teacher's feedback comes back there too."
)


def _points_elsewhere(markdown: str) -> bool:
    """A lesson's cell that an assignment leaves out: its "## Solutions" pointer (a graded copy does not hand out
    the answers) and its previous/contents/next links (relative links that lead nowhere from ~/assignments)."""
    return markdown.lstrip().startswith("## Solutions") or "[Contents](00_contents.ipynb)" in markdown


def _grade_id(exercise_id: str, part: str) -> str:
    return f"ex{exercise_id.replace('.', '_')}_{part}"


def assignment(lesson_path: Path, hidden_tests: bool = False):
    """The nbgrader source notebook for one lesson, and its exercises as (id, kind, points)."""
    lesson = nbformat.read(lesson_path, as_version=4)
    solutions_path = SOLUTIONS / f"{lesson_path.stem}-solutions.ipynb"
    solutions = nbformat.read(solutions_path, as_version=4)
    exercises = exercise_cells(lesson)
    if not exercises:
        raise CourseError(f"{lesson_path.name} has no exercises")
    cells, listed, by_index = [], [], {index: (eid, name) for index, eid, name in exercises}
    for index, cell in enumerate(lesson.cells):
        cell = nbformat.from_dict(dict(cell))
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.metadata = {}
        if cell.cell_type == "markdown" and _points_elsewhere(cell.source):
            continue  # the pointer to the worked solutions, and the links to the lessons beside this one
        if index not in by_index:
            cells.append(cell)
            continue
        eid, name = by_index[index]
        try:
            solution = solution_for(solutions, eid, {n for _, _, n in exercises})
            source, kind = _answer_cell_source(cell.source, solution, name, eid)
        except CourseError as exc:
            raise CourseError(f"{lesson_path.name}: {exc}") from None
        points = POINTS[kind]
        answer = nbformat.v4.new_code_cell(source, id=_grade_id(eid, "answer").replace("_", "-"))
        answer.metadata = {
            "nbgrader": {
                "grade": False,
                "grade_id": _grade_id(eid, "answer"),
                "locked": False,
                "schema_version": 3,
                "solution": True,
                "task": False,
            }
        }
        check = f'feedback = check_exercise("{eid}", {name})\nprint(feedback)\nassert feedback.ok, feedback.message'
        if hidden_tests:
            check = f"### BEGIN HIDDEN TESTS\n{check}\n### END HIDDEN TESTS"
        test = nbformat.v4.new_code_cell(
            f"# {eid}: {points} point{'s' if points > 1 else ''}\n{check}", id=_grade_id(eid, "check").replace("_", "-")
        )
        test.metadata = {
            "nbgrader": {
                "grade": True,
                "grade_id": _grade_id(eid, "check"),
                "locked": True,
                "points": points,
                "schema_version": 3,
                "solution": False,
                "task": False,
            }
        }
        cells += [answer, test]
        listed.append((eid, kind, points))
    cells.append(nbformat.v4.new_markdown_cell(SUBMIT, id="submitting"))
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": lesson.metadata.get("kernelspec", {})})
    nb.metadata["language_info"] = {"name": "python"}
    return nb, listed


def lessons_with_exercises() -> list[Path]:
    return [p for p in sorted(LESSONS.glob("[0-9][0-9]_*.ipynb")) if exercise_cells(nbformat.read(p, as_version=4))]


def write_course(out: Path, hidden_tests: bool = False) -> dict[str, list[tuple[str, str, int]]]:
    """Write every assignment under `out`; {assignment: [(exercise, kind, points)]}."""
    made = {}
    for lesson in lessons_with_exercises():
        nb, listed = assignment(lesson, hidden_tests)
        folder = out / lesson.stem
        folder.mkdir(parents=True, exist_ok=True)
        text = nbformat.writes(nb) + "\n"
        target = folder / lesson.name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        made[lesson.stem] = listed
    return made


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden-tests", action="store_true", help="hide each check from learners until feedback")
    parser.add_argument("--out", type=Path, default=OUT, help=f"where the source assignments go ({OUT})")
    args = parser.parse_args(argv)
    try:
        made = write_course(args.out, args.hidden_tests)
    except (CourseError, OSError) as exc:
        print(f"make_course: {exc}", file=sys.stderr)
        return 1
    total = 0
    for name, listed in made.items():
        points = sum(p for _, _, p in listed)
        total += points
        print(f"{name}: " + ", ".join(f"{e} ({p})" for e, _, p in listed) + f" = {points} points")
    print(f"{len(made)} assignments, {sum(len(x) for x in made.values())} exercises, {total} points -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
