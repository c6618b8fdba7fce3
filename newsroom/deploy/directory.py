"""A folder as target (a web server's document root, a mounted share), in the layout of releases.py.

Each deploy fills a hidden new release in which every file is a hard link to the built file in the
output folder: the build replaces a file it changes (a new inode, newsroom/atomic.py), never writes
into one, so a release keeps its bytes while later builds run, and a deploy copies nothing. When
the target lies on another file system, files unchanged since the live release are hard-linked
from it instead (compared like rsync's quick check, size and modification time, and by content
when only the time differs), new and changed ones copied.

A release is not made from nothing: the folder of a release that dropped out of the kept ones (the
spare, `releases/.spare`) is renamed into place and only its differences are mended. At 25,000
stories a site has some 34,000 folders; making and deleting them for every deploy costs more than
all else, while mending the spare touches only the changed files. Checked complete, the release
is renamed into place and `current` switched to it with one rename(2); the release that drops out
becomes the next spare.

Walking a release's folders is the slowest part of a deploy at archive scale (135,000 folders at
100,000 stories; seconds even with warm caches, more when the spare has left them). So each release
is listed once, checked complete, beside it (`releases/.<nummer>.listing`: site path → inode, with
the release folder's own inode); the spare's listing goes with it and is deleted before the spare
is mended, so a killed deploy leaves a spare that is walked again. The check before the switch looks
up each expected file by its path rather than walking.
"""

from __future__ import annotations

import errno
import filecmp
import os
import shutil
import time
from pathlib import Path
from stat import S_ISREG

from newsroom.atomic import atomic_write, discard
from newsroom.deploy.files import SiteFile, entries
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
from newsroom.deploy.target import Target
from newsroom.errors import DeployError

SPARE = ".spare"  # below releases/: a release's folders, mended into the next one
TRASH = ".trash"  # below releases/: the spare's outdated files, deleted once the new release is live
# Deleting a file whose last link goes costs about 0.8 ms here (the disk discards), moving it 0.05 ms:
# past this many, the outdated files are deleted in the background, after the switch.
DISCARD_AT_ONCE = 1000
LISTING_VERSION = 1


class DirectoryTarget(Target):
    uses_digests = False  # the same file (inode), else sizes and times, bytes only when the time differs

    def __init__(self, root: Path, keep: int):
        self.root = root
        self.keep = keep
        self.releases = root / RELEASES
        self.live: Path | None = None
        self.release: str | None = None
        self.staging: Path | None = None
        self.device = 0  # the target's file system: files on it can be hard-linked
        self.linking = True  # hard links to the output's files; off once a link crossed file systems
        # What the deploy did, file by file: linked (from the output or the live release), copied,
        # kept (the spare had that very file already), removed (the spare had it, the site not);
        # and the folders made.
        self.work = {"linked": 0, "copied": 0, "kept": 0, "removed": 0, "folders": 0}
        self.walked: list[str] = []  # releases whose folders were read because no listing stood for them
        self._remote: dict[str, int] = {}  # the live release: site path → inode
        self._found: dict[str, int] = {}  # the spare's files not yet claimed: site path → inode
        self._folders: set[str] = set()  # the staging release's folders, by site path
        self._placed: dict[str, int] = {}  # site path → inode of the file now there
        self._trash: str | None = None  # where the spare's outdated files go, one flat folder
        self._trashed = 0

    def describe(self) -> str:
        return str(self.root)

    def claim(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            names = os.listdir(self.root)
        except OSError as exc:
            raise DeployError(f"Zielordner {self.root} lässt sich nicht anlegen: {exc.strerror}") from None
        if MARKER not in names:
            strangers = foreign(names)
            if strangers:
                raise refuse_foreign(str(self.root), strangers)
            atomic_write(self.root / MARKER, MARKER_TEXT.encode())  # first: a killed deploy leaves it ours
        current = self.root / CURRENT
        link = os.readlink(current) if current.is_symlink() else None
        if link is None and os.path.lexists(current) or link is not None and live_release(link) is None:
            raise DeployError(f"{current} ist kein symbolischer Link auf {RELEASES}/<nummer>; so legt "
                              "invoke deploy ihn nie an. Nichts wurde verändert. Bitte an das Newsroom-Team wenden.")
        if link is not None and (self.releases / live_release(link)).is_dir():
            self.live = self.releases / live_release(link)
        self.releases.mkdir(exist_ok=True)
        self.device = os.stat(self.releases).st_dev
        for name in os.listdir(self.releases):
            if name.startswith(".") and name.endswith(".partial"):  # a killed deploy's, never live
                self._retire(self.releases / name)
            elif name.startswith(f"{TRASH}-"):  # a killed deploy's, or one still being deleted
                discard(str(self.releases / name), at_once=DISCARD_AT_ONCE)
        for name in os.listdir(self.releases):
            if name.endswith(LISTING) and _release_of(self.releases / name) is None:
                os.unlink(self.releases / name)  # its release is gone (a killed deploy between two renames)
        if self.live is not None:
            self._prune(self.live.name)  # what a killed deploy left, even if nothing changed since

    def _prune(self, current: str) -> None:
        for name in obsolete(os.listdir(self.releases), current, self.keep):
            self._retire(self.releases / name)

    def _retire(self, folder: Path) -> None:
        """A release no longer kept becomes the spare, with its listing; a second one is deleted."""
        spare = self.releases / SPARE
        listing = _listing_of(folder)
        if os.path.lexists(spare):
            _unlink(listing)
            shutil.rmtree(folder)
        else:
            os.rename(folder, spare)
            if os.path.exists(listing):
                os.rename(listing, _listing_of(spare))

    def remote_state(self) -> dict[str, object]:
        if self.live is None:
            return {}
        listed = _read_listing(self.live)
        if listed is None:
            self.walked.append(self.live.name)
            listed = {path: entry.inode() for path, entry in entries(self.live)}
        self._remote = listed
        return self._remote

    def changed(self, local: SiteFile, inode) -> bool:
        if local.identity == (self.device, inode):
            return False  # the very file the live release links
        local = local.stated()
        live = os.path.join(self.live, local.path)
        stat = os.stat(live)
        if local.identity == (stat.st_dev, stat.st_ino):
            return False  # the same, on a file system whose folders report other inode numbers
        if stat.st_size != local.size:
            return True
        if stat.st_mtime_ns == local.mtime_ns:
            return False
        if filecmp.cmp(local.source, live, shallow=False):
            if not self._linkable(local):  # the new release links the live file
                os.utime(live, ns=(local.mtime_ns, local.mtime_ns))  # next time the quick check suffices
            return False
        return True

    def _linkable(self, local: SiteFile) -> bool:
        return self.linking and local.identity[0] == self.device

    def begin(self, unchanged: list[SiteFile]) -> None:
        self.release = next_release(os.listdir(self.releases))
        self.staging = self.releases / f".{self.release}.partial"
        spare = self.releases / SPARE
        if spare.is_dir():
            listed = _read_listing(spare)
            _unlink(_listing_of(spare))  # before the first change: a killed deploy's spare is walked
            os.rename(spare, self.staging)
            if listed is not None:
                self._found = listed
                self._folders = _folders_of(listed)
            else:
                self.walked.append(SPARE)
                self._found = {path: entry.inode() for path, entry in entries(self.staging, self._folders)}
        else:
            self.staging.mkdir()
            self.work["folders"] += 1
        found, placed, kept = self._found, self._placed, 0
        for site_file in unchanged:
            if self._linkable(site_file):
                path, inode = site_file.path, site_file.identity[1]
                if found.get(path) == inode:  # the spare has this very file (most do): `_link`, inlined
                    del found[path]
                    placed[path] = inode
                    kept += 1
                else:
                    self._link(site_file, site_file.source, inode)
            else:  # another file system: the live release's file, as it is
                inode, live = self._remote[site_file.path], os.path.join(self.live, site_file.path)
                self._link(site_file, live, inode)
        self.work["kept"] += kept

    def upload(self, local: SiteFile) -> None:
        if self._linkable(local):
            self._link(local, local.source, local.identity[1])
        else:
            self._copy(local, self._found.pop(local.path, None) is not None)

    def _link(self, local: SiteFile, source: str, inode: int) -> None:
        there = self._found.pop(local.path, None)
        if there == inode:
            self.work["kept"] += 1
            self._placed[local.path] = inode
            return
        target = self._place(local.path, there is not None)
        try:
            os.link(source, target)
        except OSError as exc:  # too many links, or a file system without them
            if exc.errno == errno.EXDEV:  # a mount point between, though the device is the same
                self.linking = False
            self._copy(local, False)
            return
        if local.stated().mode & 0o444 != 0o444:
            os.chmod(target, 0o644)  # a web server reads as another user
        self.work["linked"] += 1
        self._placed[local.path] = inode

    def _copy(self, local: SiteFile, there: bool) -> None:
        target = self._place(local.path, there)
        shutil.copy2(local.source, target)  # copy2 keeps the time for the next quick check
        os.chmod(target, 0o644)
        self.work["copied"] += 1
        self._placed[local.path] = os.stat(target).st_ino

    def _place(self, path: str, there: bool) -> str:
        """The staging path for a file at `path`: its folders there, nothing in its way (`there`:
        the spare has a file at that path)."""
        folder = path.rpartition("/")[0]
        if folder and folder not in self._folders:
            self._folder(folder)
        target = os.path.join(self.staging, path)
        if path in self._folders:  # a folder became a page
            shutil.rmtree(target)
            self._folders = {f for f in self._folders if f != path and not f.startswith(f"{path}/")}
        elif there:
            self._aside(target)
        return target

    def _aside(self, path: str) -> None:
        """Move an outdated file of the spare out of the release; it is deleted after the switch."""
        if self._trash is None:
            self._trash = str(self.releases / f"{TRASH}-{time.time_ns()}")
            os.mkdir(self._trash)
        os.rename(path, os.path.join(self._trash, str(self._trashed)))
        self._trashed += 1

    def _folder(self, folder: str) -> None:
        parent = folder.rpartition("/")[0]
        if parent and parent not in self._folders:
            self._folder(parent)
        target = os.path.join(self.staging, folder)
        if self._found.pop(folder, None) is not None:  # a page became a folder
            self._aside(target)
        try:
            os.mkdir(target)
        except FileExistsError:  # an empty folder of the spare, which its listing does not name
            if not os.path.isdir(target) or os.path.islink(target):
                raise
        self._folders.add(folder)
        self.work["folders"] += 1

    def delete(self, paths: list[str]) -> None:
        pass  # the new release simply lacks them

    def commit(self, local: dict[str, SiteFile]) -> None:
        self._remove_leftovers()
        found = self._arrived(local)
        verify(str(self.root), found, {path: self._placed.get(path, -1) for path in local})
        _write_listing(self.staging, self.releases / self.release, found)
        os.rename(self.staging, self.releases / self.release)
        self.staging = None
        swap = self.root / f".{CURRENT}.tmp"
        if os.path.lexists(swap):
            swap.unlink()
        os.symlink(f"{RELEASES}/{self.release}", swap)
        os.replace(swap, self.root / CURRENT)  # the one moment the site switches
        _sync_folder(self.root)
        self._prune(self.release)
        if self._trash is not None:
            discard(self._trash, self._trashed, at_once=DISCARD_AT_ONCE)
            self._trash = None

    def _arrived(self, local: dict[str, SiteFile]) -> dict[str, int]:
        """The inode at each of the site's paths in the staging release (regular files only)."""
        found = {}
        staging = f"{self.staging}/"
        for path in local:
            try:
                stat = os.lstat(staging + path)
            except (FileNotFoundError, NotADirectoryError):
                continue
            if S_ISREG(stat.st_mode):
                found[path] = stat.st_ino
        return found

    def _remove_leftovers(self) -> None:
        """The spare's files the site no longer has, and the folders they leave empty."""
        emptied = set()
        for path in self._found:
            try:
                self._aside(os.path.join(self.staging, path))
            except (FileNotFoundError, NotADirectoryError):  # gone with a folder that became a page
                pass
            self.work["removed"] += 1
            emptied.add(path.rpartition("/")[0])
        self._found = {}
        for folder in sorted(emptied, key=lambda f: -f.count("/")):
            while folder:
                try:
                    os.rmdir(os.path.join(self.staging, folder))
                except OSError:  # not empty
                    break
                folder = folder.rpartition("/")[0]

    def close(self) -> None:
        if self.staging is not None and self.staging.exists():
            self._retire(self.staging)  # mended in part: the next deploy mends it further
            self.staging = None
        if self._trash is not None:
            discard(self._trash, self._trashed, at_once=DISCARD_AT_ONCE)
            self._trash = None


def _sync_folder(folder: Path) -> None:
    """Make the switch survive a power cut, not only a killed process."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


LISTING = ".listing"
LISTING_HEAD = "newsroom-release-listing"


def _listing_of(release: Path) -> Path:
    """Beside the release, hidden: `releases/.000042.listing`, `releases/.spare.listing`."""
    name = release.name if release.name.startswith(".") else f".{release.name}"
    return release.parent / f"{name}{LISTING}"


def _release_of(listing: Path) -> Path | None:
    """The folder a listing belongs to, if it is there."""
    name = listing.name[:-len(LISTING)]
    for folder in (listing.parent / name, listing.parent / name[1:]):
        if name[1:] and folder.is_dir() and _listing_of(folder) == listing:
            return folder
    return None


def _write_listing(folder: Path, release: Path, found: dict[str, int]) -> None:
    """`folder` (the staging release) becomes `release`; its folder's inode stays with it. One line
    per file, "inode path" (JSON takes seconds at 237,000 files); a path with a line break is not
    listed at all, and that release is walked."""
    if any("\n" in path for path in found):
        return
    head = f"{LISTING_HEAD} {LISTING_VERSION} {os.stat(folder).st_ino}"
    atomic_write(_listing_of(release), "\n".join([head, *(f"{inode} {path}" for path, inode in found.items())])
                 .encode("utf-8", "surrogateescape"))


def _read_listing(release: Path) -> dict[str, int] | None:
    """The release's files by site path, if its listing is there and belongs to this very folder."""
    try:
        lines = _listing_of(release).read_bytes().decode("utf-8", "surrogateescape").split("\n")
        folder = os.stat(release).st_ino
    except OSError:
        return None
    if lines[0] != f"{LISTING_HEAD} {LISTING_VERSION} {folder}":
        return None
    try:
        return {path: int(inode) for inode, path in (line.split(" ", 1) for line in lines[1:])}
    except ValueError:  # a damaged listing: the folder is walked
        return None


def _folders_of(files: dict[str, int]) -> set[str]:
    folders = set()
    for path in files:
        folder = path.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
