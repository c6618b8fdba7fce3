"""The press distribution list: read from a file or URL outside the content repository.

Shared by the press channel (plugins/press/recipients.py) and the subscription service's
import of the old list (newsroom/subscriptions/imports.py), so both read a list alike.

Journalists' addresses are personal data: they never enter the site, the content
repository or the record of sends. The list is CSV (header `address,name,medium,themen`,
comma or semicolon) or YAML (a list of mappings with those keys); `themen` names Themen
of THEMEN, separated by `;` or `,` (a YAML list works too), or `alle` for every release.
Two optional columns come from the subscription service's list (newsroom/subscriptions/api.py):
`unsubscribe`, the person's one-click unsubscribe URL (List-Unsubscribe, RFC 8058), and
`manage`, the person's manage page (the footer links it), and `abo`, the value of the
X-Newsroom-Abo header by which a bounce report finds the subscriber (subscriptions/bounces.py).
In the record a recipient is a keyed hash (HMAC of story id and address with a secret
from the environment): it proves who got a release without saying who that is.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
from dataclasses import dataclass, field
from email.errors import HeaderParseError
from email.headerregistry import Address
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from newsroom.errors import SendError

ALL = "alle"
ALL_WORDS = {"alle", "*", "all"}
COLUMNS = ("address", "name", "medium", "themen")
LINK_COLUMNS = ("unsubscribe", "manage")
_ABO = re.compile(r"\d{1,12}\.[0-9a-f]{24}")  # subscriptions.bounces.mail_ref
LINK_MAX = 900  # a header line holds 998 characters; the service's links are far shorter
# What a link may hold: RFC 3986 characters without quotes and angle brackets, which would end
# it in the List-Unsubscribe header or the footer's HTML.
_LINK = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d+)?(?:/[A-Za-z0-9._~:/?#\[\]@!$&()*+,;=%-]*)?")
_SEPARATORS = re.compile(r"[;,]")


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str
    medium: str
    themen: frozenset[str]  # Themen as in THEMEN, or {ALL}
    line: int  # in the list: how messages name a recipient without the address
    unsubscribe: str | None = None  # the person's one-click unsubscribe URL, from the service
    manage: str | None = None  # the person's manage page, from the service
    abo: str | None = None  # X-Newsroom-Abo, from the service

    def wants(self, thema: str) -> bool:
        return ALL in self.themen or thema in self.themen


@dataclass
class RecipientList:
    recipients: list[Recipient] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # German, by line, never with an address
    skipped: list[int] = field(default_factory=list)  # lines that gave no recipient

    def for_thema(self, thema: str) -> list[Recipient]:
        return [r for r in self.recipients if r.wants(thema)]


SERVICE_LIST = "/api/presse/verteiler.csv"
SERVICE_REFUSALS = "/api/presse/rueckmeldungen"


def refusals_url(source: str) -> str | None:
    """Where SMTP refusals go when the list is the subscription service's (its sibling endpoint); else None."""
    base, _, query = source.partition("?")
    return base[: -len(SERVICE_LIST)] + SERVICE_REFUSALS if base.endswith(SERVICE_LIST) and not query else None


def recipient_key(secret: str, story_id: str, address: str) -> str:
    """How the record names a recipient of one release: 12 hex digits of an HMAC. Keyed
    per story too, so the same journalist cannot be followed across releases."""
    message = f"{story_id}\0{address.casefold()}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:12]


def load(source: str, themen: list[str], *, forbidden: tuple[Path, ...] = (), token: str | None = None,
         timeout: float = 30.0) -> RecipientList:
    """The list named by NEWSROOM_PRESS_RECIPIENTS: a path (never inside `forbidden`, the
    content repository and the output) or an http(s) URL (with an optional bearer token)."""
    if urlsplit(source).scheme in ("http", "https"):
        text, kind = _fetch(source, token, timeout)
    else:
        text, kind = _read(Path(source).expanduser(), forbidden)
    return parse(text, kind, themen)


def _read(path: Path, forbidden: tuple[Path, ...]) -> tuple[str, str]:
    resolved = path.resolve()
    for folder in forbidden:
        if resolved.is_relative_to(folder.resolve()):
            raise SendError(f"Pressemitteilung: Die Verteilerliste {path} liegt in {folder}. Adressen von "
                            "Journalistinnen und Journalisten gehören nicht ins Inhalts-Repository oder auf die "
                            "Website; bitte außerhalb ablegen.")
    try:
        data = resolved.read_bytes()
    except OSError as exc:
        raise SendError(f"Pressemitteilung: Verteilerliste {path} nicht lesbar ({exc.strerror}).",
                        retry=True) from None
    return _decode(data, str(path)), _kind(path.name)


def _fetch(url: str, token: str | None, timeout: float) -> tuple[str, str]:
    where = urlsplit(url)._replace(query="", fragment="").geturl()  # a query may hold an access key
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    import requests  # loaded only when the list is fetched: builds need not load it

    try:
        response = requests.get(url, headers=headers, timeout=(5.0, timeout))
    except requests.RequestException as exc:
        raise SendError(f"Pressemitteilung: Verteilerliste {where} nicht abrufbar ({type(exc).__name__}).",
                        retry=True) from None
    if response.status_code != 200:
        raise SendError(f"Pressemitteilung: Verteilerliste {where}: HTTP {response.status_code}.",
                        retry=response.status_code >= 500 or response.status_code == 429)
    kind = _kind(urlsplit(url).path)
    content_type = response.headers.get("Content-Type", "")
    if "yaml" in content_type:
        kind = "yaml"
    elif "csv" in content_type:
        kind = "csv"
    return _decode(response.content, where), kind


def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8-sig")  # spreadsheet exports start with a byte order mark
    except UnicodeDecodeError:
        raise SendError(f"Pressemitteilung: Verteilerliste {where} ist nicht in UTF-8 gespeichert.") from None


def _kind(name: str) -> str:
    return "yaml" if name.lower().endswith((".yml", ".yaml")) else "csv"


def parse(text: str, kind: str, themen: list[str]) -> RecipientList:
    rows = _yaml_rows(text) if kind == "yaml" else _csv_rows(text)
    known = {t.casefold(): t for t in themen}
    result = RecipientList()
    seen: dict[str, int] = {}
    for line, row in rows:
        recipient = _recipient(line, row, known, result.problems)
        if recipient is None:
            result.skipped.append(line)
            continue
        key = recipient.address.casefold()
        if key in seen:
            earlier = result.recipients[seen[key]]
            result.problems.append(f"Zeile {line}: dieselbe Adresse wie in Zeile {earlier.line}; Themen "
                                   "zusammengeführt, nur eine Mail.")
            result.recipients[seen[key]] = Recipient(earlier.address, earlier.name, earlier.medium,
                                                     earlier.themen | recipient.themen, earlier.line,
                                                     earlier.unsubscribe or recipient.unsubscribe,
                                                     earlier.manage or recipient.manage,
                                                     earlier.abo or recipient.abo)
            continue
        seen[key] = len(result.recipients)
        result.recipients.append(recipient)
    return result


def _csv_rows(text: str) -> list[tuple[int, dict]]:
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip().casefold() for h in next(reader)]
    except StopIteration:
        return []
    if "address" not in header:
        raise SendError(f"Pressemitteilung: Die Verteilerliste braucht eine Kopfzeile mit den Spalten "
                        f"{', '.join(COLUMNS)}.")
    rows = []
    for values in reader:
        if any(v.strip() for v in values):
            rows.append((reader.line_num, dict(zip(header, values))))
    return rows


def _yaml_rows(text: str) -> list[tuple[int, dict]]:
    try:
        data, root = yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise SendError(f"Pressemitteilung: Die Verteilerliste ist kein gültiges YAML ({exc}).") from None
    if isinstance(data, dict):  # {recipients: [...]}
        data = data.get("recipients")
        root = next((v for k, v in root.value if k.value == "recipients"), None)
    if data is None:
        return []
    if not isinstance(data, list):
        raise SendError("Pressemitteilung: Die Verteilerliste (YAML) muss eine Liste von Einträgen mit "
                        f"{', '.join(COLUMNS)} sein.")
    lines = [node.start_mark.line + 1 for node in root.value]
    return [(line, item if isinstance(item, dict) else {}) for line, item in zip(lines, data)]


def _recipient(line: int, row: dict, known: dict[str, str], problems: list[str]) -> Recipient | None:
    address = str(row.get("address") or "").strip()
    try:
        parsed = Address(addr_spec=address)
        valid = bool(parsed.username and "." in parsed.domain) and address == parsed.addr_spec
    except (ValueError, HeaderParseError):
        valid = False
    if not valid or not address.isascii():
        hint = " (Umlaute in der Domain bitte als xn--…)" if valid else ""
        problems.append(f"Zeile {line}: keine gültige E-Mail-Adresse{hint}; übersprungen.")
        return None
    raw = row.get("themen")
    words = raw if isinstance(raw, list) else _SEPARATORS.split(str(raw or ""))
    themen = set()
    for word in (str(w).strip() for w in words):
        if not word:
            continue
        if word.casefold() in ALL_WORDS:
            themen.add(ALL)
        elif word.casefold() in known:
            themen.add(known[word.casefold()])
        else:
            problems.append(f"Zeile {line}: Thema „{word}“ gibt es nicht; ignoriert.")
    if not themen:
        problems.append(f"Zeile {line}: keine Themen (oder „alle“) angegeben; übersprungen.")
        return None
    links = {column: _link(line, column, row.get(column), problems) for column in LINK_COLUMNS}
    abo = str(row.get("abo") or "").strip()
    if abo and not _ABO.fullmatch(abo):
        problems.append(f"Zeile {line}: Spalte „abo“ ist ungültig; ignoriert.")
    links["abo"] = abo if _ABO.fullmatch(abo) else None
    return Recipient(address, " ".join(str(row.get("name") or "").split()),
                     " ".join(str(row.get("medium") or "").split()), frozenset(themen), line, **links)


def _link(line: int, column: str, value, problems: list[str]) -> str | None:
    """An optional link column: an http(s) URL fit for a header and the footer, else None (and a note)."""
    text = str(value or "").strip()
    if not text:
        return None
    if len(text) > LINK_MAX or not _LINK.fullmatch(text):
        problems.append(f"Zeile {line}: Spalte „{column}“ ist kein brauchbarer http(s)-Link; ignoriert.")
        return None
    return text
