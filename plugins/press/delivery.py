"""Sending one release to its recipients: nobody twice, everybody accounted for.

The record of sends (the claim's detail) keeps per recipient key (recipients.py) what
became of the message: `accepted`, `refused` (5xx, with the code), `deferred` (4xx,
tried again by a later run), `uncertain` (the answer to the final "." was lost, or the
run died during its batch) or `checked` (uncertain, then checked by hand and left so).
Before each batch the batch is recorded as `sending`, so a run that dies mid-batch leaves
the next run knowing whom it may have mailed: those become uncertain and are not mailed
again by any automatic run; the batch size (PRESS_BATCH) bounds how many that can be.
After a dropped connection the recipients done so far are kept and the rest go out over
a new connection; when that fails too, a later run continues.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping

from newsroom.errors import Disconnected, SendError
from newsroom.mail.smtp import Connection, Reply, Result, SmtpConfig
from newsroom.progress import Progress
from newsroom.publishing.channel import SendContext

from .message import MailFactory
from .recipients import Recipient

logger = logging.getLogger("newsroom.publishing")


class RecipientState:
    """What the record says about each recipient key of one release.

    In the record each group is one string of keys ("3f2a… 9c0d…"; refusals with their
    code, "3f2a…:550"): thousands of recipients stay a small, fast record."""

    def __init__(self, detail: Mapping):
        self.accepted: set[str] = set(_keys(detail.get("accepted")))
        self.refused: dict[str, int] = _codes(detail.get("refused"))
        self.deferred: dict[str, int] = _codes(detail.get("deferred"))
        self.uncertain: set[str] = set(_keys(detail.get("uncertain")))
        self.checked: set[str] = set(_keys(detail.get("checked")))
        # A batch announced but never settled: its recipients may have been mailed.
        self.uncertain |= (set(_keys(detail.get("sending"))) - self.accepted - set(self.refused) - set(self.deferred)
                           - self.checked)
        self.sending: set[str] = set()

    def finished(self, key: str) -> bool:
        """Never mailed (again) by an automatic run: accepted, refused for good, possibly mailed, or checked."""
        return key in self.accepted or key in self.refused or key in self.uncertain or key in self.checked

    def announce(self, keys: list[str]) -> None:
        """Recorded before they are mailed; an uncertain one mailed on purpose is uncertain again
        only through `sending` (the run dies before its answer)."""
        self.sending = set(keys)
        for key in keys:
            self.deferred.pop(key, None)
            self.uncertain.discard(key)

    def check(self) -> None:
        """The Chef vom Dienst checked the uncertain ones (e.g. in the mail server's log): none is mailed."""
        self.checked |= self.uncertain
        self.uncertain = set()

    def settle(self, key: str, reply: Reply) -> None:
        self.sending.discard(key)
        if reply.result is Result.ACCEPTED:
            self.accepted.add(key)
        elif reply.result is Result.REFUSED:
            self.refused[key] = reply.code
        elif reply.result is Result.DEFERRED:
            self.deferred[key] = reply.code
        else:
            self.uncertain.add(key)

    def detail(self) -> dict:
        """Every group is always written: a checkpoint merges, so an empty group must replace a full one."""
        return {"accepted": " ".join(sorted(self.accepted)),
                "refused": " ".join(f"{k}:{c}" for k, c in sorted(self.refused.items())),
                "deferred": " ".join(f"{k}:{c}" for k, c in sorted(self.deferred.items())),
                "uncertain": " ".join(sorted(self.uncertain)), "checked": " ".join(sorted(self.checked)),
                "sending": " ".join(sorted(self.sending))}


def _keys(value) -> list[str]:
    return value.split() if isinstance(value, str) else [str(v) for v in value or ()]


def _codes(value) -> dict[str, int]:
    codes = {}
    for token in _keys(value):
        key, _, code = token.partition(":")
        codes[key] = int(code) if code.isdigit() else 0
    return codes


def batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Dispatch:
    """One run over the recipients still open: batches recorded before they go out."""

    def __init__(self, config: SmtpConfig, factory: MailFactory, context: SendContext, *, batch: int,
                 reconnects: int, progress: Progress):
        self.config, self.factory, self.context = config, factory, context
        self.batch, self.reconnects_left, self.progress = batch, reconnects, progress
        self.connection: Connection | None = None
        self.reconnects = 0
        self.replies: dict[str, Reply] = {}

    def run(self, state: RecipientState, todo: list[tuple[Recipient, str]]) -> None:
        try:
            for group in batches(todo, self.batch):
                state.announce([key for _, key in group])
                self.context.checkpoint(state.detail())  # record before: whom this batch may reach
                for recipient, key in group:
                    reply = self._deliver(recipient, key)
                    state.settle(key, reply)
                    self.replies[key] = reply
                    self.progress.advance()
        except SendError:
            state.sending.clear()  # still in the batch means not sent: the rest goes out in a later run
            try:
                self.context.checkpoint(state.detail())  # record after: who got it so far
            except SendError as lost:
                logger.error("%s", lost)  # the record still names the batch: its recipients count as uncertain
            raise
        finally:
            self.progress.close()
            if self.connection is not None:
                self.connection.close()

    def _deliver(self, recipient: Recipient, key: str) -> Reply:
        sender = self.factory.sender.addr_spec
        data = self.factory.data(recipient, key)
        while True:
            try:
                if self.connection is None or not self.connection.open:
                    self.connection = Connection(self.config)
                return self.connection.deliver(sender, recipient.address, data)
            except Disconnected as exc:
                if self.connection is not None:
                    self.connection.close()
                self.connection = None
                if self.reconnects >= self.reconnects_left or not self.replies:
                    raise SendError(f"Pressemitteilung: {exc}. Gesendet bis hier ist protokolliert; der nächste "
                                    "Lauf sendet den Rest.", retry=True) from None
                self.context.client.pause(self.reconnects, f"SMTP: {exc}")  # raises past this run's deadline
                self.reconnects += 1
