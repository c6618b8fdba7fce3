"""Approvals (Freigaben): a second person approves exactly one version of a story.

Each approval is a file of its own, `content/approvals/<story key>/<version>-<handle>.yml`,
never an edit of the story: the version is the sha256 of the story file's bytes, so any
change to the file after approval leaves the new version unapproved. Two approvals never
touch the same file, so two Chefs vom Dienst approving at once do not conflict in git.

    story: a1b2c3d4e5f6
    source: content/stories/2026/radwege.md
    version: 9f2c…                       # sha256 of the approved file
    by: cvd-ab                           # a handle from content/desk/approvers.yml
    at: "2026-11-26T08:30:00+01:00"
    how: lokal                           # lokal: git identity only; signiert: a signed commit
    urgent: "Unwetterwarnung, CvD nicht erreichbar"   # eilig: the author alone, flagged until approved

Only the publish run decides whether an approval counts (`status()`); a file in the folder
that is malformed counts as no approval and is named on the desk.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import yaml

from newsroom.desk.approvers import Approvers
from newsroom.errors import ContentError

APPROVED, URGENT, OWN, STALE, MISSING, NOT_NEEDED = "approved", "urgent", "own", "stale", "missing", "not_needed"
SENDABLE = (APPROVED, URGENT, NOT_NEEDED)
LABELS = {
    APPROVED: "freigegeben",
    URGENT: "eilig – nur von einer Person freigegeben",
    OWN: "nicht freigegeben (eigene Freigabe zählt nicht)",
    STALE: "nicht freigegeben (nach der Freigabe geändert)",
    MISSING: "nicht freigegeben",
    NOT_NEEDED: "vor Einführung der Freigabe",
}
LOCAL, SIGNED = "lokal", "signiert"
HEADER = "# Freigabe – geschrieben von „invoke approve“ oder vom Desk. Nicht von Hand ändern.\n"


@dataclass(frozen=True)
class Approval:
    story: str
    source: str
    version: str
    by: str
    at: str
    how: str = LOCAL
    urgent: str | None = None

    @property
    def file_name(self) -> str:
        return f"{self.version[:16]}-{self.by}.yml"

    def dumps(self) -> str:
        data = {k: v for k, v in asdict(self).items() if v is not None}
        return HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)

    @classmethod
    def parse(cls, text: str, path: str) -> Approval:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            raise ContentError(path, "Freigabe nicht lesbar (kein gültiges YAML).") from None
        fields = ("story", "source", "version", "by", "at")
        if not isinstance(data, dict) or any(not isinstance(data.get(f), str) or not data[f] for f in fields):
            raise ContentError(path, f"Freigabe unvollständig: nötig sind {', '.join(fields)}.")
        if len(data["version"]) != 64 or set(data["version"]) - set("0123456789abcdef"):
            raise ContentError(path, "Freigabe: „version“ ist keine SHA-256-Prüfsumme.", field="version")
        urgent = data.get("urgent")
        return cls(data["story"], data["source"], data["version"], data["by"], data["at"],
                   data.get("how") or LOCAL, urgent.strip() if isinstance(urgent, str) and urgent.strip() else None)


@dataclass(frozen=True)
class Verdict:
    """What the approvals say about one version of a story."""

    status: str
    approvals: tuple[Approval, ...] = ()  # those of this version that count
    note: str = ""

    @property
    def sendable(self) -> bool:
        return self.status in SENDABLE

    @property
    def label(self) -> str:
        return LABELS[self.status] + (f": {self.note}" if self.note else "")


def status(version: str, approvals: list[Approval], approvers: Approvers, author_email: str | None, *,
           trusted=lambda approval: True) -> Verdict:
    """The verdict for the story version `version` (sha256 of its file) whose last commit was
    made with `author_email`. `trusted(approval)` says whether an approval's identity holds
    (in production: its commit is signed by the approver's key)."""
    mine = [a for a in approvals if a.version == version]
    valid = [a for a in mine if a.by in approvers and trusted(a)]
    others = [a for a in valid if not approvers.wrote(a.by, author_email) and not a.urgent]
    if others:
        return Verdict(APPROVED, tuple(others))
    urgent = [a for a in valid if a.urgent]
    if urgent:
        return Verdict(URGENT, tuple(urgent), urgent[0].urgent)
    if valid:
        return Verdict(OWN, note=f"{', '.join(sorted({a.by for a in valid}))} hat diese Fassung selbst geschrieben")
    if mine:
        names = ", ".join(sorted({a.by for a in mine}))
        return Verdict(MISSING, note=f"Freigabe von {names} nicht anerkannt (nicht in approvers.yml "
                                     "oder ohne gültige Signatur)")
    if approvals:
        return Verdict(STALE)
    return Verdict(MISSING)
