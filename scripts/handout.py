"""Copies of the lesson notebooks for a class, without the way to the solutions: the "## Solutions" section
(its link to notebooks/solutions/) is left out, and the solutions notebooks are not copied.

    .venv/bin/python scripts/handout.py handout/          # writes handout/NN_name.ipynb and leaves notebooks/ alone

The learners' copies keep every exercise and its check; hand out notebooks/ itself to include the solutions.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def without_solutions(nb):
    """The notebook with its Solutions section removed (its heading and its cells, up to the navigation). -> notebook"""
    cells, skipping = [], False
    for cell in nb.cells:
        text = cell.source.lstrip()
        if cell.cell_type == "markdown" and text.startswith("## Solutions"):
            skipping = True
            continue
        if skipping and cell.cell_type == "markdown" and text.startswith("---"):
            skipping = False  # the navigation cell ends the section
        if not skipping:
            cells.append(cell)
    nb.cells = cells
    return nb


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="the folder to write the copies to (not notebooks/)")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    notebooks = (ROOT / "notebooks").resolve()
    if out == notebooks or notebooks in out.parents:
        parser.error(
            "write the copies to a folder outside notebooks/: notebooks/ keeps the solutions, and the tests would "
            "collect the copies as notebooks of the series"
        )
    if out == ROOT.resolve():
        parser.error("write the copies to a folder of their own, not the repository's root")
    if out.exists() and not out.is_dir():
        parser.error(f"{out} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        parser.error(f"cannot make the folder {out}: {exc.strerror or exc}")
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = without_solutions(nbformat.read(path, as_version=4))
        nbformat.write(nb, out / path.name)
        print(f"{out / path.name}: {len(nb.cells)} cells")


if __name__ == "__main__":
    main()
