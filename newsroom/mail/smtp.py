"""SMTP for the press release and the desk's alerts: one connection, one transaction per recipient.

STARTTLS (port 587), implicit TLS (465) or none (a relay on the local network), with
AUTH when a user is set. `Connection.deliver()` runs MAIL, RCPT and DATA itself rather
than smtplib's sendmail(), because it must know one thing sendmail() hides: whether the
final "." had left when the connection broke. Before it, nothing was delivered and the
recipient is tried again on a new connection; after it, the server may have accepted
the message without our hearing it (RFC 1047), so the recipient is "uncertain" and is
never mailed again automatically.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from dataclasses import dataclass
from enum import Enum

from newsroom.errors import Disconnected, SendError
from newsroom.mail.addresses import mask_addresses
from newsroom.secrets import Credentials

PORTS = {"starttls": 587, "tls": 465, "none": 25}


class Result(Enum):
    ACCEPTED = "accepted"
    REFUSED = "refused"  # 5xx: permanent, reported
    DEFERRED = "deferred"  # 4xx: tried again by a later run
    UNCERTAIN = "uncertain"  # the answer to the final "." was lost


@dataclass(frozen=True)
class Reply:
    result: Result
    code: int = 0
    text: str = ""  # the server's words, addresses masked

    def __str__(self) -> str:
        return f"{self.code} {self.text}" if self.code else self.text


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str
    user: str | None
    password: str | None
    timeout: float
    ca_file: str | None
    label: str = "Pressemitteilung"  # who sends, in every message about this server

    @classmethod
    def from_credentials(cls, credentials: Credentials, settings: dict, label: str = "Pressemitteilung") -> SmtpConfig:
        security = (credentials.get("SMTP_SECURITY", secret=False) or "starttls").lower()
        if security not in PORTS:
            raise SendError(f"{label}: {credentials.name('SMTP_SECURITY')} ist „{security}“; erlaubt sind "
                            "starttls, tls und none.")
        port_text = credentials.get("SMTP_PORT", secret=False) or str(PORTS[security])
        if not port_text.isdigit():
            raise SendError(f"{label}: {credentials.name('SMTP_PORT')} ist keine Portnummer.")
        user, password = credentials.get("SMTP_USER", secret=False), credentials.get("SMTP_PASSWORD")
        if password and security == "none":
            raise SendError(f"{label}: Ein Passwort wird nie unverschlüsselt gesendet; "
                            f"{credentials.name('SMTP_SECURITY')} auf starttls oder tls setzen.")
        return cls(credentials.require("SMTP_HOST", secret=False), int(port_text), security, user, password,
                   float(settings["PRESS_SMTP_TIMEOUT"]), credentials.get("SMTP_CA_FILE", secret=False), label)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def _words(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return mask_addresses(" ".join(text.split()))[:200]


def _classify(code: int, raw) -> Reply:
    if 200 <= code < 300:
        return Reply(Result.ACCEPTED, code, _words(raw))
    return Reply(Result.DEFERRED if 400 <= code < 500 else Result.REFUSED, code, _words(raw))


_LEADING_DOT = re.compile(rb"(?m)^\.")


class Connection:
    def __init__(self, config: SmtpConfig):
        self.config = config
        self.smtp = self._open()

    def _open(self) -> smtplib.SMTP:
        config = self.config
        context = ssl.create_default_context(cafile=config.ca_file)
        label = f"{config.label}: SMTP-Server {config.where}"
        try:
            if config.security == "tls":
                smtp = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout, context=context)
            else:
                smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
            smtp.ehlo()
            if config.security == "starttls":
                if not smtp.has_extn("starttls"):
                    smtp.close()
                    raise SendError(f"{label} bietet kein STARTTLS an; ohne Verschlüsselung wird nicht gesendet.")
                smtp.starttls(context=context)
                smtp.ehlo()
            if config.user:
                smtp.login(config.user, config.password or "")
        except ssl.SSLCertVerificationError as exc:
            raise SendError(f"{label}: Zertifikat nicht vertrauenswürdig ({exc.verify_message}).") from None
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(f"{label}: Anmeldung abgelehnt ({exc.smtp_code} {_words(exc.smtp_error)}).") from None
        except smtplib.SMTPNotSupportedError:
            raise SendError(f"{label} bietet keine Anmeldung (AUTH) an.") from None
        except smtplib.SMTPResponseException as exc:
            raise SendError(f"{label} lehnt ab: {exc.smtp_code} {_words(exc.smtp_error)}.",
                            retry=400 <= exc.smtp_code < 500) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise Disconnected(f"SMTP-Server {config.where} nicht erreichbar ({type(exc).__name__}: {exc})") from None
        return smtp

    def deliver(self, sender: str, recipient: str, data: bytes) -> Reply:
        """One message to one recipient. Raises Disconnected when it surely did not arrive,
        SendError when the server refuses the sender (a set-up problem, not a recipient's)."""
        smtp = self.smtp
        try:
            code, raw = smtp.mail(sender)
            if code == 421:
                raise Disconnected(f"Server beendet die Verbindung ({code} {_words(raw)})")
            if code != 250:
                self._reset()
                if 400 <= code < 500:
                    return _classify(code, raw)
                raise SendError(f"{self.config.label}: Der SMTP-Server lehnt den Absender ab: {code} {_words(raw)}.")
            code, raw = smtp.rcpt(recipient)
            if code == 421:
                raise Disconnected(f"Server beendet die Verbindung ({code} {_words(raw)})")
            if code not in (250, 251):
                self._reset()
                return _classify(code, raw)
            smtp.putcmd("data")
            code, raw = smtp.getreply()
            if code != 354:
                self._reset()
                return _classify(code, raw)
            if not data.endswith(b"\r\n"):
                data += b"\r\n"
            smtp.send(_LEADING_DOT.sub(b"..", data) + b".\r\n")
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise Disconnected(f"Verbindung abgebrochen ({type(exc).__name__})") from None
        # The message has left in full: from here on, a lost answer leaves it open whether it arrived.
        try:
            code, raw = smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError, socket.timeout):
            self.close()
            return Reply(Result.UNCERTAIN, 0, "keine Antwort nach dem Ende der Nachricht")
        return _classify(code, raw)

    def _reset(self) -> None:
        try:
            self.smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    @property
    def open(self) -> bool:
        return self.smtp is not None and self.smtp.sock is not None

    def close(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
