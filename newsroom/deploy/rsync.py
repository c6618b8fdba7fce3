"""rsync as target: a folder on another host over SSH (or any destination rsync understands).

rsync compares by checksum, not by time: a CI runner builds a fresh output/ whose files all
have new times, and only what really changed should travel. `--delay-updates` moves the
new files into place at the end, so the live site switches nearly at once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from ..errors import DeployError
from ..publishing.secrets import Credentials, redact
from .target import DeployReport, Target

OPTIONS = ["--recursive", "--links", "--times", "--checksum", "--delete", "--delay-updates",
           "--chmod=D755,F644", "--exclude=.*", "--itemize-changes"]


class RsyncTarget(Target):
    def __init__(self, destination: str, environ: Mapping[str, str]):
        if not destination:
            raise DeployError("rsync: ohne Ziel. Beispiel: rsync:deploy@web1.duesseldorf.de:/srv/www/newsroom")
        self.destination = destination
        credentials = Credentials("deploy", environ)
        self.ssh_key = credentials.get("ssh_key")
        self.known_hosts = credentials.get("ssh_known_hosts", secret=False)
        self._tmp: tempfile.TemporaryDirectory | None = None

    def describe(self) -> str:
        return f"rsync:{self.destination}"

    def remote_state(self):
        return None  # rsync compares on both ends itself

    def _ssh(self) -> list[str]:
        if not self.ssh_key:
            return []
        self._tmp = tempfile.TemporaryDirectory(prefix="newsroom-ssh-")
        key = Path(self._tmp.name, "key")
        key.write_text(self.ssh_key.strip() + "\n")
        key.chmod(0o600)
        command = f"ssh -i {key} -o IdentitiesOnly=yes -o BatchMode=yes"
        if self.known_hosts:
            hosts = Path(self._tmp.name, "known_hosts")
            hosts.write_text(self.known_hosts.strip() + "\n")
            command += f" -o UserKnownHostsFile={hosts} -o StrictHostKeyChecking=yes"
        return ["-e", command]

    def sync(self, output: Path, report: DeployReport) -> None:
        rsync = shutil.which("rsync")
        if rsync is None:
            raise DeployError("rsync ist nicht installiert (Debian/Ubuntu: apt-get install rsync).")
        destination = self.destination if self.destination.endswith("/") else self.destination + "/"
        command = [rsync, *OPTIONS, *self._ssh(), f"{output}/", destination]
        result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"})
        if result.returncode != 0:
            raise DeployError(f"rsync nach {self.destination} ist fehlgeschlagen (Code {result.returncode}): "
                              f"{redact(result.stderr.strip())[-500:]}")
        total = sum(1 for p in output.rglob("*")
                    if p.is_file() and not any(s.startswith(".") for s in p.relative_to(output).parts))
        for line in result.stdout.splitlines():
            if line.startswith("*deleting "):
                path = line[len("*deleting "):].strip()
                if not path.endswith("/"):
                    report.deleted.append(path)
            elif line[:2] in ("<f", ">f"):
                report.uploaded.append(line.split(" ", 1)[1].strip())
        report.unchanged = total - len(report.uploaded)

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
