"""Abuse defences without any third-party captcha: rate limits shared through the database, a
honeypot field, a minimum fill time, the origin of a form, strict input limits and the security
headers of every answer.
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address
from urllib.parse import urlsplit

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from newsroom.subscriptions.models import EMAIL_MAX, Rate

HONEYPOT = "webseite"  # hidden by CSS; people leave it empty, form-filling robots do not
MIN_FILL_SECONDS = 3  # a person needs longer than this for the service's form
TEXT_MAX = 120  # name and medium: the columns' size
FORM_MAX_BYTES = 16_000  # a whole sign-up form with every box ticked is below 4 kB


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


# Per client: a newsroom's shared office address signs up a few people, a script many.
CLIENT_SIGNUPS = Limit("client-signup", 10, 600)
# Per address: at most this many confirmation or manage mails, whoever asks for them.
ADDRESS_MAILS = Limit("address-mail", 3, 3600)
# Per client on the token pages: a link guesser gets nowhere (HMAC), but should not even try long.
CLIENT_ACTIONS = Limit("client-action", 60, 600)


def bucket_key(limit: Limit, bucket: str) -> str:
    """The row key of one limit's bucket (a keyed hash of an address or a client)."""
    return f"{limit.name}:{bucket}"[:64]


def hit(session: Session, bucket: str, limit: Limit, *, now: float | None = None) -> bool:
    """Counts one request in `bucket`'s current window; False once the window's limit is passed.
    One upsert statement (INSERT … ON CONFLICT DO UPDATE … RETURNING), atomic on SQLite and on
    PostgreSQL, so several instances count together."""
    now = time.time() if now is None else now
    window = int(now) // limit.seconds * limit.seconds
    key = bucket_key(limit, bucket)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(Rate).values(bucket=key, window=window, count=1)
    statement = statement.on_conflict_do_update(index_elements=[Rate.bucket, Rate.window],
                                                set_={"count": Rate.count + 1}).returning(Rate.count)
    count = session.execute(statement).scalar_one()
    if count == 1:  # a new window: forget windows older than a day
        session.execute(delete(Rate).where(Rate.window < int(now) - 86_400))
    return count <= limit.count


# -- where a form came from ---------------------------------------------------------------

def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(headers, allowed: set[str]) -> bool:
    """A browser names the page a POST came from (Origin; without it, Sec-Fetch-Site). Only the
    site and the service itself may post; a request naming neither header is no browser's form."""
    origin = headers.get("origin")
    if origin:
        return origin.lower() in allowed
    return headers.get("sec-fetch-site") == "same-origin"


def not_foreign(headers, allowed: set[str]) -> bool:
    """For the token-carrying forms: refused only when a browser says another site sent it."""
    origin = headers.get("origin")
    if origin and origin != "null":
        return origin.lower() in allowed
    return headers.get("sec-fetch-site") not in ("cross-site", "same-site")


# -- input ---------------------------------------------------------------------------------

def _forbidden_character(text: str) -> bool:
    """Control characters and the invisible ones that reorder or hide text (bidi overrides,
    zero-width joiners): nothing a name or an address needs, much that fools a reader."""
    return any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp") for c in text)


def shown(raw: str, limit: int = 300) -> str:
    """A refused value as the form shows it again: without the characters that were refused."""
    return "".join(c for c in raw[:limit] if not _forbidden_character(c))


def check_email(raw: str) -> tuple[str | None, str | None]:
    """(casefolded address, None) or (None, German error)."""
    text = raw.strip()
    if not text:
        return None, "Bitte geben Sie Ihre E-Mail-Adresse ein."
    if len(text) > EMAIL_MAX:
        return None, f"Die E-Mail-Adresse ist zu lang (höchstens {EMAIL_MAX} Zeichen)."
    if _forbidden_character(text) or any(c.isspace() for c in text):
        return None, "Die E-Mail-Adresse enthält unzulässige Zeichen."
    try:
        address = Address(addr_spec=text)
    except (HeaderParseError, ValueError, IndexError, TypeError):
        address = None
    if (address is None or address.addr_spec != text or not address.username or "." not in address.domain
            or address.domain.startswith(".") or address.domain.endswith(".") or any(c in text for c in "<>\"()[]\\,;:")):
        return None, "Bitte geben Sie eine gültige E-Mail-Adresse ein, zum Beispiel name@beispiel.de."
    return text.casefold(), None


def check_text(raw: str, label: str, *, required: bool) -> tuple[str | None, str | None]:
    """A name or a medium: one line of plain text, no markup."""
    text = " ".join(raw.split())
    if not text:
        return None, (f"Bitte geben Sie {label} an." if required else None)
    if len(text) > TEXT_MAX:
        return None, f"Bitte höchstens {TEXT_MAX} Zeichen."
    if _forbidden_character(raw) or any(c in text for c in "<>{}"):
        return None, "Bitte nur Buchstaben, Ziffern und übliche Satzzeichen (keine spitzen oder geschweiften Klammern)."
    return text, None


def check_choices(values: list[str], allowed: list[str], *, allow_all: bool = True) -> list[str] | None:
    """The values, each one of `allowed` (or "alle"), in the order of `allowed`; None if any is not."""
    permitted = [*allowed, *(["alle"] if allow_all else [])]
    if any(value not in permitted for value in values) or len(values) > len(permitted):
        return None
    if "alle" in values:
        return ["alle"]
    return [value for value in allowed if value in values]


# -- the headers of every answer -------------------------------------------------------------

POLICY = ("default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self'; object-src 'none'; "
          "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "content-security-policy": POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",  # the links carry tokens: never hand them to another site
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


class SecurityHeaders:
    """ASGI middleware: the headers above on every answer; no answer with a token may be cached."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = "/theme/" in scope.get("path", "")

        async def with_headers(message):
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k.encode(), v.encode()) for k, v in HEADERS.items() if k.encode() not in names]
                if b"cache-control" not in names:
                    extra.append((b"cache-control", b"public, max-age=3600" if static else b"no-store"))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)
