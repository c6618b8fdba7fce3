"""A real SMTP server on loopback (aiosmtpd) with scripted refusals and dropped connections.

TLS uses smtp-test-cert.pem (self-signed for 127.0.0.1 and localhost, valid until 2126),
which the client is told to trust through NEWSROOM_PRESS_SMTP_CA_FILE.
"""

from __future__ import annotations

import socket
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "versand", "smtp-test-passwort-93c1"
HERE = Path(__file__).resolve().parent
CERT, KEY = HERE / "smtp-test-cert.pem", HERE / "smtp-test-key.pem"


def server_tls() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CERT, KEY)
    return context


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class Script:
    """What the server does besides accepting: per address a refusal at RCPT ("550 …",
    "451 …"), drops of the connection, and the count of transactions before each."""

    refuse: dict[str, str] = field(default_factory=dict)
    drop_at_rcpt: list[int] = field(default_factory=list)  # drop when this many messages were accepted
    drop_after_dot: set[str] = field(default_factory=set)  # keep the message, lose the answer (RFC 1047)


class Handler:
    def __init__(self, server: FakeSMTP):
        self.server = server

    async def handle_MAIL(self, smtp, session, envelope, address, mail_options):  # noqa: N802
        with self.server.lock:
            self.server.connections.add(session.peer)
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):  # noqa: N802
        fake = self.server
        with fake.lock:
            fake.rcpts.append(address)
            accepted = len(fake.received)
            if fake.script.drop_at_rcpt and fake.script.drop_at_rcpt[0] == accepted:
                fake.script.drop_at_rcpt.pop(0)
                fake.drops += 1
                smtp.transport.abort()
                return "421 4.4.2 Verbindung getrennt"
            refusal = fake.script.refuse.get(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):  # noqa: N802
        fake = self.server
        with fake.lock:
            fake.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
            if set(envelope.rcpt_tos) & fake.script.drop_after_dot:
                fake.script.drop_after_dot -= set(envelope.rcpt_tos)
                fake.drops += 1
                smtp.transport.abort()
            count = len(fake.received)
        if fake.on_data is not None:
            fake.on_data(count)
        return "250 2.0.0 Angenommen"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class FakeSMTP:
    """`with FakeSMTP() as server:` – plain SMTP; `tls=` an SSLContext for STARTTLS (or
    implicit TLS with `implicit=True`); AUTH LOGIN/PLAIN with USER and PASSWORD."""

    def __init__(self, *, tls: ssl.SSLContext | None = None, implicit: bool = False, auth: bool = False):
        self.lock = threading.Lock()
        self.received: list[Received] = []
        self.rcpts: list[str] = []
        self.logins: list[str] = []
        self.connections: set = set()  # client (host, port) of every connection that sent mail
        self.drops = 0
        self.on_data = None  # called with the count of accepted messages after each one
        self.script = Script()
        self.port = free_port()
        kwargs = {}
        if auth:
            kwargs.update(authenticator=self._authenticate, auth_required=True,
                          auth_require_tls=tls is not None and not implicit)  # implicit TLS: aiosmtpd cannot tell
        if tls is not None and not implicit:
            kwargs.update(tls_context=tls, require_starttls=True)
        self.controller = Controller(Handler(self), hostname="127.0.0.1", port=self.port,
                                     ssl_context=tls if implicit else None, **kwargs)

    def _authenticate(self, smtp, session, envelope, mechanism, data) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (USER.encode(), PASSWORD.encode())
        if ok:
            self.logins.append(data.login.decode())
        return AuthResult(success=ok, handled=False)

    def delivered_to(self) -> list[str]:
        """Every accepted recipient, in order, once per message."""
        return [rcpt for message in self.received for rcpt in message.rcpt_tos]

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
