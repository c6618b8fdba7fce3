"""The crisis message as CAP 1.2 alerts (OASIS Common Alerting Protocol) and their Atom index.

Pure: a Crisis, the build's time and a CapConfig in, bytes out (no clock, no files). One CAP
document per version of the message, each due once its time has come: the first is an `Alert`,
each update an `Update`, and the all-clear (once `end` has passed) an `Update` with responseType
`AllClear`, as CAP 1.2 defines it ("the subject event no longer poses a threat"). `Cancel` is
left for messages sent in error. Every Update references all versions before it, oldest first
(CAP: "sender,identifier,sent", separated by whitespace), so a consumer that missed one still
joins the thread. Identifiers are the sends' keys (krise-<id>, krise-<id>.update-<minute>,
krise-<id>.entwarnung) behind the site's reversed domain, so a version's file, its CAP identifier
and its sends name each other.

CAP times carry an explicit offset; "Z" is not allowed and UTC is written "-00:00" (CAP 1.2,
3.3.2; the schema's pattern `[-,+]\\d\\d:\\d\\d` refuses "Z").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from lxml import etree

from newsroom.content.frontmatter import FORBIDDEN_CHARACTERS
from newsroom.crisis.model import Crisis
from newsroom.dates import BERLIN, german_datetime, iso
from newsroom.errors import ConfigurationError, ContentError
from newsroom.site import CAP_FOLDER, CAP_INDEX, CAP_MIME

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NAMESPACE = "http://www.w3.org/2005/Atom"

# Level → (severity, urgency). Severity follows the words of the German warning apps (NINA shows
# Minor as "Gefahreninformation", Moderate as "Warnung", Severe as "Gefahr"); Extreme ("extreme
# Gefahr", what MoWaS and Cell Broadcast use to break through) is the federal and state warning
# centres' to give, not a city newsroom's feed. Urgency says how soon to act: an Information asks
# for attention in the near future, a Warnung within the hour, a Gefahr at once.
LEVEL_CAP = {
    "Information": ("Minor", "Future"),
    "Warnung": ("Moderate", "Expected"),
    "Gefahr": ("Severe", "Immediate"),
}
# How long consumers show the all-clear: long enough to be seen, short enough not to linger
# (the German warning centres' all-clears expire after a few hours as well).
ALL_CLEAR_SHOWN = timedelta(hours=12)
# CAP forbids these in identifier and sender (CAP 1.2, 3.2.1).
_NOT_IN_NAMES = frozenset(" ,<&\t\n\r")


@dataclass(frozen=True)
class CapConfig:
    sender: str  # CAP_SENDER: the city's functional address, never a person's
    sender_name: str  # SITE_SHORTNAME
    area: str  # CAP_AREA, e.g. "Stadt Düsseldorf"
    area_code: str | None  # CAP_AREA_CODE: Amtlicher Regionalschlüssel, 12 digits
    identifier_prefix: str  # "de.duesseldorf", the reversed FEED_ID_AUTHORITY
    contact: str | None  # CRISIS_PHONE
    web: str  # absolute URL of the details (plugins/crisis_cap chooses a page that exists)
    index_url: str  # absolute URL of krise/cap.xml
    document_url: str  # absolute URL of krise/cap/, each document's file name appended
    site_url: str  # absolute URL of the home page
    feed_id: str  # tag URI of the index; entries append "/<identifier>"
    fallback_date: datetime  # the index's date without entries: fixed, never the clock

    @classmethod
    def from_settings(cls, settings: dict, urls, web: str) -> CapConfig:
        sender = settings["CAP_SENDER"]
        if not sender or _NOT_IN_NAMES & set(sender):
            raise ConfigurationError(f"Einstellung CAP_SENDER: „{sender}“ darf weder leer sein noch Leerzeichen, "
                                     "Kommas, < oder & enthalten (CAP 1.2); üblich ist eine Funktionsadresse wie "
                                     "presse@duesseldorf.de.")
        code = settings["CAP_AREA_CODE"]
        if code is not None and not (len(code) == 12 and code.isdigit()):
            raise ConfigurationError(f"Einstellung CAP_AREA_CODE: „{code}“ ist kein zwölfstelliger "
                                     "Regionalschlüssel (Düsseldorf: 051110000000).")
        authority = settings["FEED_ID_AUTHORITY"]
        parts = [int(p) for p in str(settings["FEED_ID_DATE"]).split("-")] + [1, 1]
        return cls(sender=sender, sender_name=settings["SITE_SHORTNAME"], area=settings["CAP_AREA"],
                   area_code=code, identifier_prefix=".".join(reversed(authority.split("."))),
                   contact=settings["CRISIS_PHONE"], web=web, index_url=urls.absolute(CAP_INDEX),
                   document_url=urls.absolute(CAP_FOLDER), site_url=urls.absolute(""),
                   feed_id=f"tag:{authority},{settings['FEED_ID_DATE']}:krise/cap",
                   fallback_date=datetime(parts[0], parts[1], parts[2], tzinfo=BERLIN))


@dataclass(frozen=True)
class CapMessage:
    """One version of the crisis message as one CAP alert."""

    key: str  # the send key: krise-<id>, krise-<id>.update-<minute>, krise-<id>.entwarnung
    identifier: str
    msg_type: str  # Alert | Update
    sent: datetime
    headline: str
    description: str
    all_clear: bool
    references: tuple[CapMessage, ...]  # every earlier version, oldest first

    @property
    def path(self) -> str:
        """Site path of its document."""
        return f"{CAP_FOLDER}{self.identifier}.xml"


def cap_time(moment: datetime) -> str:
    """'2026-12-07T05:30:00+01:00'; UTC as '-00:00', never 'Z' nor '+00:00' (CAP 1.2)."""
    text = moment.isoformat(timespec="seconds")
    return text[:-6] + "-00:00" if moment.utcoffset() == timedelta(0) else text


def messages(crisis: Crisis | None, now: datetime, config: CapConfig) -> list[CapMessage]:
    """The versions due by `now`, oldest first: the alert from `start`, each update from its
    date (those before `end`), the all-clear once `end` has passed."""
    if crisis is None or crisis.start > now:
        return []
    _refuse_forbidden(crisis)
    base = f"krise-{crisis.id}"
    found: list[CapMessage] = []

    def add(key: str, msg_type: str, sent: datetime, headline: str, description: str, all_clear=False):
        found.append(CapMessage(key=key, identifier=f"{config.identifier_prefix}.{key}", msg_type=msg_type,
                                sent=sent, headline=headline, description=description, all_clear=all_clear,
                                references=tuple(found)))

    add(base, "Alert", crisis.start, crisis.title, crisis.text)
    due = [u for u in crisis.updates if u.date <= now and (crisis.end is None or u.date < crisis.end)]
    for number, update in enumerate(due):
        # An Update supersedes what came before, so it carries the whole story: newest news first.
        news = [f"Aktualisierung ({german_datetime(u.date)}): {u.text}" for u in reversed(due[:number + 1])]
        add(f"{base}.update-{update.key}", "Update", update.date, crisis.title, "\n\n".join([*news, crisis.text]))
    if crisis.ended(now):
        add(f"{base}.entwarnung", "Update", crisis.end, f"Entwarnung: {crisis.title}", crisis.all_clear,
            all_clear=True)
    return found


def _refuse_forbidden(crisis: Crisis) -> None:
    """XML 1.0 cannot carry control characters; the reader refuses them, and so does this."""
    texts = [("title", crisis.title), ("text", crisis.text), ("all_clear", crisis.all_clear),
             *(("updates", update.text) for update in crisis.updates)]
    for field, text in texts:
        found = FORBIDDEN_CHARACTERS.search(text)
        if found:
            raise ContentError(crisis.source, f"Das Steuerzeichen U+{ord(found.group()):04X} kann nicht in den "
                               "CAP-Feed; bitte entfernen.", field=field)


def _sub(parent, name: str, text: str | None = None, namespace: str = CAP_NAMESPACE):
    element = etree.SubElement(parent, f"{{{namespace}}}{name}")
    if text is not None:
        element.text = text
    return element


def alert_document(message: CapMessage, crisis: Crisis, config: CapConfig) -> bytes:
    """The CAP 1.2 document of one version, elements in the schema's order."""
    alert = etree.Element(f"{{{CAP_NAMESPACE}}}alert", nsmap={None: CAP_NAMESPACE})
    _sub(alert, "identifier", message.identifier)
    _sub(alert, "sender", config.sender)
    _sub(alert, "sent", cap_time(message.sent))
    _sub(alert, "status", "Actual")
    _sub(alert, "msgType", message.msg_type)
    _sub(alert, "scope", "Public")
    if message.references:
        _sub(alert, "references", " ".join(f"{config.sender},{earlier.identifier},{cap_time(earlier.sent)}"
                                           for earlier in message.references))
    _sub(alert, "incidents", f"krise-{crisis.id}")  # every version of one crisis: one incident
    info = _sub(alert, "info")
    _sub(info, "language", "de-DE")
    _sub(info, "category", "Safety")  # CAP: "general emergency and public safety"
    _sub(info, "event", f"Krisenmeldung ({crisis.level})")
    if message.all_clear:
        _sub(info, "responseType", "AllClear")
        severity, urgency, expires = "Minor", "Past", message.sent + ALL_CLEAR_SHOWN
    else:
        (severity, urgency), expires = LEVEL_CAP[crisis.level], crisis.end
    _sub(info, "urgency", urgency)
    _sub(info, "severity", severity)
    _sub(info, "certainty", "Observed")  # the city reports what is happening, not a forecast
    _sub(info, "effective", cap_time(message.sent))
    if not message.all_clear:
        _sub(info, "onset", cap_time(crisis.start))
    if expires is not None:
        _sub(info, "expires", cap_time(expires))
    _sub(info, "senderName", config.sender_name)
    _sub(info, "headline", message.headline)
    _sub(info, "description", message.description)
    _sub(info, "web", config.web)
    if config.contact:
        _sub(info, "contact", config.contact)
    area = _sub(info, "area")
    _sub(area, "areaDesc", config.area)
    if config.area_code:
        # SHN: the Amtlicher Regionalschlüssel (12 digits) under the name the MoWaS messages give it.
        geocode = _sub(area, "geocode")
        _sub(geocode, "valueName", "SHN")
        _sub(geocode, "value", config.area_code)
    return etree.tostring(alert, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def index_document(found: list[CapMessage], config: CapConfig) -> bytes:
    """The Atom index of the CAP documents, newest first; each entry links its document as
    `alternate` of type application/cap+xml (what CAP aggregators follow)."""
    feed = etree.Element(f"{{{ATOM_NAMESPACE}}}feed", nsmap={None: ATOM_NAMESPACE})
    newest = max((m.sent for m in found), default=config.fallback_date)
    _sub(feed, "id", config.feed_id, ATOM_NAMESPACE)
    _sub(feed, "title", f"Krisenmeldungen: {config.sender_name} (CAP)", ATOM_NAMESPACE)
    _sub(feed, "updated", iso(newest), ATOM_NAMESPACE)
    author = _sub(feed, "author", namespace=ATOM_NAMESPACE)
    _sub(author, "name", config.sender_name, ATOM_NAMESPACE)
    _sub(feed, "link", namespace=ATOM_NAMESPACE).attrib.update(
        {"rel": "self", "type": "application/atom+xml", "href": config.index_url})
    _sub(feed, "link", namespace=ATOM_NAMESPACE).attrib.update(
        {"rel": "alternate", "type": "text/html", "href": config.site_url})
    for message in sorted(found, key=lambda m: (m.sent, len(m.references)), reverse=True):
        entry = _sub(feed, "entry", namespace=ATOM_NAMESPACE)
        _sub(entry, "id", f"{config.feed_id}/{message.identifier}", ATOM_NAMESPACE)
        _sub(entry, "title", message.headline, ATOM_NAMESPACE)
        _sub(entry, "updated", iso(message.sent), ATOM_NAMESPACE)
        _sub(entry, "published", iso(message.sent), ATOM_NAMESPACE)
        _sub(entry, "link", namespace=ATOM_NAMESPACE).attrib.update(
            {"rel": "alternate", "type": CAP_MIME, "href": config.document_url + f"{message.identifier}.xml"})
        _sub(entry, "link", namespace=ATOM_NAMESPACE).attrib.update(
            {"rel": "related", "type": "text/html", "href": config.web})
        _sub(entry, "summary", message.description, ATOM_NAMESPACE)
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)
