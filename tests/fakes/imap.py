"""A minimal IMAP4rev1 server over TLS on loopback, enough for imaplib: LOGIN, SELECT, UID SEARCH UNSEEN,
UID FETCH (RFC822.SIZE | BODY.PEEK[] | BODY[]), UID STORE +FLAGS, CLOSE, LOGOUT. One client at a time.
TLS with smtp-test-cert.pem (self-signed for 127.0.0.1 and localhost)."""

from __future__ import annotations

import re
import socket
import ssl
import threading
from dataclasses import dataclass, field

from tests.fakes.smtp import CERT, server_tls


@dataclass
class Stored:
    uid: int
    data: bytes
    flags: set[str] = field(default_factory=set)


class FakeImap:
    def __init__(self, user: str = "bounces", password: str = "geheim-imap", folder: str = "INBOX"):
        self.user, self.password, self.folder = user, password, folder
        self.messages: list[Stored] = []
        self.commands: list[str] = []
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.ca_file = str(CERT)
        self._tls = server_tls()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def add(self, data: bytes) -> int:
        uid = len(self.messages) + 1
        self.messages.append(Stored(uid, data))
        return uid

    def flags(self, uid: int) -> set[str]:
        return self.messages[uid - 1].flags

    def close(self) -> None:
        self._socket.close()

    def _serve(self) -> None:
        while True:
            try:
                raw, _ = self._socket.accept()
            except OSError:
                return
            try:
                with self._tls.wrap_socket(raw, server_side=True) as conn:
                    self._session(conn.makefile("rb"), conn)
            except (OSError, ssl.SSLError):
                continue

    def _session(self, reader, conn) -> None:
        def send(text: str | bytes) -> None:
            conn.sendall(text if isinstance(text, bytes) else text.encode())

        send("* OK [CAPABILITY IMAP4rev1] Test-IMAP bereit\r\n")
        selected = False
        while True:
            line = reader.readline()
            if not line:
                return
            tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
            self.commands.append(rest)
            command = rest.split(" ")[0].upper()
            if command == "CAPABILITY":
                send(f"* CAPABILITY IMAP4rev1\r\n{tag} OK erledigt\r\n")
            elif command == "LOGIN":
                user, password = (part.strip('"') for part in rest.split(" ")[1:3])
                good = (user, password) == (self.user, self.password)
                send(f"{tag} OK erledigt\r\n" if good else f"{tag} NO falsch\r\n")
            elif command == "SELECT":
                selected = rest.split(" ", 1)[1].strip('"') == self.folder
                send(f"* {len(self.messages)} EXISTS\r\n{tag} OK [READ-WRITE]\r\n" if selected
                     else f"{tag} NO kein solcher Ordner\r\n")
            elif command == "UID" and selected:
                send(self._uid(tag, rest.split(" ", 1)[1]))
            elif command in ("CLOSE", "NOOP"):
                send(f"{tag} OK erledigt\r\n")
            elif command == "LOGOUT":
                send(f"* BYE\r\n{tag} OK erledigt\r\n")
                return
            else:
                send(f"{tag} BAD unbekannt\r\n")

    def _uid(self, tag: str, rest: str) -> bytes:
        verb, _, arguments = rest.partition(" ")
        verb = verb.upper()
        if verb == "SEARCH":
            found = " ".join(str(m.uid) for m in self.messages if "\\Seen" not in m.flags)
            return f"* SEARCH {found}\r\n{tag} OK erledigt\r\n".encode()
        uid, _, what = arguments.partition(" ")
        seq, stored = next(((n, m) for n, m in enumerate(self.messages, 1) if str(m.uid) == uid), (None, None))
        if stored is None:
            return f"{tag} OK erledigt\r\n".encode()
        if verb == "FETCH" and "RFC822.SIZE" in what:
            return f"* {seq} FETCH (UID {uid} RFC822.SIZE {len(stored.data)})\r\n{tag} OK erledigt\r\n".encode()
        if verb == "FETCH" and "BODY" in what:
            if "PEEK" not in what:
                stored.flags.add("\\Seen")
            head = f"* {seq} FETCH (UID {uid} BODY[] {{{len(stored.data)}}}\r\n".encode()
            return head + stored.data + f")\r\n{tag} OK erledigt\r\n".encode()
        if verb == "STORE":
            stored.flags |= set(re.findall(r"\\\w+", what))
            shown = " ".join(sorted(stored.flags))
            return f"* {seq} FETCH (UID {uid} FLAGS ({shown}))\r\n{tag} OK erledigt\r\n".encode()
        return f"{tag} BAD\r\n".encode()
