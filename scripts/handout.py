"""Copies of the lesson notebooks for a class, without the way to the solutions: the "## Solutions" section
(its link to notebooks/solutions/) is left out, and the solutions notebooks are not copied.

    .venv/bin/python scripts/handout.py handout/          # writes handout/NN_name.ipynb and leaves notebooks/ alone
    .venv/bin/python scripts/handout.py --branch handout  # the whole series as a git branch learners can pull

The learners' copies keep every exercise and its check; hand out notebooks/ itself to include the solutions.

With --branch, the repository's last commit (HEAD) becomes a commit on a branch with a history of its own (each
run adds one commit on top of the branch's last), holding every committed file except LEFT_OUT (the solutions
notebooks, the graded course's source, and the tests, which hold right answers to the exercises), with the lessons
as above. No commit of the branch ever held a solution, so a learner's clone of it has none in its history either.
Publish it as the main branch of the repository the class's pull link names:
    git push <the class's repository> handout:main
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import tarfile
import tempfile
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


LEFT_OUT = ("notebooks/solutions/", "classroom/course/source/", "tests/")


def _git(repo: Path, *args: str, env: dict | None = None, data: bytes | None = None) -> bytes:
    run = subprocess.run(["git", *args], cwd=repo, input=data, capture_output=True, env=env, check=False)
    if run.returncode != 0:
        raise SystemExit(f"handout: git {' '.join(args)} failed: {run.stderr.decode().strip()}")
    return run.stdout


def handout_tree(repo: Path, out: Path) -> int:
    """Write the files of the repository's HEAD except LEFT_OUT into `out`, the lessons without their Solutions
    section. -> how many files"""
    written = 0
    with tarfile.open(fileobj=io.BytesIO(_git(repo, "archive", "--format=tar", "HEAD"))) as tar:
        for member in tar.getmembers():
            if not (member.isfile() or member.issym()) or member.name.startswith(LEFT_OUT):
                continue
            target = out / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if member.issym():
                os.symlink(member.linkname, target)
            elif (
                member.name.startswith("notebooks/")
                and Path(member.name).parent.name == "notebooks"
                and (member.name.endswith(".ipynb") and Path(member.name).name[:2].isdigit())
            ):
                nb = without_solutions(nbformat.reads(tar.extractfile(member).read().decode("utf-8"), as_version=4))
                nbformat.write(nb, target)
            else:
                target.write_bytes(tar.extractfile(member).read())
                target.chmod(0o755 if member.mode & 0o100 else 0o644)
            written += 1
    return written


def commit_handout(repo: Path, branch: str) -> str:
    """The handout of HEAD as a commit on `branch` (its own history; no new commit when nothing changed). -> sha"""
    head = _git(repo, "rev-parse", "HEAD").decode().strip()
    who = _git(repo, "log", "-1", "--format=%an%n%ae%n%cI", "HEAD").decode().splitlines()
    env = dict(os.environ, GIT_AUTHOR_NAME=who[0], GIT_AUTHOR_EMAIL=who[1], GIT_AUTHOR_DATE=who[2])
    env.update(GIT_COMMITTER_NAME=who[0], GIT_COMMITTER_EMAIL=who[1], GIT_COMMITTER_DATE=who[2])
    with tempfile.TemporaryDirectory() as folder:
        tree_dir = Path(folder) / "tree"
        tree_dir.mkdir()
        count = handout_tree(repo, tree_dir)
        env["GIT_INDEX_FILE"] = str(Path(folder) / "index")
        _git(repo, f"--work-tree={tree_dir}", "add", "--all", "--force", ".", env=env)
        tree = _git(repo, "write-tree", env=env).decode().strip()
    parent = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if parent and _git(repo, "rev-parse", f"{parent}^{{tree}}").decode().strip() == tree:
        print(f"{branch}: {parent[:12]} already holds the handout of {head[:12]}")
        return parent
    message = f"Handout of {head[:12]}: the series without its solutions ({count} files)\n".encode()
    sha = _git(repo, "commit-tree", tree, *(["-p", parent] if parent else []), env=env, data=message).decode().strip()
    _git(repo, "update-ref", f"refs/heads/{branch}", sha)
    print(f"{branch}: {sha[:12]}, the handout of {head[:12]} ({count} files; left out: {', '.join(LEFT_OUT)})")
    return sha


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, nargs="?", help="the folder to write the copies to (not notebooks/)")
    parser.add_argument("--branch", help="make the handout a commit on this git branch instead (see above)")
    args = parser.parse_args(argv)
    if args.branch:
        if args.out is not None:
            parser.error("give a folder or --branch, not both")
        if _git(ROOT, "check-ref-format", "--branch", args.branch).decode().strip() != args.branch:
            parser.error(f"{args.branch!r} is not a branch name")
        commit_handout(ROOT, args.branch)
        return
    if args.out is None:
        parser.error("say where the copies go: a folder, or --branch NAME")
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
