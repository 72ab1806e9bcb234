"""Generate the navigation of the series so links never drift.

From the files' numbers and H1 titles this writes
- the cell tagged ``contents`` in ``notebooks/00_contents.ipynb`` (a linked list of every notebook),
- the cell tagged ``implement-it`` there (the implement-it exercises, from the exercise registry), and
- the last cell of every numbered notebook, tagged ``navigation`` (prev | contents | next).
It also checks that every relative link in the notebooks, the README and the guides in docs/ points to a file that
exists (and, into a guide, to one of its headings).

    python scripts/make_nav.py          # rewrite what changed
    python scripts/make_nav.py --check  # exit 1 if anything would change or a link is broken (CI)
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CONTENTS = "00_contents.ipynb"
NAME = re.compile(r"^(\d\d)_[a-z0-9-]+\.ipynb$")
LINK = re.compile(r"\]\(([^)\s]+)\)")
# numbers the series' order gives to notebooks not written yet: listed in the contents without a link, so the list
# keeps its numbers (a Markdown list renumbers itself), and skipped by prev | next
NOT_YET = {16: "How attention copies (not written yet)"}


def numbered_notebooks() -> list[Path]:
    return sorted(p for p in NOTEBOOKS.glob("*.ipynb") if NAME.match(p.name))


def source(cell) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def title(nb: dict, path: Path) -> str:
    first = nb["cells"][0] if nb["cells"] else None
    line = source(first).splitlines()[0] if first and first["cell_type"] == "markdown" and source(first) else ""
    if not line.startswith("# "):
        raise SystemExit(f"{path.name}: the first cell must start with an H1 title ('# ...').")
    return line[2:].strip()


def tagged(nb: dict, tag: str):
    return [c for c in nb["cells"] if tag in c.get("metadata", {}).get("tags", [])]


def markdown_cell(text: str, tag: str):
    return nbformat.v4.new_markdown_cell(text, metadata={"tags": [tag]}, id=tag)


def nav_text(prev: tuple | None, nxt: tuple | None) -> str:
    left = f"[← {prev[1]}]({prev[0]})" if prev else "← (start)"
    right = f"[{nxt[1]} →]({nxt[0]})" if nxt else "(end) →"
    return f"---\n{left} | [Contents]({CONTENTS}) | {right}"


def contents_text(entries: list[tuple]) -> str:
    items = {int(name[:2]): f"[{ttl}]({name})" for name, ttl in entries if name != CONTENTS}
    items |= {n: ttl for n, ttl in NOT_YET.items() if n not in items}
    return "\n".join(["## The notebooks", ""] + [f"{n}. {items[n]}" for n in sorted(items)])


def implement_it_text(entries: list[tuple]) -> str:
    """The implement-it exercises as the registry lists them, each linked to its notebook."""
    sys.path.insert(0, str(ROOT))
    from helpers.exercises import implement_it_exercises

    files = {name[:2]: name for name, _ in entries}
    lines = [
        "**Build it yourself.** In these exercises you write the function; `check_exercise(id, your_function)`"
        " runs it on several inputs and names the mistake when it recognises one:",
        "",
    ]
    for key, writes in implement_it_exercises().items():
        lines.append(f"- [{key}]({files[key[:2]]}) {writes}")
    return "\n".join(lines)


def dump(nb) -> str:
    return nbformat.writes(nb) + "\n"


def broken_links(path: Path, text: str) -> list[str]:
    bad = []
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        file_part, _, anchor = target.split("?")[0].partition("#")
        if file_part and not (path.parent / file_part).exists():
            bad.append(f"{path.relative_to(ROOT)}: link to missing file {target}")
        elif file_part.endswith(".md") and anchor and anchor not in anchors((path.parent / file_part).read_text()):
            bad.append(f"{path.relative_to(ROOT)}: link to a heading {file_part} does not have: #{anchor}")
    return bad


def anchors(markdown: str) -> set[str]:
    """The anchors of a Markdown file's headings, as GitHub and the book (myst_heading_anchors) make them."""
    found = set()
    for heading in re.findall(r"^#{1,6} +(.+?) *$", markdown, flags=re.M):
        found.add(re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-"))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if something is stale")
    args = parser.parse_args()

    paths = numbered_notebooks()
    books = {p: nbformat.read(p, as_version=4) for p in paths}
    entries = [(p.name, title(books[p], p)) for p in paths]
    numbers = [name[:2] for name, _ in entries]
    problems = [f"two notebooks share the number {n}" for n in set(numbers) if numbers.count(n) > 1]
    problems += [f"notebook {n:02d} exists: take it out of NOT_YET" for n in NOT_YET if f"{n:02d}" in numbers]
    missing = sorted(set(range(int(max(numbers)) + 1)) - {int(n) for n in numbers} - set(NOT_YET))
    problems += [f"no notebook {n:02d}: the numbers must not skip (or list it in NOT_YET)" for n in missing]
    stale = []
    for i, path in enumerate(paths):
        nb = books[path]
        before = dump(nb)
        if path.name == CONTENTS:
            cells = tagged(nb, "contents")
            if not cells:
                problems.append(f"{CONTENTS}: no cell tagged 'contents'")
            for c in cells:
                c["source"] = contents_text(entries)
            cells = tagged(nb, "implement-it")
            if not cells:
                problems.append(f"{CONTENTS}: no cell tagged 'implement-it'")
            for c in cells:
                c["source"] = implement_it_text(entries)
        prev = entries[i - 1] if i > 0 else None
        nxt = entries[i + 1] if i + 1 < len(entries) else None
        nav = markdown_cell(nav_text(prev, nxt), "navigation")
        if nb["cells"] and "navigation" in nb["cells"][-1].get("metadata", {}).get("tags", []):
            nb["cells"][-1]["source"] = nav["source"]
        else:
            nb["cells"] = [c for c in nb["cells"] if c not in tagged(nb, "navigation")] + [nav]
        after = dump(nb)
        if after != before:
            stale.append(path.name)
            if not args.check:
                path.write_text(after, encoding="utf-8")
        text = "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")
        problems += broken_links(path, text)
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:  # the front page and the guides
        if page.exists():
            problems += broken_links(page, page.read_text(encoding="utf-8"))

    for p in problems:
        print(p, file=sys.stderr)
    if args.check and stale:
        print("navigation is stale in: " + ", ".join(stale) + " (run: make nav)", file=sys.stderr)
        return 1
    if not args.check and stale:
        print("updated: " + ", ".join(stale))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
