"""nbgrader's collect, refusing a submission that is not the learner's own (the course's nbgrader_config.py uses it).

On a shared machine each learner submits as her own system user, so a submission's files belong to the learner
whose name it carries. `nbgrader submit --CourseDirectory.student_id=<another learner>` makes a submission named
after someone else; nbgrader's own collect logs "cheating attempt?" and collects it anyway, and when it is the
newest, the other learner is graded on it. Here such a submission is refused: logged as an error and never
collected, so the learner's own submission is the one graded. So is one holding a link (a learner's link to a file
only the teacher can read would otherwise be copied into the teacher's course by collect).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.exchange.default.collect import ExchangeCollect, groupby
from nbgrader.utils import ignore_patterns


def why_not_theirs(path: str, name: str) -> str | None:
    """Why the submission at `path` is not all `name`'s own files and folders (a link, another owner), or None."""
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return f"there is no user {name!r} on this machine"
    for here, dirs, files in os.walk(path):
        for entry in [here] + [os.path.join(here, x) for x in dirs + files]:
            info = os.lstat(entry)
            if os.path.islink(entry):
                return f"{os.path.relpath(entry, path)} is a link"
            if info.st_uid != uid:
                try:
                    owner = pwd.getpwuid(info.st_uid).pw_name
                except KeyError:
                    owner = f"uid {info.st_uid}"
                return f"{os.path.relpath(entry, os.path.dirname(path))} belongs to {owner}"
    return None


class OwnersOnlyCollect(ExchangeCollect):
    """nbgrader's collect with each learner's newest submission chosen among those that are her own."""

    def init_src(self):
        super().init_src()  # nbgrader's checks of the course and its inbound folder
        student = self.coursedir.student_id or "*"
        pattern = os.path.join(self.inbound_path, f"{student}+{self.coursedir.assignment_id}+*")
        records = []
        for path in sorted(glob.glob(pattern)):
            record = self._path_to_record(path)
            why = why_not_theirs(path, record["username"])
            if why:
                self.log.error(
                    "Refused %s: it is named as %s's submission, but %s; not collected",
                    record["filename"], record["username"], why,
                )  # fmt: skip
                continue
            records.append(record)
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                due = gb.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                due = None
        chosen = []
        for own in groupby(records, lambda r: r["username"]).values():
            newest_first = self._sort_by_timestamp(own)
            on_time = [r for r in newest_first if due is not None and self.before_duedate and r["timestamp"] <= due]
            chosen.append((on_time or newest_first)[0])
        self.src_records = chosen

    def do_copy(self, src, dest, log=None):
        """nbgrader's copy (its size limit and ignored files), with a link copied as a link, never followed with
        the teacher's rights (a link swapped in after the check above reads nothing of hers)."""
        size, most = self.get_size(src), 1000 * self.coursedir.max_dir_size
        if size > most:
            raise RuntimeError(f"Directory size is too big. Size is {size}, maximum size is {most}")
        ignore = ignore_patterns(
            exclude=self.coursedir.ignore, include=self.coursedir.include,
            max_file_size=self.coursedir.max_file_size, log=self.log,
        )  # fmt: skip
        shutil.copytree(src, dest, symlinks=True, ignore=ignore)
