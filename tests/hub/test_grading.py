"""Grading a class with nbgrader on the class hub, end to end, as the teachers' guide (docs/teachers.md) says.

The teacher (ms-rao, a roster teacher: her own system user) generates and releases notebook 04 and notebook
03 from the course in classroom/course; learners kim and lee fetch both from JupyterLab's Assignments panel in
Chromium, answer in notebook 04 (kim right; lee with a softmax that overflows, a mistake the checker names) and
submit both; the teacher collects, autogrades, exports the gradebook (one row per learner and exercise) and
releases feedback; each learner fetches it in the panel, and lee's feedback carries the checker's hint.

As a learner could attack it: the exchange's course folder is the teacher's before anyone fetches; lee submits
notebook 04 again under kim's name, and collect refuses it (kim is graded on her own); lee's answer cell pries
while it is autograded, as the grader account (classroom/autograde.py, run as root), and reaches nothing of the
teacher's, of the hub's or of kim's; the teacher's own `nbgrader autograde` is refused with the command to use.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import json
import os
import pwd
import shutil
import subprocess
import sys

import pytest

from classroom import classhub
from tests.browser.lab import ROOT
from tests.hub.hub import CHROMIUM, CHROMIUM_ARGS, Course, Hub, Learner, missing_hub_reason, serving, unique_name

REASON = missing_hub_reason()
if REASON is not None and os.environ.get("CI") == "true":
    raise RuntimeError(f"grading tests cannot run in CI: {REASON}")
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"grading tests skipped: {REASON}")

NB04 = "04_self-attention-from-scratch"
NB03 = "03_dot-product-similarity"
TEACHER = unique_name("ms-rao")
KIM, LEE = unique_name("kim"), unique_name("lee")
CLASS_ENV = ROOT / ".venv-class"
SOFTMAX_RIGHT = '''def my_softmax(scores):
    """Stable softmax over the last axis."""
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
'''
SOFTMAX_OVERFLOWS = '''def my_softmax(scores):
    """Softmax over the last axis."""
    e = np.exp(scores)
    return e / e.sum(axis=-1, keepdims=True)
'''
OVERFLOW_HINT = "exp(1000) overflows to inf and the result has NaN: subtract each row's max"
# lee's answer cell also pries, as a learner's code could when the teacher autogrades it: every other submission,
# the teacher's home, gradebook and runtime files (her server's token), the hub's password store, the exchange's
# inbound folder, a startup file planted in the teacher's home, and any token in its environment
PRYING = """
import json as _json, os as _os
def _try(what, *args):
    try:
        what(*args)
        return "done"
    except OSError as e:
        return type(e).__name__
_here = _os.getcwd()
_pry = {{
    "teacher's home": _try(_os.listdir, "{teacher_home}"),
    "teacher's submissions": _try(_os.listdir, "{teacher_home}/course/submitted"),
    "teacher's gradebook": _try(open, "{teacher_home}/course/gradebook.db", "rb"),
    "teacher's runtime files": _try(_os.listdir, "{teacher_runtime}"),
    "password store": _try(open, "{passwords}", "rb"),
    "exchange inbound": _try(_os.listdir, "{inbound}"),
    "startup file": _try(open, "{teacher_home}/.ipython/profile_default/startup/00-pry.py", "w"),
}}
_pry["tokens"] = sorted(k for k in _os.environ if "TOKEN" in k)
_pry["uid"] = _os.getuid()
_pry["submissions beside mine"] = sorted(_os.listdir(_os.path.join(_here, "../../../submitted"))) if _os.path.isdir(
    _os.path.join(_here, "../../../submitted")) else None
print("PRY " + _json.dumps(_pry))
"""


@pytest.fixture(scope="module")
def hub(course):
    yield from serving(Hub([KIM, LEE], teachers=[TEACHER], course_repos=course.url))


def teacher(hub: Hub, *args: str, timeout: float = 900) -> str:
    """Run one nbgrader command as the teacher's own system user, in her copy of the course; its output."""
    home = hub.homes / TEACHER
    env = {
        "PATH": f"{CLASS_ENV / 'bin'}:/usr/bin:/bin",
        "HOME": str(home),
        "PYTHONPATH": str(ROOT),  # the series' helpers, as in the learners' kernels
        "CLASSROOM_EXCHANGE": str(hub.exchange),
        "OPENBLAS_NUM_THREADS": "1",
    }
    run = subprocess.run(
        ["runuser", "-u", TEACHER, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items()), "nbgrader", *args],
        cwd=home / "course",
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert run.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{run.stdout}\n{run.stderr}"
    return run.stdout + run.stderr


def as_root_autograde(hub: Hub, assignment: str) -> str:
    """docs/teachers.md's step: classroom/autograde.py as root, which grades each submission as the grader account."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "classroom" / "autograde.py"), assignment, "--state", str(hub.state)],
        cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("CLASSROOM_")},
    )  # fmt: skip
    assert run.returncode == 0, f"autograde.py {assignment} failed:\n{run.stdout}\n{run.stderr}"
    return run.stdout + run.stderr


def lee_forges_a_submission_as(hub: Hub, victim: str) -> str:
    """lee submits her notebook 04 again, under `victim`'s name, from her own account (nbgrader submit)."""
    home = hub.homes / LEE
    env = {
        "PATH": f"{CLASS_ENV / 'bin'}:/usr/bin:/bin",
        "HOME": str(home),
        "JUPYTER_CONFIG_PATH": str(ROOT / "classroom" / "jupyter-config"),
        "CLASSROOM_EXCHANGE": str(hub.exchange),
    }
    run = subprocess.run(
        ["runuser", "-u", LEE, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items()), "nbgrader", "submit",
         NB04, f"--CourseDirectory.student_id={victim}"],
        cwd=home, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert run.returncode == 0, f"the forged submit did not even go in:\n{run.stdout}\n{run.stderr}"
    return run.stdout + run.stderr


def the_right_answer_04_1() -> float:
    from helpers.attention import dot_similarity, softmax
    from helpers.embeddings import toy_vectors

    return round(float(softmax(dot_similarity(toy_vectors().embed("river bank flows")[1]))[1, 0]), 3)


async def assignments_panel(learner: Learner):
    """Nbgrader > Assignments, as a learner opens it; waits until the released assignments are listed."""
    page = learner.page
    await page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.commands.hasCommand('nbgrader:open-assignment-list')",
        timeout=120_000,
    )
    await page.evaluate("async () => { await window.jupyterapp.commands.execute('nbgrader:open-assignment-list'); }")
    panel = page.locator("#nbgrader-assignment-list")
    await panel.wait_for()
    return panel


async def click_in_row(panel, listing: str, assignment: str, button: str, tries: int = 12):
    """Click `button` in the row of `assignment` in one of the panel's lists (released, fetched, submitted). The
    panel redraws its lists when it reloads them, so a button can be replaced under the pointer: try again."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    row = panel.locator(f"#{listing}_assignments_list .list_item", has_text=assignment)
    for attempt in range(tries):
        # JupyterLab may bring a restored notebook's tab to the front while the panel loads: show the panel again
        await panel.page.evaluate("() => window.jupyterapp.shell.activateById('nbgrader-assignment-list')")
        try:
            await row.get_by_role("button", name=button, exact=True).first.click(timeout=10_000)
            return
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise AssertionError(
                    f"no {button!r} for {assignment} in the {listing} list; the panel says:\n{await panel.inner_text()}"
                ) from None
            # a list that loaded while the server was busy stays as it was: ask again, as a learner would
            with contextlib.suppress(PlaywrightTimeout):
                await panel.locator("#refresh_assignments_list").click(timeout=10_000)


async def fetch_answer_submit(hub: Hub, course: Course, browser, name: str, answer_04_1: str, softmax: str):
    learner = await Learner.open(hub, browser, name)
    await learner.follow_link(hub.link(course))  # the series first: the kernels import its helpers
    await learner.page.goto(f"{hub.url}/user/{name}/lab?reset")  # no restored tabs over the panel
    await learner.page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell")
    panel = await assignments_panel(learner)
    for command in ("nbgrader:open-formgrader", "nbgrader:open-create-assignment", "nbgrader:open-course-list"):
        assert not await learner.page.evaluate(f"() => window.jupyterapp.commands.hasCommand('{command}')"), command
    for assignment in (NB04, NB03):
        await click_in_row(panel, "released", assignment, "Fetch")
        fetched = panel.locator("#fetched_assignments_list .list_item", has_text=assignment)
        await fetched.get_by_role("button", name="Submit", exact=True).first.wait_for(timeout=120_000)
    assert (learner.home / "assignments" / NB04 / f"{NB04}.ipynb").exists()
    # the released notebook: the solutions are gone, the checks are there
    released = (learner.home / "assignments" / NB04 / f"{NB04}.ipynb").read_text()
    assert "BEGIN SOLUTION" not in released and "# YOUR CODE HERE" in released and "sol_weights" not in released
    await learner.open_notebook(f"{NB04}.ipynb", folder=f"assignments/{NB04}")
    await learner.write_into_cell("answer_04_1 = ...", f"answer_04_1 = {answer_04_1}")
    await learner.write_into_cell("def my_softmax(scores):", softmax)
    panel = await assignments_panel(learner)
    for assignment in (NB04, NB03):
        await click_in_row(panel, "fetched", assignment, "Submit")
        submitted = panel.locator("#submitted_assignments_list .list_item", has_text=assignment)
        await submitted.first.wait_for(timeout=120_000)
    return learner


async def fetch_feedback(learner: Learner) -> str:
    panel = await assignments_panel(learner)
    await click_in_row(panel, "submitted", NB04, "Fetch Feedback")
    folder = learner.home / "assignments" / NB04 / "feedback"
    for _ in range(120):
        pages = list(folder.glob(f"*/{NB04}.html"))
        if pages:
            return pages[0].read_text()
        await asyncio.sleep(0.5)
    raise AssertionError(f"{learner.name}'s feedback did not arrive in {folder}")


async def a_class_is_graded(hub: Hub, course: Course):
    from playwright.async_api import async_playwright

    # the teacher: her copy of the course, two assignments released
    shutil.copytree(ROOT / "classroom" / "course", hub.homes / TEACHER / "course")
    subprocess.run(["chown", "-R", f"{TEACHER}:{TEACHER}", str(hub.homes / TEACHER / "course")], check=True)
    # the exchange's course folder: made by the hub, the teacher's, before any learner could make it hers
    folder = (hub.exchange / "self-attention").stat()
    assert (pwd.getpwuid(folder.st_uid).pw_name, folder.st_mode & 0o7777) == (TEACHER, 0o755)
    assert (hub.exchange / "self-attention" / "inbound").stat().st_mode & 0o7777 == 0o2733
    for assignment in (NB04, NB03):
        teacher(hub, "generate_assignment", assignment)
        teacher(hub, "release_assignment", assignment)
    refused = subprocess.run(["runuser", "-u", TEACHER, "--", "env", "-i", f"PATH={CLASS_ENV / 'bin'}:/usr/bin:/bin",
                              f"HOME={hub.homes / TEACHER}", "nbgrader", "autograde", NB04], cwd=hub.homes / TEACHER /
                             "course", capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert refused.returncode != 0 and "classroom/autograde.py" in refused.stderr, refused.stderr

    right = the_right_answer_04_1()
    prying = PRYING.format(
        teacher_home=hub.homes / TEACHER,
        teacher_runtime=classhub.runtime_parent(hub.state) / TEACHER,
        passwords=next(hub.state.glob("passwords.dbm*")),
        inbound=hub.exchange / "self-attention" / "inbound",
    )
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        kim = await fetch_answer_submit(hub, course, browser, KIM, f"{right}", SOFTMAX_RIGHT)
        lee = await fetch_answer_submit(hub, course, browser, LEE, f"{right + 0.1:.3f}", SOFTMAX_OVERFLOWS + prying)
        lee_forges_a_submission_as(hub, KIM)  # the newest KIM submission is lee's: refused at collect

        for assignment in (NB04, NB03):
            collected = teacher(hub, "collect", assignment)
            if assignment == NB04:
                assert "Refused" in collected and f"belongs to {LEE}" in collected, collected
            print(as_root_autograde(hub, assignment))
        graded_path = hub.homes / TEACHER / "course" / "autograded" / LEE / NB04 / f"{NB04}.ipynb"
        graded = json.loads(graded_path.read_text())
        texts = [o.get("text", "") for c in graded["cells"] for o in c.get("outputs", [])]
        outputs = "".join(t if isinstance(t, str) else "".join(t) for t in texts)
        pry = json.loads(outputs.split("PRY ", 1)[1].splitlines()[0])
        print(f"lee's answer cell, run by autograde, tried: {pry}")
        assert pry.pop("uid") == pwd.getpwnam(classhub.GRADER).pw_uid
        assert pry.pop("tokens") == [] and pry.pop("submissions beside mine") == [LEE], pry
        assert set(pry.values()) == {"PermissionError"}, pry
        assert not (hub.homes / TEACHER / ".ipython").exists()
        owners = {p.stat().st_uid for p in (hub.homes / TEACHER / "course").rglob("*")}
        assert owners == {pwd.getpwnam(TEACHER).pw_uid}, "the teacher's course holds files that are not hers"
        teacher(hub, "export", "--exporter=exercise_export.ExerciseExport")
        with open(hub.homes / TEACHER / "course" / "grades.csv", newline="") as fh:
            rows = list(csv.DictReader(fh))
        got = {(r["learner"], r["exercise"]): float(r["points"]) for r in rows}
        want = {
            (KIM, "04.1"): 1, (KIM, "04.4"): 2,  # right
            (LEE, "04.1"): 0, (LEE, "04.4"): 0,  # a wrong value; the overflowing softmax
        }  # fmt: skip
        for learner in (KIM, LEE):
            for exercise in ("04.2", "04.3", "04.5", "03.1", "03.2"):
                want[(learner, exercise)] = 0  # left as released
        assert got == want, got
        assert {r["max_points"] for r in rows if r["exercise"] in ("04.4", "04.5")} == {"2"}
        print("\ngradebook (grades.csv), points per learner and exercise:")
        for r in rows:
            print(f"  {r['learner']} {r['assignment']} {r['exercise']}: {r['points']} / {r['max_points']}")

        teacher(hub, "generate_feedback", NB04)
        teacher(hub, "release_feedback", NB04)
        kims, lees = await fetch_feedback(kim), await fetch_feedback(lee)
        assert OVERFLOW_HINT in lees, "lee's feedback does not carry the checker's hint for her softmax"
        assert OVERFLOW_HINT not in kims and "Exercise 04.4: Correct" in kims
        await browser.close()


def test_a_teacher_releases_learners_submit_and_the_gradebook_holds_each_exercise(hub, course):
    asyncio.run(a_class_is_graded(hub, course))
