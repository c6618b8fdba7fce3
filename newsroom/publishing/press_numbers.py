"""The press release numbers a story page shows ("Pressemitteilung PM 123/2026"), read from the record of sends.

A number is assigned when the press send is claimed: the register of its year,
`press/numbers-<year>.yml` below the receipts folder (number → story key), and the story's
receipt (the press record's `number` and `issued`) get it in the same commit. A page shows
it once the release went out (the press record `sent` or `unclear`); from then on number and
issue time never change. So a build parses only the registers that changed (one small file
a year) and reads a story's receipt only while its number is new or its release has not gone
out; what went out is kept in the build cache. At 100,000 stories a warm build reads a few
file names.

The records are the checkout's files, or a git revision: the publish run rebuilds the pages
it numbered from the record it pushed, which the checkout does not have
(newsroom/publishing/press_pages.py).
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
from pathlib import Path

from newsroom.errors import PublishError

logger = logging.getLogger("newsroom.publishing")

REGISTER = "press/numbers-{year}.yml"
_REGISTER_NAME = re.compile(r"numbers-(\d{4})\.yml")
SHOWN = ("sent", "unclear")  # records.SENT, records.UNCLEAR: the release went out
_CACHE_VERSION = "1"


def parse_register(text: str | None, where: str) -> dict[int, str]:
    """A year's register: number → story key. Read line by line, not as YAML: an id of twelve
    digits ("123456789012", one story id in 300) would be a number in YAML, and one of octal
    digits with a leading zero another number altogether."""
    numbers: dict[int, str] = {}
    for line in (text or "").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        number, colon, key = line.partition(":")
        key = key.strip().strip("'\"")
        if not colon or not number.strip().isdigit() or not key or int(number) in numbers:
            raise PublishError(f"{where}: Nummernregister der Pressemitteilungen ist beschädigt (erwartet: "
                               "„Nummer: Meldungs-id“ je Zeile).")
        numbers[int(number)] = key
    return numbers


class _Folder:
    """The checkout's files; a register's version is its size and modification time."""

    def __init__(self, folder: Path):
        self.folder = folder

    def registers(self) -> dict[str, object]:
        try:
            entries = list(os.scandir(self.folder / "press"))
        except (FileNotFoundError, NotADirectoryError):
            return {}
        found = {}
        for entry in entries:
            if _REGISTER_NAME.fullmatch(entry.name):
                info = entry.stat()
                found[f"press/{entry.name}"] = (info.st_mtime_ns, info.st_size)
        return found

    def read(self, names: list[str]) -> dict[str, str | None]:
        texts = {}
        for name in names:
            try:
                texts[name] = (self.folder / name).read_text(encoding="utf-8")
            except FileNotFoundError:
                texts[name] = None
        return texts


class _Revision:
    """A git revision of the records; a register's version is its blob id. Plain `git` commands."""

    def __init__(self, folder: Path, revision: str):
        self.revision = revision
        folder = folder.resolve()
        top = self._git(folder.parent if not folder.is_dir() else folder, "rev-parse", "--show-toplevel")
        self.root = Path(top.decode().strip())
        self.prefix = folder.relative_to(self.root).as_posix()

    @staticmethod
    def _git(where: Path, *args: str, given: bytes | None = None) -> bytes:
        try:
            return subprocess.run(["git", *args], cwd=where, input=given, capture_output=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError) as exc:
            raise PublishError(f"Versandprotokoll (git {args[0]}) nicht lesbar: {exc}") from None

    def registers(self) -> dict[str, object]:
        listing = self._git(self.root, "ls-tree", "-z", self.revision, "--", f"{self.prefix}/press/")
        found = {}
        for line in listing.decode().split("\0"):
            if not line:
                continue
            meta, _, path = line.partition("\t")
            name = path.rsplit("/", 1)[-1]
            if _REGISTER_NAME.fullmatch(name):
                found[f"press/{name}"] = meta.split()[2]
        return found

    def read(self, names: list[str]) -> dict[str, str | None]:
        """Every file in one `git cat-file --batch`."""
        if not names:
            return {}
        asked = "".join(f"{self.revision}:{self.prefix}/{name}\n" for name in names).encode()
        out = self._git(self.root, "cat-file", "--batch", given=asked)
        texts, at = {}, 0
        for name in names:
            end = out.index(b"\n", at)
            header = out[at:end].split()
            at = end + 1
            if len(header) < 3 or header[-1] == b"missing":
                texts[name] = None
                continue
            size = int(header[2])
            texts[name] = out[at:at + size].decode("utf-8")
            at += size + 1
        return texts


def recorded_numbers(settings: dict, cache, revision: str | None = None,
                     previous: dict | None = None) -> dict[str, tuple]:
    """Story key (its first id) → (number, issued) of its release that went out; the record of
    sends at the git `revision`, else the checkout's files. `previous`: what the last build
    showed; when nothing is new it is the answer, and the kept numbers are not even loaded
    (100,000 of them take 50 ms to unpickle). Like the parse cache, the kept numbers outlive
    `--full`: they are facts of the record, not of the output."""
    from newsroom.publishing.records import parse_receipt  # YAML of receipts: only when one is read

    folder = Path(settings["PATH"]) / settings["PUBLISH_RECEIPTS_DIR"]
    records = _Revision(folder, revision) if revision else _Folder(folder)
    name, kept = f"press-numbers:{folder.resolve()}", f"press-numbers-shown:{folder.resolve()}"
    saved = cache.blob(name)
    memo = saved[1] if saved and saved[0] == _CACHE_VERSION and isinstance(saved[1], dict) else None
    versions, waiting, count = (memo["versions"], memo["waiting"], memo["count"]) if memo else ({}, {}, 0)
    current = records.registers()
    changed = sorted(n for n, version in current.items() if versions.get(n) != version)
    # Numbers are only ever added: as many as the cache holds means the same ones.
    if not changed and not waiting and previous is not None and len(previous) == count:
        return previous
    found = cache.blob(kept) if memo else None
    shown = dict(found[1]) if found and found[0] == _CACHE_VERSION and len(found[1]) == count else {}
    if len(shown) != count:  # the kept numbers are gone: read every register again
        changed, waiting = sorted(current), {}
    before, waiting = len(shown), dict(waiting)
    display = os.path.relpath(folder, Path(settings["PATH"]).parent)
    for register, text in records.read(changed).items():
        for number, key in parse_register(text, f"{display}/{register}").items():
            if key not in shown:
                waiting[key] = number
    receipts = records.read([f"{key}.yml" for key in sorted(waiting)])
    for key in sorted(waiting):
        text = receipts.get(f"{key}.yml")
        if text is None:
            continue
        try:
            record = parse_receipt(text, f"{display}/{key}.yml").get("press")
        except PublishError as exc:
            logger.warning("Nummer der Pressemitteilung nicht gelesen: %s", exc)
            continue
        number = record.detail.get("number") if record else None
        if record is not None and record.status in SHOWN and isinstance(number, str):
            issued = record.detail.get("issued")
            shown[key] = (number, issued if isinstance(issued, str) else None)  # plain: unpickles fast
            del waiting[key]
    entries = [(name, _CACHE_VERSION, {"versions": current, "waiting": waiting, "count": len(shown)})]
    if len(shown) != before or not found:
        entries.append((kept, _CACHE_VERSION, shown))
    cache.save_blobs(entries)
    return shown
