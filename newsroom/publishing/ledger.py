"""The record of sends in git: every change is a commit, and publishing it is the lock.

With a remote, a change is pushed as a fast-forward of the publishing branch; a
rejected push means another run recorded something first (LedgerConflict): the caller
fetches and plans again. Without a remote, the local branch is moved with a
compare-and-swap (`git update-ref new old`). Commits are made on a private index, so
an editor's checkout, staged changes included, is never disturbed.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from io import BytesIO
from pathlib import Path

from newsroom.errors import LedgerConflict, PublishError
from newsroom.publishing.records import UNCLEAR, Receipt, parse_receipt
from newsroom.secrets import redact

logger = logging.getLogger("newsroom.publishing")

_USERINFO = re.compile(r"://[^@/\s]+@")
_REJECTED = ("[rejected]", "non-fast-forward", "fetch first", "stale info", "cannot lock ref")


def _clean(text: str) -> str:
    """Git errors may quote a remote URL with a token in it."""
    return redact(_USERINFO.sub("://***@", text))


class Ledger:
    def __init__(self, content: Path, receipts_dir: str, *, remote: str | None = "origin",
                 branch: str | None = None, author: tuple[str, str] = ("Newsroom", "newsroom@localhost")):
        import git  # GitPython is only needed when publishing

        self._git = git
        try:
            self.repo = git.Repo(content, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise PublishError(f"{content} liegt in keinem git-Repository: ohne Versandprotokoll wird nichts "
                               "gesendet.") from None
        root = Path(self.repo.working_tree_dir).resolve()
        self.prefix = (Path(content).resolve() / receipts_dir).relative_to(root).as_posix()
        self.content_prefix = Path(content).resolve().relative_to(root).as_posix()
        names = [r.name for r in self.repo.remotes]
        self.remote = remote if remote in names else None
        self.branch = branch or self._current_branch() or "main"
        self.author = author
        self.base: str | None = None

    def _current_branch(self) -> str | None:
        try:
            return self.repo.active_branch.name
        except TypeError:  # detached HEAD, as CI checkouts often are
            return None

    @property
    def where(self) -> str:
        return f"{self.remote}/{self.branch}" if self.remote else f"lokal ({self.branch})"

    def path(self, story_id: str) -> str:
        return f"{self.prefix}/{story_id}.yml"

    def sync(self) -> str:
        """Bring the record up to date: fetch the remote branch, or read the local one."""
        git = self.repo.git
        if self.remote:
            tracking = f"refs/remotes/{self.remote}/{self.branch}"
            try:
                git.fetch(self.remote, f"+refs/heads/{self.branch}:{tracking}")
                self.base = git.rev_parse(tracking)
            except self._git.GitCommandError as exc:
                if "couldn't find remote ref" not in str(exc):
                    raise PublishError(f"git fetch {self.remote} fehlgeschlagen: {_clean(exc.stderr or str(exc))}") \
                        from None
                self.base = git.rev_parse("HEAD")  # empty remote: the first push creates the branch
        else:
            self.base = git.rev_parse("HEAD")
        return self.base

    def _tree(self):
        return self.repo.commit(self.base).tree

    def receipt(self, story_id: str) -> Receipt | None:
        try:
            blob = self._tree() / self.path(story_id)
        except KeyError:
            return None
        return parse_receipt(blob.data_stream.read().decode("utf-8"), self.path(story_id))

    def read(self, name: str) -> str | None:
        """Another file of the record (below the receipts folder), e.g. a channel's counter."""
        try:
            blob = self._tree() / f"{self.prefix}/{name}"
        except KeyError:
            return None
        return blob.data_stream.read().decode("utf-8")

    def read_content(self, relative: str) -> str | None:
        """A file below content/ as the synced branch has it (the desk's files, approvals)."""
        try:
            blob = self._tree() / self._content_path(relative)
        except KeyError:
            return None
        return blob.data_stream.read().decode("utf-8")

    def list_content(self, folder: str) -> dict[str, str]:
        """Name → text of the files in a folder below content/ on the synced branch."""
        try:
            tree = self._tree() / self._content_path(folder)
        except KeyError:
            return {}
        return {blob.name: blob.data_stream.read().decode("utf-8", "replace") for blob in tree.blobs}

    def last_author(self, source: str, rev: str = "HEAD") -> str | None:
        """The e-mail address of the last commit that changed `source` (relative to the
        repository's parent of content/, as stories name it) up to `rev`."""
        path = f"{self.content_prefix.rpartition('/')[0]}/{source}".lstrip("/")
        try:
            email = self.repo.git.log("-1", "--format=%ae", rev, "--", path)
        except self._git.GitCommandError:
            return None
        return email.strip().lower() or None

    def signer(self, relative: str, allowed: dict[str, str]) -> str | None:
        """Who signed the commit that added this file below content/, on the synced branch: the
        principal of `allowed` (principal → public SSH key) whose key made a good signature."""
        git = self.repo.git
        try:
            commit = git.log("--diff-filter=A", "--format=%H", "-1", self.base, "--", self._content_path(relative))
        except self._git.GitCommandError:
            return None
        if not commit or not allowed:
            return None
        handle, signers = tempfile.mkstemp(prefix="newsroom-signers-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.writelines(f'{principal} namespaces="git" {key}\n' for principal, key in allowed.items())
            shown = git.execute(["git", "-c", "gpg.format=ssh", "-c", f"gpg.ssh.allowedSignersFile={signers}",
                                 "log", "-1", "--format=%G?%x1f%GS", commit.strip()])
        except self._git.GitCommandError:
            return None
        finally:
            os.unlink(signers)
        verdict, _, principal = shown.strip().partition("\x1f")
        return principal if verdict == "G" and principal in allowed else None

    def _content_path(self, relative: str) -> str:
        return f"{self.content_prefix}/{relative}".lstrip("/") if self.content_prefix != "." else relative

    def story_ids(self) -> set[str]:
        """Every story with a receipt (a tree listing, no file reads)."""
        try:
            folder = self._tree() / self.prefix
        except KeyError:
            return set()
        return {blob.name[:-4] for blob in folder.blobs if blob.name.endswith(".yml")}

    def unclear_ids(self) -> set[str]:
        """Every story with a send whose recipients are unclear, however old (one `git grep`,
        a tenth of a second for 25,000 receipts): they keep every run failing until cleared."""
        return {name.rsplit("/", 1)[-1][:-4] for name in self.matching(f"^ *status: {UNCLEAR}$")}

    def matching(self, pattern: str, names: str = "*.yml") -> list[str]:
        """Files below the receipts folder (`names`, a pathspec) with a line matching the extended
        regular expression `pattern` on the synced branch, as names below that folder: one `git grep`,
        not a read of every file."""
        if self.base is None:
            self.sync()
        try:
            found = self.repo.git.grep("-l", "-E", "-e", pattern, self.base, "--", f"{self.prefix}/{names}")
        except self._git.GitCommandError:  # exit status 1: no match
            return []
        return sorted(line.split(":", 1)[-1].removeprefix(f"{self.prefix}/") for line in found.splitlines()
                      if line.endswith(".yml"))

    def write(self, receipts: list[Receipt], message: str, files: dict[str, str] | None = None) -> str:
        """Commit these receipts (and `files`: name below the receipts folder → text) on top
        of the synced base and publish the commit.

        Raises LedgerConflict when someone else moved the branch first."""
        paths = {self.path(r.story_id): r.dumps() for r in receipts}
        paths.update({f"{self.prefix}/{name}": text for name, text in (files or {}).items()})
        return self._commit(paths, f"{message} [skip ci]", self.author)

    def commit_content(self, files: dict[str, str | None], message: str, *,
                       author: tuple[str, str] | None = None, sign: bool = False) -> str:
        """Commit files below content/ (None deletes one) on top of the synced base and publish
        it, as `author`. Not marked [skip ci]: an approval or a lifted send stop makes sends due.

        Raises LedgerConflict when someone else moved the branch first."""
        paths = {self._content_path(relative): text for relative, text in files.items()}
        return self._commit(paths, message, author or self.author, sign=sign)

    def _commit(self, paths: dict[str, str | None], message: str, author: tuple[str, str], *,
                sign: bool = False) -> str:
        """One commit of `paths` (repository path → text, None: delete) on a private index, so an
        editor's checkout, staged changes included, is never disturbed; then published."""
        from gitdb import IStream

        if self.base is None:
            self.sync()
        git = self.repo.git
        name, email = author
        handle, index = tempfile.mkstemp(prefix="newsroom-index-")
        os.close(handle)
        env = {"GIT_INDEX_FILE": index, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
               "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}
        try:
            git.read_tree(self.base, env=env)
            for path, text in paths.items():
                if text is None:
                    git.update_index("--force-remove", path, env=env)
                    continue
                data = text.encode("utf-8")
                sha = self.repo.odb.store(IStream("blob", len(data), BytesIO(data))).hexsha.decode()
                git.update_index("--add", "--cacheinfo", f"100644,{sha},{path}", env=env)
            tree = git.write_tree(env=env)
            try:  # -S: signed with the person's own key (git config user.signingkey, gpg.format)
                commit = git.commit_tree(tree, "-p", self.base, *(["-S"] if sign else []), "-m", message, env=env)
            except self._git.GitCommandError as exc:
                if not sign:
                    raise
                raise PublishError("Signieren fehlgeschlagen – ist ein Signaturschlüssel eingerichtet (git config "
                                   f"gpg.format ssh, user.signingkey)? {_clean(exc.stderr or str(exc))}") from None
        finally:
            os.unlink(index)
        self._publish(commit, [p for p, text in paths.items() if text is not None],
                      removed=[p for p, text in paths.items() if text is None])
        self.base = commit
        return commit

    def _publish(self, commit: str, paths: list[str], removed: list[str] = ()) -> None:
        git = self.repo.git
        if self.remote:
            try:
                git.push("--porcelain", self.remote, f"{commit}:refs/heads/{self.branch}")
            except self._git.GitCommandError as exc:
                text = f"{exc.stdout or ''} {exc.stderr or ''}"
                if any(marker in text for marker in _REJECTED):
                    raise LedgerConflict(f"{self.where} wurde inzwischen von einem anderen Lauf geändert.") from None
                raise PublishError(f"git push nach {self.where} fehlgeschlagen: {_clean(text.strip())}") from None
            return
        try:
            git.update_ref("HEAD", commit, self.base)
        except self._git.GitCommandError:
            raise LedgerConflict(f"{self.where} wurde inzwischen von einem anderen Lauf geändert.") from None
        # The checkout shows the new receipts as committed, not as deleted (other staged work stays).
        try:
            if paths:
                git.checkout(commit, "--", *paths)
            for path in removed:
                (Path(self.repo.working_tree_dir) / path).unlink(missing_ok=True)
                git.rm("--cached", "--quiet", "--ignore-unmatch", "--", path)
        except self._git.GitCommandError as exc:
            logger.warning("Arbeitskopie der Versandprotokolle nicht aktualisiert: %s", _clean(str(exc)))
