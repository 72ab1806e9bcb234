"""Autograde a class's submissions as the class's grader account, never with the teacher's rights.

    sudo .venv/bin/python classroom/autograde.py 04_self-attention-from-scratch [--teacher NAME] [--state DIR]

Run as root from the repository's folder after the teacher's `nbgrader collect`. Autograding runs every answer
cell, so each submission is a program written by a learner. Run by the teacher, it could read every other
submission, the gradebook and the teacher's tokens, and plant files in her home. Here each submission is graded
alone by `nbgrader autograde`, as the system user `classroom-grader`:
- in a fresh folder of the grader's holding the course's nbgrader_config.py, the assignment's files without its
  source notebooks (the solutions), that one submission, and a copy of the gradebook without the other learners;
- with a clean environment (no token of anyone's, the series' helpers importable), the class's memory and process
  limits, and a time limit; every process the grader started is stopped afterwards;
- then root copies the results back into the teacher's course, owned by her: the autograded notebook (regular
  files only: a link the grading made is dropped, so it cannot point at one of her files) and that learner's
  rows of the gradebook (her submission, its notebooks, grades and comments; nothing of anyone else's).

The grader's kernel can change its own learner's grade (as any autograded answer can, by rewriting a check); it
reaches nothing of the teacher's or of another learner's. The teacher is the owner of the exchange's course folder
(the hub makes it the roster's first teacher's); her course is ~/course unless --course says otherwise.
"""

from __future__ import annotations

import argparse
import os
import pwd
import resource
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import classhub

REPO = Path(__file__).resolve().parent.parent
GRADER = classhub.GRADER
COURSE_ID = "self-attention"  # classroom/course/nbgrader_config.py's course
# a learner's rows: (table, the column that ties a row to the ones above it)
ROWS = [("submitted_assignment", None), ("submitted_notebook", "assignment_id"), ("grade", "notebook_id"),
        ("comment", "notebook_id")]  # fmt: skip


class GradingError(Exception):
    """Something that stops the grading of one submission or of all; the message says what."""


def copy_regular(src: Path, dest: Path, owner: pwd.struct_passwd) -> list[str]:
    """Copy the folders and regular files under `src` to `dest`, owned by `owner`; -> what was left out (links,
    devices, pipes): nothing is followed."""
    left_out = []
    dest.mkdir(parents=True, exist_ok=True)
    os.chown(dest, owner.pw_uid, owner.pw_gid)
    for entry in sorted(src.iterdir()):
        target = dest / entry.name
        info = entry.lstat()
        if entry.is_symlink() or not (entry.is_dir() or entry.is_file()):
            left_out.append(str(entry.relative_to(src)))
        elif entry.is_dir():
            left_out += [f"{entry.name}/{x}" for x in copy_regular(entry, target, owner)]
        else:
            with os.fdopen(os.open(entry, os.O_RDONLY | os.O_NOFOLLOW), "rb") as fin:  # a link swapped in: refused
                target.write_bytes(fin.read())
            os.chown(target, owner.pw_uid, owner.pw_gid)
            target.chmod(info.st_mode & 0o644 | 0o600)
    return left_out


def columns(db: sqlite3.Connection, table: str, schema: str = "main") -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA {schema}.table_info({table})")]


def learners_rows(db: sqlite3.Connection, student: str, assignment: str, schema: str) -> dict[str, list[str]]:
    """The ids of one learner's submission of one assignment and of its rows, per table, in `schema`."""
    ids = {
        "submitted_assignment": [
            r[0]
            for r in db.execute(
                f"SELECT s.id FROM {schema}.submitted_assignment s JOIN {schema}.assignment a ON s.assignment_id = a.id"
                " WHERE s.student_id = ? AND a.name = ?",
                (student, assignment),
            )
        ]
    }
    for table, link in ROWS[1:]:
        parents = ids["submitted_assignment" if table == "submitted_notebook" else "submitted_notebook"]
        marks = ",".join("?" * len(parents))
        ids[table] = [r[0] for r in db.execute(f"SELECT id FROM {schema}.{table} WHERE {link} IN ({marks})", parents)]
    return ids


def only_this_learner(db_path: Path, student: str) -> None:
    """Remove every other learner (her submissions, their notebooks, grades and comments) from a gradebook copy."""
    with sqlite3.connect(db_path) as db:
        others = [r[0] for r in db.execute("SELECT id FROM student WHERE id != ?", (student,))]
        for other in others:
            for name in [r[0] for r in db.execute("SELECT name FROM assignment")]:
                rows = learners_rows(db, other, name, "main")
                for table, _ in reversed(ROWS):
                    marks = ",".join("?" * len(rows[table]))
                    db.execute(f"DELETE FROM {table} WHERE id IN ({marks})", rows[table])
        db.execute("DELETE FROM student WHERE id != ?", (student,))
        leftover = db.execute("SELECT count(*) FROM submitted_assignment WHERE student_id != ?", (student,)).fetchone()
        if leftover[0]:
            raise GradingError("the gradebook's copy still holds other learners' submissions")
    with sqlite3.connect(db_path) as db:
        db.execute("VACUUM")  # the deleted rows' bytes gone from the file, not just unlinked


def merge_learner(main_db: Path, graded_db: Path, student: str, assignment: str) -> int:
    """Replace one learner's submission of `assignment` in the teacher's gradebook by the graded copy's; -> rows."""
    with sqlite3.connect(main_db) as db:
        db.execute("ATTACH DATABASE ? AS graded", (str(graded_db),))
        for table, _ in ROWS + [("student", None)]:
            if set(columns(db, table)) - set(columns(db, table, "graded")):
                raise GradingError(f"the grading run changed the gradebook's table {table}: not merged")
        new = learners_rows(db, student, assignment, "graded")
        if len(new["submitted_assignment"]) != 1:
            raise GradingError(f"the graded gradebook has {len(new['submitted_assignment'])} submissions: not merged")
        old = learners_rows(db, student, assignment, "main")
        for table, _ in reversed(ROWS):
            db.execute(f"DELETE FROM main.{table} WHERE id IN ({','.join('?' * len(old[table]))})", old[table])
        names = ",".join(columns(db, "student"))
        db.execute(f"INSERT OR IGNORE INTO main.student ({names}) SELECT {names} FROM graded.student WHERE id = ?",
                   (student,))  # fmt: skip
        count = 0
        for table, _ in ROWS:
            names = ",".join(columns(db, table))
            marks = ",".join("?" * len(new[table]))
            extra = " AND student_id = ?" if table == "submitted_assignment" else ""
            args = new[table] + ([student] if extra else [])
            count += db.execute(
                f"INSERT INTO main.{table} ({names}) SELECT {names} FROM graded.{table} WHERE id IN ({marks}){extra}",
                args,
            ).rowcount
        db.commit()
        db.execute("DETACH DATABASE graded")
    return count


def limits(memory: int, nproc: int, seconds: int):
    def preexec():
        os.setsid()
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))

    return preexec


def grade_one(course: Path, student: str, assignment: str, grader: pwd.struct_passwd, teacher: pwd.struct_passwd,
              env_dir: Path, timeout: int, memory: int) -> str:  # fmt: skip
    """Autograde one learner's submission as the grader; its results into the teacher's course. -> a summary"""
    work = Path(grader.pw_dir) / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(mode=0o700)
    shutil.copy2(course / "nbgrader_config.py", work / "nbgrader_config.py")
    for helper in course.glob("*.py"):
        if helper.name != "nbgrader_config.py":
            shutil.copy2(helper, work / helper.name)
    source = course / "source" / assignment
    left_out = copy_regular(source, work / "source" / assignment, grader) if source.is_dir() else []
    for notebook in (work / "source" / assignment).glob("*.ipynb"):
        notebook.unlink()  # the solutions stay the teacher's
    left_out += copy_regular(course / "submitted" / student / assignment, work / "submitted" / student / assignment,
                             grader)  # fmt: skip
    shutil.copy2(course / "gradebook.db", work / "gradebook.db")
    only_this_learner(work / "gradebook.db", student)
    for here, dirs, files in os.walk(work):
        for name in [here, *(os.path.join(here, x) for x in dirs + files)]:
            os.chown(name, grader.pw_uid, grader.pw_gid, follow_symlinks=False)
    env = {
        "PATH": f"{env_dir / 'bin'}:/usr/bin:/bin",
        "HOME": str(work),
        "PYTHONPATH": str(REPO),  # the series' helpers, as in the learners' kernels
        "CLASSROOM_GRADING": "grader",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "LANG": "C.UTF-8",
    }
    command = ["runuser", "-u", GRADER, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items()),
               "nbgrader", "autograde", assignment, "--student", student, "--force"]  # fmt: skip
    try:
        run = subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=timeout, check=False,
                             preexec_fn=limits(memory, 256, timeout))  # fmt: skip
        output, code = run.stdout + run.stderr, run.returncode
    except subprocess.TimeoutExpired:
        output, code = f"stopped after {timeout} s", -1
    finally:
        classhub.stop_everything_of(GRADER)
    graded = work / "autograded" / student / assignment
    if code != 0 or not graded.is_dir():
        raise GradingError(f"nbgrader autograde failed for {student} (exit {code}):\n{output[-3000:]}")
    target = course / "autograded" / student / assignment
    shutil.rmtree(target, ignore_errors=True)
    for folder in (course / "autograded", course / "autograded" / student):
        folder.mkdir(exist_ok=True)
        os.chown(folder, teacher.pw_uid, teacher.pw_gid)
    left_out += copy_regular(graded, target, teacher)
    rows = merge_learner(course / "gradebook.db", work / "gradebook.db", student, assignment)
    shutil.rmtree(work, ignore_errors=True)
    note = f"; left out (not regular files): {', '.join(left_out)}" if left_out else ""
    return f"{student}: graded, {rows} gradebook rows{note}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment")
    parser.add_argument("--state", default=os.environ.get("CLASSROOM_STATE", "classroom-state"))
    parser.add_argument("--teacher", help="the teacher whose course to grade (default: the exchange's course owner)")
    parser.add_argument("--course", help="the teacher's nbgrader course folder (default: her ~/course)")
    parser.add_argument("--timeout", type=int, default=int(os.environ.get("CLASSROOM_GRADE_TIMEOUT", "1800")))
    args = parser.parse_args(argv[1:])
    if os.getuid() != 0:
        print("autograde: run it as root (sudo): it grades as the class's grader account", file=sys.stderr)
        return 2
    state = Path(args.state).resolve()
    exchange = Path(os.environ.get("CLASSROOM_EXCHANGE", str(state / "exchange")))
    try:
        name = args.teacher or pwd.getpwuid((exchange / COURSE_ID).stat().st_uid).pw_name
        teacher = pwd.getpwnam(name)
    except (OSError, KeyError):
        print(f"autograde: no teacher found: name one with --teacher (the exchange {exchange} has no course)",
              file=sys.stderr)  # fmt: skip
        return 2
    if teacher.pw_uid == 0 or teacher.pw_gecos != classhub.MARK:
        print(f"autograde: {name!r} is not a teacher of the class (an account the hub made)", file=sys.stderr)
        return 2
    course = Path(args.course) if args.course else Path(teacher.pw_dir) / "course"
    submitted = sorted(p.parent.name for p in (course / "submitted").glob(f"*/{args.assignment}") if p.is_dir())
    if not (course / "gradebook.db").is_file() or not submitted:
        print(f"autograde: no collected submissions of {args.assignment} in {course}: run `nbgrader collect` first",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        grader = classhub.learner_account(GRADER, state / "homes")
    except classhub.ClassSetupError as exc:
        print(f"autograde: {exc}", file=sys.stderr)
        return 2
    env_dir = Path(os.environ.get("CLASSROOM_ENV", str(REPO / ".venv-class"))).absolute()
    memory = classhub.parse_bytes(os.environ.get("CLASSROOM_MEM_LIMIT", "2G"))
    failed = 0
    for student in submitted:
        try:
            print(grade_one(course, student, args.assignment, grader, teacher, env_dir, args.timeout, memory))
        except (GradingError, OSError, sqlite3.Error) as exc:
            failed += 1
            print(f"{student}: not graded: {exc}", file=sys.stderr)
    for path in [course / "gradebook.db", *course.glob("gradebook.db-*")]:
        os.chown(path, teacher.pw_uid, teacher.pw_gid)
    print(f"autograde: {len(submitted) - failed} of {len(submitted)} submissions of {args.assignment} graded")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
