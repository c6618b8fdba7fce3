"""Press appointments (content/termine): read strictly with every problem at once, listed as of
BUILD_NOW, one page each, the next days, a feed, and an iCalendar file whose UID stays, whose
SEQUENCE rises with every committed change and whose bytes stay the same when nothing changed.
The calendar is read back with icalendar and with a minimal RFC 5545 reader written here."""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone

import feedparser
import icalendar
import pytest

from newsroom.errors import ContentErrors
from tests.support import story_text
from tests.test_incremental import assert_same_as_cold_build

FILE = "content/termine/2026/radverkehr.md"
ICS = "presse/termine.ics"
INDEX = "presse/termine/index.html"


def errors_of(site, **extra) -> list[str]:
    with pytest.raises(ContentErrors) as caught:
        site.check(**extra)
    return [str(e) for e in caught.value.errors]


def titles(html: str) -> list[str]:
    """The headings below the h1 as text, in the order the page shows them."""
    return [re.sub(r"<[^>]+>", "", text) for _level, text in re.findall(r"<h([2-4])[^>]*>(.*?)</h\1>", html, re.S)]


def main(html: str) -> str:
    return html[html.index("<main"):html.index("</main>")]


# -- a minimal RFC 5545 reader, independent of icalendar -----------------------------------------

def unfold(data: bytes) -> list[str]:
    """Content lines: CRLF-separated, a line starting with a space or tab continues the one before."""
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    lines: list[str] = []
    for raw in data.split(b"\r\n")[:-1]:
        assert len(raw) <= 75, raw  # folded at 75 octets (RFC 5545, 3.1)
        text = raw.decode("utf-8")
        if text[:1] in (" ", "\t"):
            lines[-1] += text[1:]
        else:
            lines.append(text)
    return lines


def content_line(line: str) -> tuple[str, dict[str, str], str]:
    """NAME;PARAM=VALUE;…:VALUE, with colons allowed inside quoted parameter values."""
    quoted = False
    for index, character in enumerate(line):
        if character == '"':
            quoted = not quoted
        elif character == ":" and not quoted:
            break
    head, value = line[:index], line[index + 1:]
    name, *params = head.split(";")
    return name.upper(), dict(param.split("=", 1) for param in params), value


def text_value(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def components(data: bytes) -> list[tuple[str, dict[str, tuple[dict, str]]]]:
    """Every component (VCALENDAR, VTIMEZONE, STANDARD, VEVENT …) with its properties, in order."""
    found, stack = [], []
    for line in unfold(data):
        name, params, value = content_line(line)
        if name == "BEGIN":
            stack.append((value, {}))
        elif name == "END":
            kind, properties = stack.pop()
            assert kind == value
            found.append((kind, properties))
        else:
            stack[-1][1][name] = (params, value)
    assert not stack
    return found


def events(data: bytes) -> dict[str, dict[str, tuple[dict, str]]]:
    return {props["UID"][1]: props for kind, props in components(data) if kind == "VEVENT"}


# -- content ------------------------------------------------------------------------------------

def press_site(site):
    """A published story and an appointment that names it, committed."""
    site.story()
    site.appointment(story="a1b2c3d4e5f6", accreditation='"Bitte bis 30. November anmelden."')
    site.commit("Termin", "2026-11-20 09:00")
    return site


def test_upcoming_soonest_first_then_past_by_month_newest_first(site):
    site.appointment("2026/spaeter.md", id="termin000001", title="Später im Dezember",
                     start='"2026-12-10 10:00"', end='"2026-12-10 11:00"')
    site.appointment("2026/bald.md", id="termin000002", title="Morgen früh", start='"2026-11-27 09:00"',
                     end='"2026-11-27 10:00"', status="cancelled")
    site.appointment("2026/laeuft.md", id="termin000003", title="Läuft gerade", start='"2026-11-26 11:00"',
                     end='"2026-11-26 13:00"')
    site.appointment("2026/oktober.md", id="termin000004", title="Im Oktober", start='"2026-10-05 10:00"',
                     end='"2026-10-05 11:00"')
    site.appointment("2026/november.md", id="termin000005", title="Anfang November", start='"2026-11-03 10:00"',
                     end='"2026-11-03 11:00"')
    site.appointment("2026/november-spaet.md", id="termin000006", title="Ende November",
                     start='"2026-11-20 10:00"', end='"2026-11-20 11:00"')
    site.build()
    page = main(site.page(INDEX))
    assert titles(page) == [
        "Kommende Termine", "Läuft gerade", "Abgesagt Morgen früh", "Später im Dezember",
        "Vergangene Termine", "November 2026", "Ende November", "Anfang November", "Oktober 2026", "Im Oktober",
        "Termine im eigenen Kalender"]
    # Cancelled is said in words, inside the link's text, not only by a colour or a class.
    assert ('<a href="/presse/termine/2026/bald/"><span class="status-badge">Abgesagt</span> Morgen früh</a>'
            in page)
    assert '<time datetime="2026-11-27T09:00:00+01:00">Freitag, 27. November 2026, 09:00 Uhr</time>' in page
    # A week later the same appointments are all past, the newest month first.
    site.build(BUILD_NOW="2026-12-11 12:00")
    page = main(site.page(INDEX))
    assert "Zurzeit sind keine Termine angekündigt." in page
    assert titles(page)[:4] == ["Kommende Termine", "Vergangene Termine", "Dezember 2026", "Später im Dezember"]


def test_its_page_shows_every_field_and_links_the_story(site):
    press_site(site)
    site.build()
    page = main(site.page("presse/termine/2026/radverkehr/index.html"))
    assert "<h1>Pressegespräch zum Radverkehr</h1>" in page
    assert ('<time datetime="2026-12-01T10:00:00+01:00">Dienstag, 1. Dezember 2026, 10:00 Uhr</time> bis '
            '<time datetime="2026-12-01T11:00:00+01:00">11:00 Uhr</time>') in page
    assert "<dt>Ort</dt>\n      <dd>Rathaus, Marktplatz 2, 40213 Düsseldorf</dd>" in page
    assert "<dt>Treffpunkt</dt>\n      <dd>Foyer, Eingang Marktplatz</dd>" in page
    assert "<dt>Akkreditierung</dt>\n      <dd>Bitte bis 30. November anmelden.</dd>" in page
    assert "<dt>Stand</dt>\n      <dd>Bestätigt</dd>" in page
    assert '<a href="/aktuelles/2026/11/neue-radwege-am-rheinufer/">Neue Radwege am Rheinufer</a>' in page
    assert '<a href="tel:+492118993131">0211 89-93131</a>' in page
    assert "<p>Die Radverkehrsbeauftragte stellt die Bilanz des Jahres vor.</p>" in page
    assert '<a href="/presse/termine.ics" type="text/calendar">' in page
    sitemap = site.page("sitemap-termine.xml")
    for path in ("presse/termine/", "presse/termine/heute/", "presse/termine/2026/radverkehr/"):
        assert f"<loc>http://localhost:8000/{path}</loc>" in sitemap
    # Linked where the site links press things: the footer of every page.
    assert '<li><a href="/presse/termine/">Termine für die Presse</a></li>' in site.page("index.html")


def test_the_next_days_page_groups_by_day(site):
    site.appointment("2026/heute.md", id="termin000001", title="Heute Nachmittag", start='"2026-11-26 15:00"',
                     end='"2026-11-26 16:00"')
    site.appointment("2026/montag.md", id="termin000002", title="Am Montag", start='"2026-11-30 10:00"',
                     end='"2026-11-30 11:00"', status="planned")
    site.appointment("2026/mittwoch.md", id="termin000003", title="Am Mittwoch", start='"2026-12-02 23:00"',
                     end='"2026-12-03 01:00"')
    site.appointment("2026/donnerstag.md", id="termin000004", title="Zu spät", start='"2026-12-03 09:00"',
                     end='"2026-12-03 10:00"')
    site.appointment("2026/vorbei.md", id="termin000005", title="Heute früh", start='"2026-11-26 08:00"',
                     end='"2026-11-26 09:00"')
    site.build()
    page = main(site.page("presse/termine/heute/index.html"))
    assert titles(page) == ["Donnerstag, 26. November 2026 (heute)", "Heute Nachmittag", "Montag, 30. November 2026",
                            "Am Montag", "Mittwoch, 2. Dezember 2026", "Am Mittwoch", "Termine im eigenen Kalender"]
    assert '<h2 id="tag-2026-11-26"><time datetime="2026-11-26">Donnerstag, 26. November 2026</time> (heute)</h2>' \
        in page
    assert "bis <time datetime=\"2026-12-03T01:00:00+01:00\">3. Dezember 2026, 01:00 Uhr</time>" in page
    assert "<strong>geplant, noch nicht bestätigt</strong>" in page


# -- strict reading -------------------------------------------------------------------------------

def test_every_problem_of_a_file_at_once_with_line_and_field(site):
    site.story()
    site.appointment(start="10:30", end='"2026-12-01 11:00"', topic="Verkeh", titel="Doppelt", status="abgesagt",
                     story="fehlt0000000")
    assert errors_of(site) == [
        f"{FILE}:4: Feld „start“: „10:30“ ist kein Zeitpunkt. Erwartet wird JJJJ-MM-TT HH:MM, zum Beispiel "
        "2026-11-30 10:00. (YAML liest „10:30“ als Zahl 630.)",
        f"{FILE}:9: Feld „topic“: „Verkeh“ ist nicht erlaubt. Meinten Sie „Verkehr“? Erlaubt: Verkehr, Umwelt & "
        "Klima, Bildung, Kultur, Soziales, Gesundheit, Sicherheit & Ordnung, Bauen & Wohnen, Wirtschaft, Sport & "
        "Freizeit, Digitales, Rat & Verwaltung, Jugend & Familie, Veranstaltungen.",
        f"{FILE}:14: Feld „titel“: Unbekanntes Feld. Meinten Sie „title“? Erlaubt: accreditation, channels, contact, "
        "end, id, place, start, status, story, title, topic.",
        f"{FILE}:15: Feld „status“: „abgesagt“ ist nicht erlaubt. Meinten Sie „cancelled“? Erlaubt: planned "
        "(geplant), confirmed (bestätigt), cancelled (abgesagt).",
    ]
    # Once the file reads, the archive-level check finds the story that does not exist.
    site.appointment(story="fehlt0000000")
    assert errors_of(site) == [f"{FILE}:14: Feld „story“: Meldung „fehlt0000000“: keine Meldung hat diese id."]


@pytest.mark.parametrize("fields, expected", [
    ({"end": '"2026-12-01 09:30"'},
     f"{FILE}:5: Feld „end“: Das Ende (1. Dezember 2026, 09:30 Uhr) liegt nicht nach dem Beginn "
     "(1. Dezember 2026, 10:00 Uhr)."),
    ({"end": '"2026-12-01 10:00"'},
     f"{FILE}:5: Feld „end“: Das Ende (1. Dezember 2026, 10:00 Uhr) liegt nicht nach dem Beginn "
     "(1. Dezember 2026, 10:00 Uhr)."),
    ({"start": '"2026-03-29 02:30"', "end": '"2026-03-29 04:00"'},
     f"{FILE}:4: Feld „start“: 02:30 Uhr am 29.03.2026 gibt es wegen der Zeitumstellung nicht."),
    ({"start": "2026-12-01"}, f"{FILE}:4: Feld „start“: „2026-12-01“ hat keine Uhrzeit. Erwartet wird "
                              "JJJJ-MM-TT HH:MM, zum Beispiel 2026-11-30 10:00."),
    ({"id": "Termin_1"}, f"{FILE}:2: Feld „id“: „Termin_1“ ist ungültig. Erlaubt: 6–64 Zeichen a–z, 0–9 und "
                         "Bindestrich."),
    ({"place": "Rathaus"}, f"{FILE}:6: Feld „place“: Erwartet wird eine Gruppe von Feldern (eingerückt darunter)."),
    ({"place": "\n  address: Rathaus\n  treffpunkt: Foyer"},
     f"{FILE}:8: Feld „place.treffpunkt“: Unbekanntes Feld. Erlaubt: address, meeting_point."),
    ({"channels": "\n  mastodon: true"},
     f"{FILE}:15: Feld „channels.mastodon“: Unbekanntes Feld. Erlaubt: press."),
    ({"channels": "\n  press: vielleicht"}, f"{FILE}:15: Feld „channels.press“: Erwartet wird true oder false."),
    ({"title": "no"}, f"{FILE}:3: Feld „title“: „no“ wird von YAML als Wahrheitswert (ja/nein) gelesen, nicht als "
                      'Text. Bitte in Anführungszeichen setzen: title: "no"'),
])
def test_hostile_values_are_refused_in_german(site, fields, expected):
    site.appointment(**fields)
    assert errors_of(site) == [expected]


@pytest.mark.parametrize("fields, field, line", [
    ({"title": '"Presse\\u202egespräch"'}, "title", 3),
    ({"place": '\n  address: "Rathaus\\u200b, Marktplatz 2"'}, "place.address", 7),
    ({"place": '\n  address: Rathaus\n  meeting_point: "Foyer\\u2066"'}, "place.meeting_point", 8),
    ({"accreditation": '"Bitte\\u2028anmelden."'}, "accreditation", 14),
    ({"contact": '\n  name: "Presse\\u202e"\n  phone: "0211 89-93131"'}, "contact.name", 11),
])
def test_invisible_and_direction_characters_are_refused(site, fields, field, line):
    site.appointment(**fields)
    [error] = errors_of(site)
    assert error.startswith(f"{FILE}:{line}: Feld „{field}“: Unsichtbares Zeichen U+"), error


def test_a_control_character_typed_into_the_title_is_refused(site):
    site.appointment(title="Presse\x85gespräch")
    assert errors_of(site) == [f"{FILE}:3: Feld „title“: Unsichtbares Steuerzeichen U+0085 gefunden; bitte entfernen."]


def test_ids_and_addresses_are_unique_and_links_lead_somewhere(site):
    site.story()
    site.story("2026/entwurf.md", id="entwurf00001", status="draft", title="Entwurf")
    site.appointment()
    site.appointment("2026/zweiter.md", story="entwurf00001")
    site.appointment("2027/radverkehr.md", id="c0ffee999999", body="Siehe [die Meldung](story:entwurf00001).\n")
    assert errors_of(site) == [
        "content/termine/2026/zweiter.md: Feld „id“: Die id „c0ffee123456“ hat schon content/termine/2026/"
        "radverkehr.md. Jeder Termin braucht eine eigene id.",
        "content/termine/2026/zweiter.md:14: Feld „story“: Meldung „entwurf00001“ (content/stories/2026/entwurf.md) "
        "ist ein Entwurf; verlinkt werden nur veröffentlichte Meldungen.",
        # The address comes from the start's year, not the folder: 2027/radverkehr.md starts in 2026.
        "content/termine/2027/radverkehr.md: Die Adresse /presse/termine/2026/radverkehr/ hätte auch "
        "content/termine/2026/radverkehr.md. Bitte eine der Dateien umbenennen.",
        "content/termine/2027/radverkehr.md: Link story:„entwurf00001“ (content/stories/2026/entwurf.md) ist noch "
        "nicht veröffentlicht; der Link liefe ins Leere.",
    ]


def test_a_planned_story_is_never_linked(site):
    site.write("stories/2026/plan.md", "---\nid: p1p2p3p4p5p6\ntitle: Bilanz\nstatus: planned\nowner: Presse\n"
                                      "target: 2026-12-23\n---\n")
    site.appointment(story="p1p2p3p4p5p6")
    assert errors_of(site) == [f"{FILE}:14: Feld „story“: Meldung „p1p2p3p4p5p6“ (content/stories/2026/plan.md) ist "
                               "erst geplant; verlinkt werden nur veröffentlichte Meldungen."]


def test_a_scheduled_story_is_linked_only_once_it_is_published(site):
    site.story(date='"2026-12-01 08:00"')
    site.appointment(story="a1b2c3d4e5f6")
    site.build()
    page = site.page("presse/termine/2026/radverkehr/index.html")
    assert "Zur Meldung" not in page and "neue-radwege" not in page  # no title or address before its time
    report = site.build(BUILD_NOW="2026-12-01 09:00")
    assert "presse/termine/2026/radverkehr/index.html" in report.written
    assert '<a href="/aktuelles/2026/12/neue-radwege-am-rheinufer/">Neue Radwege am Rheinufer</a>' \
        in site.page("presse/termine/2026/radverkehr/index.html")


def test_a_symbolic_link_below_termine_is_refused(site, tmp_path):
    secret = tmp_path / "geheim.md"
    secret.write_text("---\ntitle: Geheim\n---\n", encoding="utf-8")
    site.appointment()
    os.symlink(secret, site.content / "termine/2026/link.md")
    errors = errors_of(site)
    assert errors == [f"content/termine/2026/link.md: Diese Datei oder dieser Ordner ist eine Verknüpfung (Symlink) "
                      f"auf „{secret}“. Verknüpfungen sind in content/ nicht erlaubt: Bitte die Datei selbst ablegen "
                      "oder die Verknüpfung löschen."]


# -- the calendar ---------------------------------------------------------------------------------

def test_the_calendar_reads_back_with_icalendar_and_by_hand(site):
    press_site(site)
    site.appointment("2026/geplant.md", id="d00d00d00d01", title="Ortstermin Radweg Bilk", status="planned",
                     start='"2026-12-03 14:00"', end='"2026-12-03 15:30"')
    site.commit("Geplanter Termin", "2026-11-21 10:00")
    site.build()
    data = (site.output / ICS).read_bytes()
    # icalendar: the same events, times in Berlin, the time zone defined.
    calendar = icalendar.Calendar.from_ical(data)
    [vtimezone] = calendar.walk("VTIMEZONE")
    assert vtimezone["TZID"] == "Europe/Berlin"
    [first, second] = calendar.walk("VEVENT")
    assert str(first["UID"]) == "c0ffee123456@termine.localhost"
    assert first.decoded("DTSTART") == datetime(2026, 12, 1, 10, 0, tzinfo=first.decoded("DTSTART").tzinfo)
    assert first.decoded("DTSTART").utcoffset().total_seconds() == 3600
    assert first.decoded("DTSTAMP") == datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)  # the commit, not the clock
    assert str(first["STATUS"]) == "CONFIRMED" and str(second["STATUS"]) == "TENTATIVE"
    assert str(first["LOCATION"]) == "Rathaus, Marktplatz 2, 40213 Düsseldorf"
    assert str(first["URL"]) == "http://localhost:8000/presse/termine/2026/radverkehr/"
    assert str(first["DESCRIPTION"]) == (
        "Thema: Verkehr\nTreffpunkt: Foyer, Eingang Marktplatz\nAkkreditierung: Bitte bis 30. November anmelden.\n"
        "Kontakt für Rückfragen: Presse- und Informationsdienst, Telefon 0211 89-93131, "
        "E-Mail presse@duesseldorf.de\nZur Meldung: http://localhost:8000/aktuelles/2026/11/neue-radwege-am-rheinufer/")
    # By hand: the lines as RFC 5545 writes them.
    kinds = [kind for kind, _props in components(data)]
    assert kinds.index("VTIMEZONE") < kinds.index("VEVENT") and kinds[-1] == "VCALENDAR"
    found = events(data)
    assert list(found) == ["c0ffee123456@termine.localhost", "d00d00d00d01@termine.localhost"]  # by start
    event = found["c0ffee123456@termine.localhost"]
    assert event["DTSTART"] == ({"TZID": "Europe/Berlin"}, "20261201T100000")
    assert event["DTEND"] == ({"TZID": "Europe/Berlin"}, "20261201T110000")
    assert event["SEQUENCE"] == ({}, "0") and event["DTSTAMP"] == ({}, "20261120T080000Z")
    assert event["LAST-MODIFIED"] == ({}, "20261120T080000Z")
    assert text_value(event["SUMMARY"][1]) == "Pressegespräch zum Radverkehr"
    assert text_value(event["LOCATION"][1]) == "Rathaus, Marktplatz 2, 40213 Düsseldorf"
    assert found["d00d00d00d01@termine.localhost"]["STATUS"] == ({}, "TENTATIVE")


def test_sequence_rises_with_each_committed_change_and_cancelling_says_so(site, tmp_path):
    press_site(site)
    site.build()
    uid = "c0ffee123456@termine.localhost"
    assert events((site.output / ICS).read_bytes())[uid]["SEQUENCE"] == ({}, "0")
    # Unchanged: nothing drawn, nothing written, the calendar byte for byte the same.
    before = (site.output / ICS).read_bytes()
    report = site.build()
    assert report.written == [] and report.rendered == []
    assert (site.output / ICS).read_bytes() == before
    # Moved by an hour: the same UID, SEQUENCE 1, DTSTAMP the new commit's.
    site.appointment(story="a1b2c3d4e5f6", accreditation='"Bitte bis 30. November anmelden."',
                     start='"2026-12-01 11:00"', end='"2026-12-01 12:00"')
    site.commit("Termin verschoben", "2026-11-22 16:30")
    report = site.build()
    assert ICS in report.written
    event = events((site.output / ICS).read_bytes())[uid]
    assert event["SEQUENCE"] == ({}, "1") and event["DTSTART"] == ({"TZID": "Europe/Berlin"}, "20261201T110000")
    assert event["DTSTAMP"] == ({}, "20261122T153000Z") and event["CREATED"] == ({}, "20261120T080000Z")
    # Cancelled: STATUS:CANCELLED, SEQUENCE 2, still the same UID, so calendars cross it out.
    site.appointment(story="a1b2c3d4e5f6", accreditation='"Bitte bis 30. November anmelden."',
                     start='"2026-12-01 11:00"', end='"2026-12-01 12:00"', status="cancelled")
    site.commit("Termin abgesagt", "2026-11-23 08:00")
    site.build()
    data = (site.output / ICS).read_bytes()
    event = events(data)[uid]
    assert event["STATUS"] == ({}, "CANCELLED") and event["SEQUENCE"] == ({}, "2")
    assert text_value(event["SUMMARY"][1]) == "Abgesagt: Pressegespräch zum Radverkehr"
    assert str(icalendar.Calendar.from_ical(data).walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    assert "<dd>Abgesagt</dd>" in site.page("presse/termine/2026/radverkehr/index.html")
    assert_same_as_cold_build(site, tmp_path)


def test_a_change_redraws_only_what_shows_it_and_ends_like_a_cold_build(site, tmp_path):
    press_site(site)
    site.appointment("2026/zweiter.md", id="d00d00d00d01", title="Zweiter Termin", start='"2026-12-05 10:00"',
                     end='"2026-12-05 11:00"')
    site.commit("Zwei Termine", "2026-11-21 09:00")
    site.build()
    site.appointment("2026/zweiter.md", id="d00d00d00d01", title="Zweiter Termin", start='"2026-12-05 10:00"',
                     end='"2026-12-05 11:00"', body="Ein neuer Absatz.\n")
    site.commit("Text", "2026-11-22 09:00")
    report = site.build()
    # Its page, the calendar and the feed (a new version: SEQUENCE, DTSTAMP) and the sitemap part
    # (its last change); the lists show nothing that changed.
    assert sorted(report.rendered) == ["feeds/termine/atom.xml", "feeds/termine/feed.json", "feeds/termine/rss.xml",
                                       ICS, "presse/termine/2026/zweiter/index.html", "sitemap-termine.xml"]
    assert "presse/termine/2026/radverkehr/index.html" not in report.written
    assert_same_as_cold_build(site, tmp_path)


def test_a_removed_appointment_leaves_site_and_calendar(site, tmp_path):
    press_site(site)
    site.build()
    (site.content / "termine/2026/radverkehr.md").unlink()
    site.commit("Termin entfernt", "2026-11-22 09:00")
    report = site.build()
    assert "presse/termine/2026/radverkehr/index.html" in report.pruned
    assert events((site.output / ICS).read_bytes()) == {}
    assert_same_as_cold_build(site, tmp_path)


# -- the feed -------------------------------------------------------------------------------------

def test_the_feed_has_the_upcoming_ones(site):
    press_site(site)
    site.appointment("2026/vorbei.md", id="d00d00d00d01", title="Schon vorbei", start='"2026-11-02 10:00"',
                     end='"2026-11-02 11:00"')
    site.appointment("2026/abgesagt.md", id="d00d00d00d02", title="Fällt aus", start='"2026-11-30 10:00"',
                     end='"2026-11-30 11:00"', status="cancelled")
    site.commit("Termine", "2026-11-21 09:00")
    site.build()
    feed = feedparser.parse(site.page("feeds/termine/rss.xml"))
    assert not feed.bozo
    assert [e.title for e in feed.entries] == ["Abgesagt: Fällt aus", "Pressegespräch zum Radverkehr"]
    assert feed.entries[1].link == "http://localhost:8000/presse/termine/2026/radverkehr/"
    assert feed.entries[1].id == "tag:duesseldorf.de,2022:termin/c0ffee123456"
    assert '<a href="/feeds/termine/rss.xml" type="application/rss+xml">RSS' in site.page("feeds/index.html")


def test_a_story_file_in_termine_is_read_as_an_appointment(site):
    site.write("termine/2026/meldung.md", story_text())
    errors = errors_of(site)
    assert "content/termine/2026/meldung.md:4: Feld „date“: Unbekanntes Feld. Erlaubt: accreditation, channels, " \
           "contact, end, id, place, start, status, story, title, topic." in errors
    assert "content/termine/2026/meldung.md: Feld „start“: Pflichtfeld fehlt oder ist leer." in errors
