"""nbgitpuller, guarded, in each learner's server (a Jupyter server extension the class hub enables in its place).

- A link may only pull into a folder inside the learner's home (`targetpath=/abs`, `../x` or a link leading out
  are refused) and, when the teacher lists the course's repositories, only from one of them.
- After each pull the learner is told what nbgitpuller did on their behalf, which it otherwise does silently:
  where their version of a line the teacher changed was kept (the teacher's version of that file is saved beside
  the copy), which files they had deleted came back, which of their files were renamed to make room for a new
  one. It is shown on a page before the notebook opens and appended to `<copy>-pull-report.md` next to the copy.

The merge itself is nbgitpuller's, unchanged.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import time
import urllib.parse
from pathlib import Path

ALLOWED_ENV = "CLASSROOM_COURSE_REPOS"  # the course's repositories, separated by spaces ('' for any)
RENAMED = re.compile(r"Renamed (.+) to (.+) to avoid conflict with upstream")


class PullRefused(ValueError):
    """A link that asks for something a learner's pull may not do; the message says what and why."""


def allowed_repos(value: str | None) -> list[str]:
    """The course repositories a link may pull from ([] for any)."""
    return [repo.rstrip("/") for repo in (value or "").split()]


def pull_target(root: Path, repo: str, targetpath: str | None, allowed: list[str]) -> Path:
    """The folder a pull of `repo` into `targetpath` writes, checked to be inside `root` (the learner's home)."""
    if not repo or "\0" in repo:
        raise PullRefused("the link names no repository")
    if allowed and repo.rstrip("/") not in allowed:
        raise PullRefused(f"this class pulls only from {', '.join(allowed)}, not from {repo}")
    target = targetpath if targetpath is not None else repo.rsplit("/", maxsplit=1)[-1]
    if not target or "\0" in target:
        raise PullRefused("the link names no folder to pull into (targetpath)")
    parts = Path(target).parts
    if Path(target).is_absolute() or target.startswith("~") or ".." in parts or "." in target.split("/"):
        raise PullRefused(f"targetpath={target!r} must be a folder inside your home, such as 'self-attention'")
    home = root.resolve()
    folder = (home / target).resolve()
    if folder == home or not folder.is_relative_to(home):
        raise PullRefused(f"targetpath={target!r} leads outside your home")
    return folder


def safe_next(path: str) -> str:
    """The page to open after the pull, relative to the server (never another site)."""
    if not path or path.startswith(("/", "\\")) or "://" in path or "\\" in path:
        raise PullRefused(f"urlpath={path!r} must be a page of this server, such as 'lab/tree/self-attention'")
    return path


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=False, timeout=60)


def before_pull(folder: Path) -> dict:
    """What the learner's copy looks like before nbgitpuller touches it: its commit and the files they deleted."""
    if not (folder / ".git").is_dir():
        return {"head": None, "deleted": []}
    head = _git(folder, "rev-parse", "HEAD").stdout.strip() or None
    deleted = [f for f in _git(folder, "ls-files", "--deleted", "-z").stdout.split("\0") if f]
    return {"head": head, "deleted": deleted}


def after_pull(folder: Path, before: dict, renamed: list[tuple[str, str]]) -> list[str]:
    """What the pull did that the learner should know, one sentence each (and the teacher's versions saved)."""
    if before["head"] is None:
        return []
    news = []
    head = _git(folder, "rev-parse", "HEAD").stdout.strip()
    parents = _git(folder, "rev-list", "--parents", "-n", "1", "HEAD").stdout.split()[1:]
    if head != before["head"] and len(parents) == 2:
        mine, teachers = parents
        # the same merge without -Xours: the files where it would have stopped are those where -Xours kept the
        # learner's lines in place of the teacher's
        check = _git(folder, "merge-tree", "--write-tree", "--name-only", "--no-messages", mine, teachers)
        if check.returncode == 1:
            kept = [line for line in check.stdout.splitlines()[1:] if line.strip()]
            saved = folder.parent / f"{folder.name}-teacher-versions"
            for name in kept:
                show = subprocess.run(
                    ["git", "show", f"{teachers}:{name}"], cwd=folder, capture_output=True, check=False
                )
                if show.returncode == 0:
                    (saved / name).parent.mkdir(parents=True, exist_ok=True)
                    (saved / name).write_bytes(show.stdout)
                news.append(
                    f"You had changed lines of {name} that the teacher changed too: your version was kept. "
                    f"The teacher's version is in {saved.name}/{name}."
                )
        elif check.returncode != 0:
            news.append(f"Could not check which of your changes were kept: {check.stderr.strip()}")
    for name in before["deleted"]:
        if (folder / name).exists():
            news.append(f"{name}, which you had deleted, is back: the teacher's copy was restored.")
    for old, new in renamed:
        old_name = os.path.relpath(old, folder)
        new_name = os.path.relpath(new, folder)
        news.append(f"Your file {old_name} was renamed {new_name}: the teacher added a file with its name.")
    return news


def write_report(folder: Path, news: list[str]) -> Path:
    """Append this pull's news to `<copy>-pull-report.md` next to the copy."""
    report = folder.parent / f"{folder.name}-pull-report.md"
    new = not report.exists()
    with report.open("a", encoding="utf-8") as out:
        if new:
            out.write(f"# What updates of {folder.name} did to your copy\n")
        out.write(f"\n## Update of {time.strftime('%Y-%m-%d %H:%M')}\n\n")
        out.writelines(f"- {line}\n" for line in news)
    return report


def news_page(news: list[str], report: Path, next_url: str) -> str:
    """The page a learner sees after a pull with news, before the notebook opens."""
    items = "".join(f"<li>{html.escape(line)}</li>" for line in news)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>What the update changed</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#111}"
        "a{color:#0b57d0}</style></head><body><main><h1>What the update changed in your copy</h1>"
        f"<ul>{items}</ul><p>This list is also kept in <code>{html.escape(report.name)}</code>, next to your copy."
        f'</p><p><a id="continue" href="{html.escape(next_url)}">Continue</a></p></main></body></html>'
    )


def _load_jupyter_server_extension(app):
    """Register nbgitpuller's pages, guarded, and the page that tells the learner what a pull did."""
    from nbgitpuller._compat import get_base_handler

    get_base_handler(app)
    from jupyter_server.utils import url_path_join
    from nbgitpuller import handlers as puller
    from tornado import web
    from tornado.web import StaticFileHandler

    allowed = allowed_repos(os.environ.get(ALLOWED_ENV))
    news_by_folder: dict[str, tuple[list[str], Path]] = {}

    def root(handler) -> Path:
        return Path(os.path.expanduser(handler.settings["server_root_dir"]))

    class GuardedUI(puller.UIHandler):
        @web.authenticated
        async def get(self):
            try:
                folder = pull_target(
                    root(self),
                    self.get_argument("repo", ""),
                    self.get_argument("targetpath", None) or self.get_argument("targetPath", None),
                    allowed,
                )
                then = super().get_argument("urlpath", None) or super().get_argument("urlPath", None)
                then = safe_next(then or f"lab/tree/{folder.relative_to(root(self).resolve())}")
            except PullRefused as exc:
                raise web.HTTPError(400, f"This link cannot be used: {exc}.") from None
            self._after = "classroom-pulled?" + urllib.parse.urlencode({"folder": str(folder), "next": then})
            await super().get()

        def get_argument(self, name, *args, **kwargs):
            if name in ("urlpath", "urlPath") and hasattr(self, "_after"):
                return self._after if name == "urlpath" else None
            return super().get_argument(name, *args, **kwargs)

    class GuardedSync(puller.SyncHandler):
        @web.authenticated
        async def get(self):
            try:
                self._folder = pull_target(
                    root(self), self.get_argument("repo", ""), self.get_argument("targetpath", None), allowed
                )
            except PullRefused as exc:
                self.set_header("content-type", "text/event-stream")
                message = f"This link cannot be used: {exc}."
                await self.emit({"phase": "error", "message": message, "output": message, "error": {"code": "refused"}})
                return
            self._before = before_pull(self._folder)
            self._renamed = []
            await super().get()

        async def emit(self, data):
            if isinstance(data, dict):
                found = RENAMED.search(str(data.get("output", "")))
                if found:
                    self._renamed.append(found.groups())
                if data.get("phase") == "finished":  # before the page is told, so the news is there when it asks
                    news = after_pull(self._folder, self._before, self._renamed)
                    if news:
                        news_by_folder[str(self._folder)] = (news, write_report(self._folder, news))
                    else:
                        news_by_folder.pop(str(self._folder), None)
            await super().emit(data)

    class AfterPull(puller.JupyterHandler):
        @web.authenticated
        def get(self):
            then = self.get_argument("next", "lab")
            try:
                then = safe_next(then)
            except PullRefused as exc:
                raise web.HTTPError(400, str(exc)) from None
            target = self.base_url + then
            found = news_by_folder.pop(self.get_argument("folder", ""), None)
            if not found:
                self.redirect(target)
                return
            self.finish(news_page(found[0], found[1], target))

    web_app = app.web_app
    base = url_path_join(web_app.settings["base_url"], "git-pull")
    web_app.settings["nbapp"] = app
    web_app.add_handlers(
        ".*",
        [
            (url_path_join(base, "api"), GuardedSync),
            (base, GuardedUI),
            (url_path_join(web_app.settings["base_url"], "classroom-pulled"), AfterPull),
            (
                url_path_join(base, "static", "(.*)"),
                StaticFileHandler,
                {"path": os.path.join(os.path.dirname(puller.__file__), "static")},
            ),
        ],
    )


def _jupyter_server_extension_points():
    return [{"module": "pull_guard"}]
