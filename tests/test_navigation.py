"""The generated navigation: titles, prev | contents | next, and broken-link detection."""

import importlib.util
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("make_nav", ROOT / "scripts" / "make_nav.py")
make_nav = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_nav)


def test_every_notebook_has_a_title_and_a_generated_navigation_cell():
    paths = make_nav.numbered_notebooks()
    numbers = [int(p.name[:2]) for p in paths]
    assert numbers == sorted(set(numbers) - set(make_nav.NOT_YET))  # no duplicates
    assert sorted(numbers + list(make_nav.NOT_YET)) == list(range(len(paths) + len(make_nav.NOT_YET)))  # no gaps
    for i, path in enumerate(paths):
        nb = nbformat.read(path, as_version=4)
        assert make_nav.title(nb, path)
        last = nb.cells[-1]
        assert "navigation" in last.metadata.get("tags", [])
        if i + 1 < len(paths):
            assert f"]({paths[i + 1].name})" in last.source
        if i > 0:
            assert f"]({paths[i - 1].name})" in last.source


def test_contents_links_every_notebook():
    nb = nbformat.read(ROOT / "notebooks" / "00_contents.ipynb", as_version=4)
    contents = "\n".join(c.source for c in nb.cells if "contents" in c.metadata.get("tags", []))
    for path in make_nav.numbered_notebooks()[1:]:
        assert f"]({path.name})" in contents
    for n, text in make_nav.NOT_YET.items():
        assert f"\n{n}. {text}\n" in contents + "\n"  # listed in its place, without a link


def test_broken_links_are_found(tmp_path, monkeypatch):
    monkeypatch.setattr(make_nav, "ROOT", tmp_path)  # it reports paths relative to the repository
    (tmp_path / "there.ipynb").write_text("{}")
    text = "[ok](there.ipynb) [anchor](#x) [web](https://example.org) [bad](missing.ipynb)"
    assert make_nav.broken_links(tmp_path / "page.md", text) == ["page.md: link to missing file missing.ipynb"]


def test_handout_copies_have_every_exercise_and_no_solution(tmp_path):
    spec = importlib.util.spec_from_file_location("handout", ROOT / "scripts" / "handout.py")
    handout = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(handout)
    handout.main([str(tmp_path)])
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        original = nbformat.read(path, as_version=4)
        copy = nbformat.read(tmp_path / path.name, as_version=4)
        text = "\n".join(c.source for c in copy.cells)
        assert "## Solutions" not in text and "solution_" not in text
        assert copy.cells[-1].source.lstrip().startswith("---")  # the navigation stays
        for cell in original.cells:  # every exercise's question and check stays
            if ("check_exercise(" in cell.source and "= ..." in cell.source) or "    ...\n" in cell.source:
                assert any(c.source == cell.source for c in copy.cells), cell.source[:60]
        if "## Solutions" in "\n".join(c.source for c in original.cells):
            assert len(copy.cells) < len(original.cells)
    assert not list(tmp_path.glob("*solutions*")), "the solutions notebooks are not handed out"


def test_every_exercise_has_its_solution_in_a_notebook_of_its_own():
    """The lessons show no answer; each one's solutions notebook checks every exercise of the lesson, correctly."""
    import re

    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        lesson = nbformat.read(path, as_version=4)
        asked = set(re.findall(r'check_exercise\("(\d\d\.\d)"', "\n".join(c.source for c in lesson.cells)))
        outputs = [o for c in lesson.cells if c.cell_type == "code" for o in c.outputs]
        shown = " ".join(str(o.get("data", {}).get("text/plain", "")) + str(o.get("text", "")) for o in outputs)
        assert "Correct." not in shown and "solution_" not in "\n".join(c.source for c in lesson.cells), path.name
        if not asked:
            continue
        solutions = ROOT / "notebooks" / "solutions" / f"{path.stem}-solutions.ipynb"
        assert f"(solutions/{solutions.name})" in "\n".join(c.source for c in lesson.cells), f"{path.name} links it"
        sol = nbformat.read(solutions, as_version=4)
        checked = re.findall(
            r"Exercise (\d\d\.\d): Correct\.",
            " ".join(
                str(o.get("data", {}).get("text/plain", ""))
                for c in sol.cells
                if c.cell_type == "code"
                for o in c.outputs
            ),
        )
        assert set(checked) == asked, f"{solutions.name} checks {sorted(set(checked))}, the lesson asks {sorted(asked)}"


@pytest.mark.parametrize(
    "where, words",
    [
        ("notebooks", "outside notebooks/"),
        ("notebooks/handout", "outside notebooks/"),
        (".", "not the repository's root"),
        ("README.md", "is a file, not a folder"),
        ("README.md/handout", "cannot make the folder"),
    ],
)
def test_handout_refuses_outputs_that_would_mix_with_the_series(where, words, capsys):
    spec = importlib.util.spec_from_file_location("handout", ROOT / "scripts" / "handout.py")
    handout = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(handout)
    with pytest.raises(SystemExit) as exit_info:
        handout.main([str(ROOT / where)])
    assert exit_info.value.code == 2 and words in capsys.readouterr().err
    assert not (ROOT / "notebooks" / "handout").exists()
