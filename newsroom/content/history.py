"""What git knows about content files: first commit, last change, editors.

One `git log` over the content folder builds the index for every file at once (a
per-file log would take minutes at 25,000 stories). Renames are followed, so moving
a story to another folder keeps its dates.

Git authors are city staff, and their names and addresses are personal data: the index
keeps only the author's e-mail address (to look up a public name) and `by_source` hands
on nothing but the public names that the setting PUBLIC_AUTHORS gives. No raw name or
address ever leaves this module.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path

from newsroom.dates import BERLIN
from newsroom.git_command import run_git

logger = logging.getLogger("newsroom.content.history")

_COMMIT = "\x1e"
_FIELD = "\x1f"


class GitHistory:
    """Index of every content file's git dates; empty (with a warning) when git cannot tell."""

    def __init__(self, files: dict[str, list] | None = None, root: Path | None = None,
                 warning: str | None = None, head: str | None = None):
        self._files = files or {}  # repo path → [created, updated, author e-mails, commits]
        self._root = root
        self.warning = warning
        self.head = head
        self.unchanged = False

    def by_source(self, display_root: Path, public_authors: dict[str, str] | None = None) -> dict[str, tuple]:
        """(created, updated, editors, commits) keyed like stories' `source` (paths relative to
        display_root), times as Unix timestamps: plain data, 25,000 of them pickle in milliseconds.

        `editors` are the public names `public_authors` (e-mail → name) gives the file's
        authors; an author without one is left out."""
        if self._root is None:
            return {}
        prefix = os.path.relpath(display_root.resolve(), self._root).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix + "/"
        if prefix.startswith("../"):
            return {}
        names = {email.strip().lower(): name for email, name in (public_authors or {}).items()}
        return {path[len(prefix):]: (r[0].timestamp(), r[1].timestamp(), public_names(r[2], names), r[3])
                for path, r in self._files.items() if path.startswith(prefix)}

    @classmethod
    def load(cls, content_path: Path, cache=None, known_head: str | None = None,
             located: tuple | None | object = "ask") -> GitHistory:
        """Index the history of content_path; with a cache, only commits since the last build are read.

        If HEAD is still `known_head`, nothing is read: `unchanged` tells the caller to
        keep the dates it has. `located`: what `locate()` said, if asked beforehand (the
        stories generator asks in the background while the build loads its state). Plain `git` commands (GitPython alone takes a quarter of a
        second to import, more than a one-story build may spend on history).
        """
        content_path = content_path.resolve()
        where = locate(content_path) if located == "ask" else located
        if where is None:
            return cls(warning="Der Inhalt liegt in keinem Git-Repository: Erstellungs- und Änderungsdaten "
                           "fehlen, es gilt das Datum aus dem Kopfbereich.")
        if not where:
            return cls()  # a repository without commits yet
        shallow, top, head = where
        if shallow == "true":
            return cls(warning="Das Git-Repository ist ein flacher Klon (shallow clone): die Historie ist "
                           "unvollständig, deshalb gilt das Datum aus dem Kopfbereich. Für echte "
                           "Änderungsdaten vollständig klonen (git fetch --unshallow).")
        if known_head and head == known_head:
            history = cls(head=head)
            history.unchanged = True
            return history
        root = Path(top).resolve()
        scope = str(content_path.relative_to(root)) or "."
        name = f"git-history-v2:{content_path}"  # v2: authors by e-mail address, never by name
        cached = cache.blob(name) if cache else None
        files: dict[str, list] = {}
        since = None
        if cached and cached[0] == head:
            return cls(cached[1], root, head=head)
        if cached and run_git(root, "merge-base", "--is-ancestor", cached[0], head).returncode == 0:
            files, since = cached[1], cached[0]
        log = run_git(root, "log", f"--format={_COMMIT}%ct{_FIELD}%ae", "--name-status", "-M", "--reverse",
                      "--no-color", "-z", f"{since}..{head}" if since else head, "--", scope)
        if log is None or log.returncode != 0:
            status = log.returncode if log is not None else "git fehlt"
            return cls(warning=f"Git-Historie nicht lesbar ({status}); es gilt das Datum aus dem Kopfbereich.")
        _replay(log.stdout, files)
        if cache:
            cache.save_blob(name, head, files)
        return cls(files, root, head=head)


def public_names(authors: list[str], names: dict[str, str]) -> tuple[str, ...]:
    """The public names of these authors (e-mail addresses), each once, in order."""
    return tuple(dict.fromkeys(names[a] for a in authors if a in names))


def locate(content_path: Path) -> tuple[str, str, str] | tuple[()] | None:
    """(is-shallow, top folder, HEAD) of the repository holding content_path; () for a
    repository without commits; None outside git (or without git)."""
    where = run_git(content_path.resolve(), "rev-parse", "--is-shallow-repository", "--show-toplevel", "HEAD")
    lines = where.stdout.splitlines() if where is not None else []
    if where is not None and where.returncode == 0 and len(lines) == 3:
        return tuple(lines)
    if where is not None and run_git(content_path.resolve(), "rev-parse", "--show-toplevel").returncode == 0:
        return ()
    return None


def _replay(log: str, files: dict[str, list]) -> None:
    """Replay `git log --reverse --name-status -z` onto files: repo path → [created, updated,
    author e-mail addresses, commits]."""
    for chunk in log.split(_COMMIT)[1:]:
        header, _, changes = chunk.partition("\n")
        header = header.rstrip("\x00")
        timestamp, _, author = header.partition(_FIELD)
        author = author.strip().lower()  # the e-mail address; addresses compare without case
        when = datetime.fromtimestamp(int(timestamp), BERLIN)
        tokens = [t for t in changes.strip("\n\x00").split("\x00")]
        index = 0
        while index < len(tokens):
            status = tokens[index].strip()
            if not status:
                index += 1
                continue
            if status[0] in "RC":
                old, new = tokens[index + 1], tokens[index + 2]
                index += 3
                record = files.pop(old, None) if status[0] == "R" else None
                if record is None:
                    record = [when, when, [], 0]
                if status != "R100":  # a pure move is no change of content
                    _touch(record, when, author)
                files[new] = record
                continue
            path = tokens[index + 1]
            index += 2
            if status[0] == "D":
                files.pop(path, None)
            elif status[0] == "A" or path not in files:
                files[path] = [when, when, [author], 1]
            else:
                _touch(files[path], when, author)


def _touch(record: list, when: datetime, author: str) -> None:
    record[1] = when
    record[3] += 1
    if author not in record[2]:
        record[2].append(author)
