"""Every reference to a notebook or an exercise names one that exists and that uses what the sentence is about.

After a renumbering, a "notebook 09" left behind in a docstring, a requirements file, the README or a guide in docs/
fails here.
Where a reference stands decides what it is about: a function's docstring or body is about that function; a
section heading (``# ---- name``) with a number is about the functions under it; a module's docstring or
top-level comment is about the module (any of its public names, or the module itself, must appear in the
notebook's code); a line of the README, a guide or a requirements file is about the helpers names it mentions.
"""

import ast
import json
import re
from functools import cache
from pathlib import Path

import pytest

from helpers.exercises import exercise_ids, implement_it_exercises

ROOT = Path(__file__).resolve().parents[1]
HELPERS = ROOT / "helpers"
# "notebook 09", "notebooks 11 and 12", "notebooks 01 to 03", "(introduced in notebook 10)"
NOTEBOOK_REF = re.compile(r"[Nn]otebooks? ((?:\d\d)(?:(?:, | and | to |, and )\d\d)*)")
BARE_INTRODUCED = re.compile(r"introduced in (\d\d)\b", re.I)
HEADING = re.compile(r"^# -{5,} (\d\d)\b")
EXERCISE_ID = re.compile(r"(?<![\d.])(\d\d)\.(\d)(?![\d.%])(?! ?ms\b| ?s\b| MB| x)")


@cache
def notebooks() -> dict:
    """Notebook number -> the text of its cells, one string."""
    found = {}
    for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        found[path.name[:2]] = "\n".join("".join(c["source"]) for c in cells)  # code, and prose that names it
    return found


def numbers(phrase: str) -> list:
    """ "11 and 12" -> ["11", "12"]; "01 to 03" -> ["01", "02", "03"]."""
    if " to " in phrase:
        first, last = (int(n) for n in re.findall(r"\d\d", phrase))
        return [f"{n:02d}" for n in range(first, last + 1)]
    return re.findall(r"\d\d", phrase)


def uses(number: str, names: set) -> bool:
    """The notebook names one of these (a learner's my_<name> counts: the notebook has them write it)."""
    text = notebooks()[number]
    return any(
        re.search(rf"(?<![A-Za-z0-9])(my_)?{re.escape(name)}\b", text) if name.isidentifier() else name in text
        for name in names
    )


def python_sources() -> list:
    return sorted(HELPERS.rglob("*.py")) + sorted((ROOT / "scripts").glob("*.py"))


def module_names(path: Path, tree: ast.Module) -> set:
    """What a module stands for in a notebook: its public names and its own (or its package's) name."""
    names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef) and not n.name.startswith("_")}
    names |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    names |= {path.stem, path.parent.name} - {"__init__", "helpers", "scripts"}
    return {n for n in names if not n.startswith("_")}


def exercise_module_ids(path: Path) -> set:
    return set(re.findall(r"(?:exercise|routine)\(\s*\"(\d\d\.\d)\"", path.read_text(encoding="utf-8")))


def python_references():
    """(where, notebook number, names the notebook must use) for every reference in helpers/ and scripts/."""
    for path in python_sources():
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        lines = text.splitlines()
        scopes = [
            (n.lineno, n.end_lineno, n.name) for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)
        ]
        whole = module_names(path, tree)
        defined = exercise_module_ids(path) if path.parent.name == "exercises" else set()
        headings = [i + 1 for i, line in enumerate(lines) if line.startswith("# ----")] + [len(lines) + 1]
        for i, line in enumerate(lines, start=1):
            refs = [n for m in NOTEBOOK_REF.finditer(line) for n in numbers(m.group(1))]
            heading = HEADING.match(line)
            if defined:  # an exercise module is about the exercises it defines: the notebook must check one
                for number in refs + ([heading.group(1)] if heading else []):
                    yield f"{path.relative_to(ROOT)}:{i}", number, {f'check_exercise("{k}"' for k in defined}
                continue
            if heading:
                end = next(h for h in headings if h > i)
                names = {name for start, _, name in scopes if i < start < end and not name.startswith("_")}
                names |= {e for n in names for e in widgets_calling().get(n, ())}
                yield f"{path.relative_to(ROOT)}:{i}", heading.group(1), names or whole
                continue
            inside = [(start, end, name) for start, end, name in scopes if start <= i <= end]
            names = {min(inside, key=lambda s: s[1] - s[0])[2]} if inside else whole
            names |= {e for n in names for e in widgets_calling().get(n, ())}  # a step is used through its widget
            for number in refs:
                yield f"{path.relative_to(ROOT)}:{i}", number, names


@cache
def widgets_calling() -> dict:
    """Step name -> the widget builders that call it (a notebook uses a step through its widget)."""
    calls = {}
    for path in (HELPERS / "widgets").glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef):
                for step in re.findall(r"steps\.(\w+)\(", ast.unparse(node)):
                    calls.setdefault(step, set()).add(node.name)
    return calls


def helpers_names() -> set:
    """Every public name the helpers define, and their modules' names."""
    names = set()
    for path in HELPERS.rglob("*.py"):
        names |= module_names(path, ast.parse(path.read_text(encoding="utf-8")))
    return {n for n in names if len(n) > 3}


def text_references():
    """(where, notebook number, helpers names in code on that line) for the README, the guides, requirements files and
    postBuild."""
    known = helpers_names()
    for path in [*PAGES, ROOT / "postBuild", *sorted(ROOT.glob("requirements*.txt"))]:
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = " ".join(re.findall(r"`([^`]+)`", line) + re.findall(r"helpers/(\w+)", line))
            words = set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", code)) & known
            for m in NOTEBOOK_REF.finditer(line):
                for number in numbers(m.group(1)):
                    yield f"{path.name}:{i}", number, words


PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]  # the front page and the guides
REFERENCES = list(python_references()) + list(text_references())


def test_the_references_were_found():
    where = {w.split(":")[0] for w, _, _ in REFERENCES}
    assert len(REFERENCES) > 50 and "requirements-model.txt" in where, where
    assert {"README.md", "learners.md", "teachers.md", "maintainers.md", "speed.md"} <= where, where


@pytest.mark.parametrize("where, number, names", REFERENCES, ids=[f"{w}->{n}" for w, n, _ in REFERENCES])
def test_a_reference_names_a_notebook_that_uses_it(where, number, names):
    assert number in notebooks(), f"{where} names notebook {number}, which does not exist"
    if names:
        assert uses(number, names), f"{where} names notebook {number}, whose code uses none of {sorted(names)}"


def test_no_bare_introduced_in():
    """'introduced in 06' without the word notebook is how stale numbers hid; write 'introduced in notebook 06'."""
    bare = [
        f"{p.relative_to(ROOT)}:{i}"
        for p in python_sources()
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if BARE_INTRODUCED.search(line)
    ]
    assert not bare, bare


def exercise_references():
    for path in python_sources():
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for key in re.findall(r"\"(\d\d\.\d)\"", line):
                yield f"{path.relative_to(ROOT)}:{i}", key
    for page, i, line in (
        (p, i, line) for p in PAGES for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
    ):
        if line.startswith("|"):  # a table: an id is a row's first cell or stands among words, never a bare measurement
            cells = line.split("|")[1:-1]
            line = "|".join(c for k, c in enumerate(cells) if k == 0 or not re.fullmatch(r"\s*[\d.,]+\s*", c))
        for m in EXERCISE_ID.finditer(line):
            if int(m.group(1)) <= 20:  # larger numbers in the guides are measurements (50.8 ms), not exercises
                yield f"{page.name}:{i}", m.group(0)[:4]


@pytest.mark.parametrize("where, key", list(exercise_references()))
def test_an_exercise_id_is_registered_and_checked_in_its_notebook(where, key):
    if where.startswith("tests/"):
        return
    assert key in exercise_ids(), f"{where} names exercise {key}, which is not registered"
    assert f'check_exercise("{key}"' in notebooks()[key[:2]], f"{where}: notebook {key[:2]} never checks {key}"


def test_the_learners_guide_lists_exactly_the_implement_it_exercises():
    readme = (ROOT / "docs" / "learners.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d\d\.\d) \| `my_\w+\(.*\| (\d\d) \|$", readme, flags=re.M)
    assert [key for key, _ in rows] == list(implement_it_exercises())
    assert all(key[:2] == number for key, number in rows)


def test_names_carry_no_exercise_ids():
    """A constant or function is named for what it is (_VARIANCE_D_K), never for an exercise (_D_K_061)."""
    pattern = re.compile(r"\b_?[A-Za-z_]*_\d\d_?\d\b|\b_?[A-Za-z_]*_\d{3}\b")
    found = [
        f"{p.relative_to(ROOT)}: {name}"
        for p in python_sources()
        for name in {
            n.id if isinstance(n, ast.Name) else n.name
            for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
            if isinstance(n, ast.Name | ast.FunctionDef | ast.ClassDef)
        }
        if pattern.fullmatch(name)
    ]
    assert not found, found
