"""What the desk's files on the publishing branch allow: the send stop and the approvals.

Read from the branch the publish run has just fetched (newsroom/publishing/ledger.py), so an
approval or a send stop committed after the build's checkout counts in this run.
"""

from __future__ import annotations

from datetime import datetime

from newsroom.dates import BERLIN, parse_datetime
from newsroom.desk.approvals import MISSING, NOT_NEEDED, Approval, Verdict, status
from newsroom.desk.approvers import Approvers, read_approvers
from newsroom.desk.send_stop import FILE, SendStop
from newsroom.errors import ContentError, ContentErrors


def approval_since(settings: dict) -> datetime | None:
    value = settings["APPROVAL_SINCE"]
    if value is None or value == "":
        return None
    return value.astimezone(BERLIN) if isinstance(value, datetime) else parse_datetime(str(value))


class DeskGate:
    def __init__(self, ledger, settings: dict, *, check_signatures: bool | None = None):
        self._ledger = ledger
        self._approvals_dir = settings["APPROVALS_DIR"]
        stop = ledger.read_content(f"{settings['DESK_DIR']}/{FILE}")
        self.stop = SendStop.parse(stop) if stop is not None else None
        since = approval_since(settings)
        self.since = since.timestamp() if since else None
        self.problems: list[str] = []  # shown on the desk and by the run: approvals that could not be read
        self.approvers = Approvers({})
        # The desk page shows approvals as they claim to be made (lokal/signiert); the publish run checks.
        self.signed = settings["APPROVAL_REQUIRE_SIGNED"] if check_signatures is None else check_signatures
        if self.since is not None:
            try:
                self.approvers = read_approvers(ledger, settings)
            except ContentError as exc:
                self.problems.append(str(exc))
            except ContentErrors as exc:
                self.problems.append("approvers.yml fehlerhaft, keine Freigabe zählt: "
                                     + "; ".join(map(str, exc.errors)))

    def needs_approval(self, due_ts: float) -> bool:
        return self.since is not None and due_ts >= self.since

    def approvals(self, key: str) -> list[Approval]:
        found = []
        for name, text in sorted(self._ledger.list_content(f"{self._approvals_dir}/{key}").items()):
            try:
                found.append(Approval.parse(text, f"{self._approvals_dir}/{key}/{name}"))
            except ContentError as exc:
                self.problems.append(str(exc))
        return found

    def verdict(self, card, due_ts: float) -> Verdict:
        if not self.needs_approval(due_ts):
            return Verdict(NOT_NEEDED)
        approvals = [a for a in self.approvals(card.key) if a.story in (card.id, card.key, *card.former_ids)]
        if not approvals:
            return Verdict(MISSING)
        return status(card.digest, approvals, self.approvers, self._ledger.last_author(card.source),
                      trusted=(lambda a: self._signed(card.key, a)) if self.signed else (lambda a: True))

    def _signed(self, key: str, approval: Approval) -> bool:
        """Its commit is signed with the key approvers.yml lists for the approver it names."""
        approver = self.approvers.by_handle.get(approval.by)
        if approver is None or not approver.ssh_key:
            return False
        path = f"{self._approvals_dir}/{key}/{approval.file_name}"
        return self._ledger.signer(path, {approver.handle: approver.ssh_key}) == approver.handle
