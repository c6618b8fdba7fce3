"""rsync as target: a folder on another host over SSH (or any destination rsync understands), in the
layout of releases.py, with rsync alone on both ends (no remote shell commands).

Each deploy transfers into a new `releases/<nummer>/` with `--link-dest` to the live release, so
unchanged files are hard links and only changed ones travel; `--delay-updates` moves them into
place at the end. rsync compares by checksum, not by time: a CI runner builds a fresh output/
whose files all have new times. A listing of the new release proves every file arrived; then a
symlink `current` sent by rsync, which replaces the old one with a rename, switches the site.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from newsroom.deploy.files import walk
from newsroom.deploy.releases import (
    CURRENT,
    MARKER,
    MARKER_TEXT,
    RELEASES,
    foreign,
    live_release,
    next_release,
    obsolete,
    refuse_foreign,
    verify,
)
from newsroom.deploy.target import DeployReport, Target
from newsroom.errors import DeployError
from newsroom.secrets import Credentials, redact

OPTIONS = ["--recursive", "--links", "--checksum", "--delay-updates", "--chmod=D755,F644", "--exclude=.*",
           "--itemize-changes", "--8-bit-output"]
# Without --times: a hard link from the live release needs equal attributes, and a fresh build's
# times all differ. Unchanged files keep their first time, which a web server gives as Last-Modified.
LISTING = ["--list-only", "--links", "--no-human-readable", "--8-bit-output"]
ESCAPE = re.compile(rb"\\#([0-7]{3})")  # how rsync writes bytes it cannot print


class RsyncTarget(Target):
    def __init__(self, destination: str, environ: Mapping[str, str], keep: int):
        if not destination:
            raise DeployError("rsync: ohne Ziel. Beispiel: rsync:deploy@web1.duesseldorf.de:/srv/www/newsroom")
        if destination.startswith("-"):
            raise DeployError(f"rsync-Ziel „{destination}“ beginnt mit „-“; rsync läse es als Option und "
                              "lieferte nichts aus. Ein Ziel ist ein Pfad oder host:/pfad, z. B. "
                              "rsync:deploy@web1.duesseldorf.de:/srv/www/newsroom")
        self.destination = destination
        self.base = destination.rstrip("/") or "/"
        self.keep = keep
        credentials = Credentials("deploy", environ)
        self.ssh_key = credentials.get("ssh_key")
        self.known_hosts = credentials.get("ssh_known_hosts", secret=False)
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._ssh_options: list[str] | None = None
        self.live: str | None = None

    def describe(self) -> str:
        return f"rsync:{self.destination}"

    def remote_state(self):
        return None  # rsync compares on both ends itself

    def _place(self, *parts: str) -> str:
        return "/".join([self.base.rstrip("/"), *parts]) + "/"

    def _scratch(self) -> Path:
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="newsroom-rsync-")
        return Path(self._tmp.name)

    def _ssh(self) -> list[str]:
        if self._ssh_options is not None:
            return self._ssh_options
        self._ssh_options = []
        if self.ssh_key:
            key = self._scratch() / "key"
            key.write_text(self.ssh_key.strip() + "\n")
            key.chmod(0o600)
            command = f"ssh -i {key} -o IdentitiesOnly=yes -o BatchMode=yes"
            if self.known_hosts:
                hosts = self._scratch() / "known_hosts"
                hosts.write_text(self.known_hosts.strip() + "\n")
                command += f" -o UserKnownHostsFile={hosts} -o StrictHostKeyChecking=yes"
            self._ssh_options = ["-e", command]
        return self._ssh_options

    def _run(self, what: str, *args: str, missing_ok: bool = False) -> str | None:
        rsync = shutil.which("rsync")
        if rsync is None:
            raise DeployError("rsync ist nicht installiert (Debian/Ubuntu: apt-get install rsync).")
        result = subprocess.run([rsync, *self._ssh(), *args], capture_output=True, env={**os.environ, "LC_ALL": "C"})
        stderr = result.stderr.decode("utf-8", "replace").strip()
        if result.returncode == 23 and missing_ok and "No such file or directory" in stderr:
            return None
        if result.returncode != 0:
            raise DeployError(f"rsync nach {self.destination} ist fehlgeschlagen ({what}, Code {result.returncode}): "
                              f"{redact(stderr)[-500:]}")
        return ESCAPE.sub(lambda m: bytes([int(m.group(1), 8)]), result.stdout).decode("utf-8", "replace")

    def _list(self, folder: str, *, recursive: bool = False) -> dict[str, tuple[str, int, str]] | None:
        """Name → (type letter, size, symlink target) of what is in `folder`; None if it is missing."""
        listing = self._run("Auflisten", *LISTING, *(["--recursive"] if recursive else []), "--", folder,
                            missing_ok=True)
        if listing is None:
            return None
        entries = {}
        for line in listing.splitlines():
            fields = line.split(None, 4)
            if len(fields) < 5 or not fields[1].replace(",", "").replace(".", "").isdigit():
                continue
            name, _, link = fields[4].partition(" -> ") if fields[0][0] == "l" else (fields[4], "", "")
            if name == "." or recursive and any(part.startswith(".") for part in name.split("/")):
                continue  # a site has no hidden files; at the top they count (the marker, a stranger's)
            entries[name] = (fields[0][0], int(fields[1].replace(",", "").replace(".", "")), link)
        return entries

    def claim(self) -> None:
        top = self._list(self._place()) or {}
        if MARKER not in top:
            strangers = foreign(top)
            if strangers:
                raise refuse_foreign(self.describe(), strangers)
        # The marker first and the releases folder with it: a killed deploy leaves the target ours.
        skeleton = self._scratch() / "skeleton"
        (skeleton / RELEASES).mkdir(parents=True, exist_ok=True)
        (skeleton / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        self._run("Markierung", "--recursive", "--chmod=D755,F644", "--", f"{skeleton}/", self._place())
        kind, _size, link = top.get(CURRENT, ("", 0, ""))
        if kind and (kind != "l" or live_release(link) is None):
            raise DeployError(f"{self._place(CURRENT)} ist kein symbolischer Link auf {RELEASES}/<nummer>; so "
                              "legt invoke deploy ihn nie an. Bitte an das Newsroom-Team wenden.")
        self.live = live_release(link) if kind else None

    def sync(self, output: Path, report: DeployReport) -> None:
        expected = {path: stat.st_size for path, _absolute, stat in walk(output)}
        releases = self._list(self._place(RELEASES)) or {}
        if self.live not in releases:
            self.live = None
        release = next_release(releases)
        link_dest = [f"--link-dest=../{self.live}/"] if self.live else []
        transfer = self._run("Übertragung", *OPTIONS, *link_dest, "--", f"{output}/", self._place(RELEASES, release))
        for line in transfer.splitlines():
            if line[:2] in ("<f", ">f"):
                report.uploaded.append(line.split(" ", 1)[1].strip())
        found = self._list(self._place(RELEASES, release), recursive=True) or {}
        verify(self.describe(), {path: size for path, (kind, size, _l) in found.items() if kind == "-"}, expected)
        if self.live:
            before = self._list(self._place(RELEASES, self.live), recursive=True) or {}
            report.deleted = sorted(path for path, (kind, _s, _l) in before.items()
                                    if kind == "-" and path not in expected)
        report.unchanged = len(expected) - len(report.uploaded)
        if report.uploaded or report.deleted or not self.live:
            self._switch(release)
            self.live = release
        self._prune()

    def _switch(self, release: str) -> None:
        """Send a symlink `current` → the release; rsync replaces the old one by renaming over it."""
        folder = self._scratch() / "switch"
        folder.mkdir(exist_ok=True)
        link = folder / CURRENT
        if os.path.lexists(link):
            link.unlink()
        link.symlink_to(f"{RELEASES}/{release}")
        self._run("Umschalten", "--links", "--", str(link), self._place())
        kind, _size, target = (self._list(self._place()) or {}).get(CURRENT, ("", 0, ""))
        if kind != "l" or live_release(target) != release:
            raise DeployError(f"rsync nach {self.destination}: {CURRENT} zeigt nicht auf {RELEASES}/{release} "
                              f"(sondern auf „{target}“). Bitte an das Newsroom-Team wenden.")

    def _prune(self) -> None:
        """Delete the releases before the kept ones (and unused newer ones): an empty folder sent with
        --delete, the kept releases protected."""
        names = self._list(self._place(RELEASES)) or {}
        doomed = obsolete(names, self.live, self.keep)
        if not doomed:
            return
        empty = self._scratch() / "empty"
        empty.mkdir(exist_ok=True)
        protect = [f"--filter=protect /{name}/" for name in names if name not in doomed]
        self._run("Aufräumen", "--recursive", "--delete", *protect, "--", f"{empty}/", self._place(RELEASES))

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
            self._ssh_options = None
