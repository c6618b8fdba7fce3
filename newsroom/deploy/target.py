"""The deploy run common to all targets, and what a target is (Lektor's publisher idea: one
small class per scheme; address.py chooses one)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from newsroom.deploy.files import SiteFile, scan, upload_order
from newsroom.errors import DeployError
from newsroom.progress import Progress


@dataclass
class DeployReport:
    target: str
    uploaded: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0

    def summary(self) -> str:
        return (f"Ausgeliefert an {self.target}: {len(self.uploaded)} Dateien hochgeladen, "
                f"{len(self.deleted)} gelöscht, {self.unchanged} unverändert.")


class Target:
    """One place the site is shipped to. Subclasses say what is there and how files move."""

    uses_digests = True  # compares files by MD5 (scan reads every new or changed file once)

    def describe(self) -> str:
        raise NotImplementedError

    def claim(self) -> None:
        """Refuse a target that holds what no deploy wrote; mark it as a deploy's own."""

    def remote_state(self) -> dict[str, object] | None:
        """Site path → a token compared by `changed`; None: the target compares itself (rsync)."""
        raise NotImplementedError

    def changed(self, local: SiteFile, remote) -> bool:
        return local.md5 != remote

    def begin(self, unchanged: list[SiteFile]) -> None:
        """Before the uploads: the files that stay as they are."""

    def upload(self, local: SiteFile) -> None:
        raise NotImplementedError

    def delete(self, paths: list[str]) -> None:
        raise NotImplementedError

    def commit(self, local: dict[str, SiteFile]) -> None:
        """After uploads and deletions: check that every file arrived, then switch the site over."""
        raise NotImplementedError

    def sync(self, output: Path, report: DeployReport) -> None:
        """For targets that transfer the whole tree themselves."""
        raise NotImplementedError

    def close(self) -> None:
        pass


def deploy(output: Path, target: Target, settings: Mapping, *, full: bool = False,
           digest_cache: Path | None = None) -> DeployReport:
    """Ship `output` to `target`: new and changed files, then deletions, then the check that all
    arrived (and, for folders, the switch). `full` uploads everything."""
    output = Path(output)
    if not output.is_dir() or next(output.iterdir(), None) is None:
        raise DeployError(f"{output}/ ist leer oder fehlt: erst bauen, dann ausliefern.")
    report = DeployReport(target.describe())
    try:
        target.claim()
        remote = target.remote_state()
        if remote is None:
            target.sync(output, report)
            return report
        local = scan(output, digest_cache, digests=target.uses_digests)
        todo = [f for path, f in local.items() if full or path not in remote or target.changed(f, remote[path])]
        gone = sorted(set(remote) - set(local))
        report.unchanged = len(local) - len(todo)
        if not todo and not gone:
            return report
        moving = {f.path for f in todo}
        target.begin([f for path, f in local.items() if path not in moving])
        with Progress("Ausliefern", len(todo), "Dateien") as progress:
            for site_file in upload_order(todo, remote):
                target.upload(site_file)
                report.uploaded.append(site_file.path)
                progress.advance()
        if gone:
            target.delete(gone)
            report.deleted = gone
        target.commit(local)
    finally:
        target.close()
    return report


def digest_cache(settings: Mapping) -> Path | None:
    """Where the output's file digests are remembered between deploys (per output folder)."""
    cache = settings["CACHE_PATH"]
    return Path(cache) / f"deploy-digests-{Path(settings['OUTPUT_PATH']).name}.json" if cache else None
