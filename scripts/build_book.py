"""Build the series as a static website: `make book` (into build/book, which git ignores).

The lessons and their solutions notebooks are read as they are committed, executed (nothing is re-run but the
few cells an exported slider needs), and laid out by Sphinx with myst-nb and the Book theme (book/conf.py):

- pages in the series' order, the contents page as home, previous/next links, each solutions notebook a page, and
  the guides of docs/ (for learners, teachers, maintainers, and the speed figures) in a "Guides" part;
- every picture with its text alternative and its "describe" note; a widget shows its saved picture, words and
  numbers (a widget needs a kernel to run);
- every widget with a slider gets that slider moving without Python: the statements the widget needs are run
  here (and no others), the widget is exported at each position of its slider (App.export_slider, with at most
  SLIDER_BYTES of pictures) and placed where the widget's output was; the lessons in REQUIRED must have one;
- MathJax from the npm package `make book` fetched (pinned, sha256-checked) is served from the build.

The build asks no other host for anything, and refuses a page that would: every script, style sheet, image and
frame it links must be a file of the site. It stops if the site is larger than MAX_SITE_BYTES.

    python scripts/build_book.py [--out build/book]      # prints the size and the time
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
BOOK = ROOT / "book"  # conf.py and _static
OUT = ROOT / "build" / "book"
MATHJAX_VERSION = "3.2.2"
MATHJAX = ROOT / ".cache" / f"mathjax-{MATHJAX_VERSION}"  # the npm package's es5 folder (Makefile fetches it)
# what a page can load from MathJax: TeX to HTML, its fonts, the TeX extensions it loads on demand, and the
# menu's accessibility tools (speech, explorer): a fifth of the package
MATHJAX_PARTS = ["tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions", "a11y", "ui", "sre"]

GUIDES = ("learners", "teachers", "maintainers", "speed")  # docs/<name>.md, pages of the side bar's "Guides" part
REQUIRED = ("02", "04", "07", "14")  # lessons whose widget must move in the book (the build stops if not)
CHOSEN = {"14": "temperature"}  # lesson -> the slider to export when it is not the widget's first
SLIDER_BYTES = 2_000_000  # pictures per exported slider, at most (PNG bytes; the page holds them as base64)
MAX_SITE_BYTES = 60_000_000

LESSON = re.compile(r"^(\d\d)_[a-z0-9-]+\.ipynb$")
WIDGET = "application/vnd.jupyter.widget-view+json"
SAVED_WIDGET = (  # above a widget's saved picture in the book
    '<p class="sa-widget-note">In JupyterLab this picture comes with the controls that change it; here it is '
    "shown as the notebook saved it, with its words and numbers.</p>"
)
NBVAL_MARK = re.compile(r"^\s*# NBVAL_[A-Z_]+\s*$")  # test markers: nothing for a reader
OUTSIDE = re.compile(
    r"""<(?:script|img|iframe|source|audio|video|embed)\b[^>]*?\ssrc=["']?(?:https?:)?//"""
    r"""|<link\b[^>]*?\shref=["']?(?:https?:)?//[^"'>]*["'][^>]*>|@import\s+url\(["']?(?:https?:)?//"""
    r"""|url\(["']?(?:https?:)?//""",
    re.I,
)


class BookError(Exception):
    """What stops the build, in one line."""


def lessons() -> list[Path]:
    """The numbered notebooks in the series' order, contents first."""
    return sorted(p for p in NOTEBOOKS.glob("*.ipynb") if LESSON.match(p.name))


def solutions() -> list[Path]:
    """The solutions notebooks in the lessons' order."""
    return sorted((NOTEBOOKS / "solutions").glob("*-solutions.ipynb"))


def source(cell) -> str:
    return joined(cell.get("source", ""))


def joined(text) -> str:
    """A notebook's text, saved as one string or as a list of lines. -> str"""
    return "".join(text) if isinstance(text, list) else text


def python_of(cell) -> str:
    """A code cell's Python: IPython's magics and shell lines (%..., !...) left out."""
    return "\n".join(line for line in source(cell).splitlines() if not line.lstrip().startswith(("%", "!")))


def names(tree: ast.AST) -> tuple[set[str], set[str]]:
    """(names a piece of code binds or changes, names it reads)."""
    bound, read = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, (ast.Store, ast.Del)) else read).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, (ast.Store, ast.Del)):
            base = node.value
            while isinstance(base, (ast.Attribute, ast.Subscript)):
                base = base.value
            if isinstance(base, ast.Name):  # `model.params["x"] = ...` changes model
                bound.add(base.id)
    return bound, read


def statements_needed(nb, index: int) -> list[tuple[int, ast.stmt]]:
    """The statements before cell `index` that it needs: those binding a name it reads, and so on back (a print,
    a plot or a check on the way is left out). -> [(cell, statement)] in the notebook's order"""
    parsed = []
    for i, cell in enumerate(nb.cells[: index + 1]):
        if cell.cell_type == "code":
            try:
                parsed.append((i, ast.parse(python_of(cell), filename=f"cell {i}")))
            except SyntaxError as exc:
                raise BookError(f"cell {i} is not Python the book can run: {exc}") from None
    needed = names(parsed.pop()[1])[1] if parsed and parsed[-1][0] == index else set()
    chosen = []
    for i, tree in reversed(parsed):
        for statement in reversed(tree.body):
            bound, read = names(statement)
            if bound & needed:
                chosen.append((i, statement))
                needed |= read
    return chosen[::-1]


def widget_cells(nb) -> list[int]:
    """The cells whose saved output is a live widget."""
    return [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and any(WIDGET in out.get("data", {}) for out in cell.get("outputs", []))
    ]


def run_widget(nb, index: int, where: str):
    """Run the statements widget cell `index` needs, then the cell itself, in a fresh namespace. -> the App"""
    from helpers.app import App  # here: the build needs the helpers only for exported sliders

    namespace = {"__name__": "__main__"}
    here = Path.cwd()
    os.chdir(NOTEBOOKS)  # where the notebooks run
    try:
        for i, statement in statements_needed(nb, index):
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(ast.Module([statement], []), f"{where} cell {i}", "exec"), namespace)
        tree = ast.parse(python_of(nb.cells[index]))
        if not tree.body or not isinstance(tree.body[-1], ast.Expr):
            raise BookError(f"{where} cell {index} does not end with the widget it shows")
        last = ast.Expression(tree.body.pop().value)
        exec(compile(tree, f"{where} cell {index}", "exec"), namespace)
        app = eval(compile(last, f"{where} cell {index}", "eval"), namespace)
    finally:
        os.chdir(here)
        import matplotlib.pyplot as plt

        plt.close("all")
    if not isinstance(app, App):
        raise BookError(f"{where} cell {index} shows a {type(app).__name__}, not a widget of the series")
    return app


def exported_slider(app, key: str, slider: str | None, where: str) -> str | None:
    """The widget as a slider that moves without Python: HTML to put where its output was; None if it has no
    slider (it is then shown as the notebook saved it)."""
    from helpers import standalone

    if not any(isinstance(c, standalone.SLIDERS) for c in app.controls.values()):
        return None
    try:
        export = app.export_slider(slider, max_bytes=SLIDER_BYTES)
    except ValueError as exc:
        raise BookError(f"{where}: {exc}") from None
    note = (
        '<p class="sa-standalone-note"><strong>Move the slider</strong>: this page shows what the widget draws at '
        f"{html.escape(export.made_with)} In JupyterLab every control of the widget works.</p>"
    )
    return note + standalone.fragment(key, export.label, export.frames, export.start, export.css_width)


def page_cell(cell) -> None:
    """A code cell as the book shows it: test markers out; a widget's output as its saved picture and words."""
    lines = [line for line in source(cell).splitlines() if not NBVAL_MARK.match(line)]
    cell.source = "\n".join(lines)
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if data.pop(WIDGET, None) is not None and "text/html" in data:
            data["text/html"] = SAVED_WIDGET + joined(data["text/html"])


def toctree(caption: str, docs: list[str]) -> str:
    return "```{toctree}\n:hidden:\n:caption: " + caption + "\n\n" + "\n".join(docs) + "\n```"


def guide_page(markdown: str) -> str:
    """A guide of docs/ as a page of the book (in guides/): links to the notebooks become links to their pages, the
    README's to the contents page, and links to other files of the repository, which are not pages, their text."""
    markdown = re.sub(r"\]\(\.\./notebooks/", "](../", markdown)
    markdown = re.sub(r"\]\(\.\./README\.md[^)]*\)", "](../00_contents.ipynb)", markdown)
    return re.sub(r"\[([^\]]+)\]\(\.\./(?![^)]*\.ipynb)[^)]*\)", r"\1", markdown)


def favicon(path: Path) -> None:
    """The site's icon: a 3 x 3 attention heatmap, strongest on the diagonal (32 x 32 pixels, PNG)."""
    import numpy as np
    from PIL import Image

    weights = np.array([[0.7, 0.2, 0.1], [0.2, 0.6, 0.2], [0.1, 0.3, 0.6]])
    low, high = np.array([68, 1, 84]), np.array([253, 231, 37])  # viridis' ends, as the heatmaps
    cells = (low + (high - low) * (weights / weights.max())[..., None]).astype(np.uint8)
    pixels = np.kron(cells, np.ones((10, 10, 1), dtype=np.uint8))
    Image.fromarray(np.pad(pixels, ((1, 1), (1, 1), (0, 0)), constant_values=255)).save(path)


def stage(folder: Path, log) -> dict:
    """Write the pages' sources into folder: conf.py, _static (with MathJax) and the notebooks as shown."""
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(BOOK, folder, ignore=shutil.ignore_patterns("__pycache__"))
    if not (MATHJAX / "tex-chtml.js").is_file():
        raise BookError(f"MathJax {MATHJAX_VERSION} is missing at {MATHJAX}: run `make book` (it fetches it)")
    for part in MATHJAX_PARTS:
        src, dst = MATHJAX / part, folder / "_static" / "mathjax" / part
        dst.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dst)
    shutil.copy2(MATHJAX / "LICENSE", folder / "_static" / "mathjax" / "LICENSE")
    favicon(folder / "_static" / "favicon.png")
    (folder / "solutions").mkdir()
    exported = {}
    for path in lessons() + solutions():
        nb = nbformat.read(path, as_version=4)
        number = path.name[:2]
        if path.parent == NOTEBOOKS:
            for index in widget_cells(nb):
                started, where = time.perf_counter(), f"notebook {number} cell {index}"
                app = run_widget(nb, index, f"notebook {number}")
                fragment = exported_slider(app, f"slider-{number}-{index}", CHOSEN.get(number), where)
                if fragment is None:
                    log(f"  {where}: a widget without a slider, shown as saved")
                    continue
                for out in nb.cells[index].outputs:
                    if WIDGET in out.get("data", {}):
                        out["data"] = {"text/html": fragment, "text/plain": out["data"].get("text/plain", "")}
                        out["metadata"] = {}
                exported[f"{number}-{index}"] = [len(fragment), round(time.perf_counter() - started, 2)]
                log(f"  {where}: slider exported, {len(fragment) / 1e6:.1f} MB in {exported[f'{number}-{index}'][1]} s")
        for cell in nb.cells:
            if cell.cell_type == "code":
                page_cell(cell)
        nb.metadata.pop("widgets", None)  # the saved widget state: only a live kernel can use it
        if path.name.startswith("00_"):
            nb.cells.append(nbformat.v4.new_markdown_cell(toctree("Lessons", [p.stem for p in lessons()[1:]])))
            nb.cells.append(
                nbformat.v4.new_markdown_cell(toctree("Solutions", [f"solutions/{p.stem}" for p in solutions()]))
            )
            nb.cells.append(nbformat.v4.new_markdown_cell(toctree("Guides", [f"guides/{g}" for g in GUIDES])))
        nbformat.write(nb, folder / path.relative_to(NOTEBOOKS))
    (folder / "guides").mkdir()
    for name in GUIDES:
        text = (ROOT / "docs" / f"{name}.md").read_text(encoding="utf-8")
        (folder / "guides" / f"{name}.md").write_text(guide_page(text), encoding="utf-8")
    missing = [n for n in REQUIRED if not any(key.startswith(n + "-") for key in exported)]
    if missing:
        raise BookError(f"no slider could be exported for lesson(s) {', '.join(missing)} (REQUIRED)")
    return exported


def outside_links(site: Path) -> list[str]:
    """Every script, style sheet, image or frame a page of the site would fetch from another host."""
    found = []
    for path in site.rglob("*"):
        if path.suffix in (".html", ".css") and path.is_file():
            for match in OUTSIDE.finditer(path.read_text(encoding="utf-8", errors="replace")):
                found.append(f"{path.relative_to(site)}: {match.group(0)[:120]}")
    return found


def size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def build(out: Path = OUT, log=print) -> dict:
    """Stage, run Sphinx, check the site. -> {"bytes", "pages", "seconds", "exported"}"""
    started = time.perf_counter()
    staging = out.parent / f"{out.name}-source"
    log(f"staging the pages in {staging}")
    exported = stage(staging, log)
    if out.exists():
        shutil.rmtree(out)
    doctrees = out.parent / f"{out.name}-doctrees"
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going", "-E"]
    command += ["-d", str(doctrees), str(staging), str(out)]
    log("sphinx-build")
    done = subprocess.run(command, check=False, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise BookError(f"sphinx-build failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    (out / ".buildinfo").unlink(missing_ok=True)
    (out / ".nojekyll").touch()  # GitHub Pages would otherwise hide the _static folder
    (out / "index.html").write_text(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Self-Attention, Step by Step</title>'
        '<meta http-equiv="refresh" content="0; url=00_contents.html"></head>'
        '<body><main><p><a href="00_contents.html">Self-Attention, Step by Step: the contents</a></p></main>'
        "</body></html>\n",
        encoding="utf-8",
    )
    outside = outside_links(out)
    if outside:
        raise BookError("a page would fetch from another host:\n" + "\n".join(outside[:20]))
    total = size(out)
    if total > MAX_SITE_BYTES:
        raise BookError(f"the site is {total / 1e6:.1f} MB, over the {MAX_SITE_BYTES / 1e6:.0f} MB it may take")
    pages = sorted(str(p.relative_to(out)) for p in out.rglob("*.html") if "_static" not in p.parts)
    return {"bytes": total, "pages": pages, "seconds": time.perf_counter() - started, "exported": exported}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="the folder to write the site into")
    args = parser.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        report = build(args.out.resolve())
    except BookError as exc:
        print(f"build_book: {exc}", file=sys.stderr)
        return 1
    print(
        f"the book: {len(report['pages'])} pages, {report['bytes'] / 1e6:.1f} MB, in {report['seconds']:.0f} s "
        f"-> {args.out / 'index.html'}"
    )
    print(json.dumps({k: v for k, v in report.items() if k != "pages"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
