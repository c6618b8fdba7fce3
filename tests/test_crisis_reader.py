"""content/krise.yml: read strictly, every problem in German with file, line and field."""

from __future__ import annotations

from datetime import datetime

import pytest

from newsroom.crisis.model import DEFAULT_ALL_CLEAR, Crisis
from newsroom.crisis.reader import read_crisis
from newsroom.dates import BERLIN
from newsroom.errors import ContentErrors
from tests.support import snapshot

CHANNELS = ("press", "facebook", "instagram", "x", "youtube", "mastodon", "bluesky", "buerger")
SOURCE = "content/krise.yml"
GOOD = """\
id: hochwasser-rhein-2026-12
level: Warnung
title: "Hochwasser am Rhein: Ufer gesperrt"
text: >
  Der Rhein steigt. Die Uferpromenade ist gesperrt.
  Bitte meiden Sie das Ufer.
start: 2026-11-26 10:00
end: 2026-11-27 18:00
channels: [press, buerger, mastodon]
updates:
  - date: 2026-11-26 11:30
    text: "Die Oberkasseler Brücke ist gesperrt."
  - date: 2026-11-26 10:45
    text: "Der Pegel liegt bei 7,80 m."
"""


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=BERLIN)


def read(text: str, **extra) -> Crisis:
    return read_crisis(text.encode("utf-8"), SOURCE, channels=CHANNELS, **extra)


def problems(text: str | bytes, **extra) -> list[str]:
    raw = text if isinstance(text, bytes) else text.encode("utf-8")
    with pytest.raises(ContentErrors) as caught:
        read_crisis(raw, SOURCE, channels=CHANNELS, **extra)
    return [str(error) for error in caught.value.errors]


def with_line(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


def test_a_good_file_is_a_crisis_with_its_updates_oldest_first():
    crisis = read(GOOD)
    assert crisis.id == "hochwasser-rhein-2026-12" and crisis.level == "Warnung" and crisis.level_slug == "warnung"
    assert crisis.text == "Der Rhein steigt. Die Uferpromenade ist gesperrt. Bitte meiden Sie das Ufer."
    assert crisis.channels == ("press", "mastodon", "buerger")  # the settings' order
    assert [u.key for u in crisis.updates] == ["202611261045", "202611261130"]
    assert crisis.all_clear == DEFAULT_ALL_CLEAR and crisis.story is None and crisis.image is None
    assert len(crisis.digest) == 64 and crisis.source == SOURCE


def test_active_ended_and_the_latest_update_follow_the_clock():
    crisis = read(GOOD)
    assert not crisis.active(at("2026-11-26 09:59")) and not crisis.ended(at("2026-11-26 09:59"))
    assert crisis.active(at("2026-11-26 10:00")) and crisis.latest_update(at("2026-11-26 10:30")) is None
    assert crisis.latest_update(at("2026-11-26 11:00")).text == "Der Pegel liegt bei 7,80 m."
    assert crisis.latest_update(at("2026-11-26 12:00")).key == "202611261130"
    assert [u.key for u in crisis.updates_until(at("2026-11-26 12:00"))] == ["202611261130", "202611261045"]
    assert crisis.active(at("2026-11-27 17:59")) and not crisis.active(at("2026-11-27 18:00"))
    assert crisis.ended(at("2026-11-27 18:00"))
    assert read(GOOD.replace("end: 2026-11-27 18:00\n", "")).active(at("2030-01-01 00:00"))


def test_a_level_that_does_not_exist_is_named_with_a_suggestion():
    assert problems(with_line("level: Warnung", "level: warnug")) == [
        "content/krise.yml:2: Feld „level“: „warnug“ ist nicht erlaubt. Meinten Sie „Warnung“? "
        "Erlaubt: Information, Warnung, Gefahr."]


def test_unknown_and_missing_fields_are_named_with_their_line():
    found = problems(with_line("title:", "titel: x\ntitle:").replace("id: hochwasser-rhein-2026-12\n", ""))
    assert found[0].startswith("content/krise.yml: Feld „id“: Pflichtfeld fehlt")
    assert found[1].startswith("content/krise.yml:2: Feld „titel“: Unbekanntes Feld. Meinten Sie „title“?")


def test_the_urgent_reason_belongs_to_the_approval_not_the_file():
    found = problems(GOOD + 'urgent: "CvD nicht erreichbar"\n')
    assert found == ["content/krise.yml:15: Feld „urgent“: Die Begründung für eine eilige Freigabe steht nicht in der "
                     "Datei: bitte „invoke approve krise-hochwasser-rhein-2026-12 --urgent \"Grund\"“."]


@pytest.mark.parametrize("line, field, says", [
    ("title: no", "title", "„no“ wird von YAML als Wahrheitswert (ja/nein) gelesen"),
    ("title: Pegel #1 erreicht", "title", "YAML liest alles ab „#1 erreicht“ als Kommentar"),
    ("title: &t Hochwasser", None, None),  # an anchor alone is harmless; its alias is not (below)
    ("title: \"Hochwasser \\u202E tfahcS\"", "title", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("title: \"Hoch\u200bwasser\"", "title", "U+200B ZERO WIDTH SPACE"),
    ("title: " + "H" * 91, "title", "91 Zeichen lang; erlaubt sind höchstens 90"),
    ("title: [eins, zwei]", "title", "keine Liste oder Gruppe"),
])
def test_yaml_traps_and_invisible_characters_in_the_title(line, field, says):
    text = with_line('title: "Hochwasser am Rhein: Ufer gesperrt"', line)
    if field is None and says is None:
        assert read(text).title == "Hochwasser"
        return
    found = problems(text)
    assert len(found) == 1 and found[0].startswith(f"content/krise.yml:3: Feld „{field}“: ")
    assert says is None or says in found[0]


def test_a_python_tag_is_refused():
    found = problems(with_line('title: "Hochwasser am Rhein: Ufer gesperrt"', "title: !!python/object:os.system x"))
    assert "content/krise.yml:3: Das YAML-Tag „!!python/object:os.system“ ist nicht erlaubt." in found


def test_an_alias_is_refused():
    found = problems(with_line('title: "Hochwasser am Rhein: Ufer gesperrt"', "title: &t Hochwasser")
                     .replace("text: >\n", "text: *t\nx: >\n"))
    assert any("Feld „text“: YAML-Anker und -Aliase" in f for f in found)


def test_control_characters_are_named_by_line_and_field_and_the_rest_is_still_read():
    found = problems(with_line("level: Warnung", "level: Warnung\x1b[2J").replace("channels: [press", "channels: [prss"))
    assert found[0] == "content/krise.yml:2: Feld „level“: Unsichtbares Steuerzeichen U+001B gefunden; bitte entfernen."
    assert any("Feld „channels“: Den Kanal „prss“ gibt es nicht. Meinten Sie „press“?" in f for f in found)


def test_bytes_that_are_not_utf8_and_files_that_are_not_a_mapping():
    assert problems(GOOD.encode("utf-8").replace(b"Warnung", b"Warn\xfcng")) == [
        "content/krise.yml:2: Die Datei ist nicht in UTF-8 gespeichert (ungültiges Byte 0xfc). Bitte als UTF-8 "
        "speichern."]
    assert problems("- eins\n- zwei\n") == [
        "content/krise.yml:1: Die Datei muss aus Feldern der Form „name: wert“ bestehen."]
    assert problems("\n") == ["content/krise.yml:1: Die Datei ist leer. Ohne Lage bitte die Datei löschen."]
    assert problems("id: a\nlevel: [Warnung\n")[0].startswith("content/krise.yml:")
    assert "64.000 Bytes" in problems("# " + "x" * 64_000)[0]


@pytest.mark.parametrize("old, new, says", [
    ("start: 2026-11-26 10:00", "start: 2026-11-26", "content/krise.yml:7: Feld „start“: „2026-11-26“ hat keine "
                                                     "Uhrzeit."),
    ("start: 2026-11-26 10:00", "start: 10:30", "content/krise.yml:7: Feld „start“: „10:30“ ist kein Zeitpunkt."),
    ("start: 2026-11-26 10:00", "start: 2026-02-30 10:00", "content/krise.yml:7: Feld „start“: Den 30.02.2026 gibt "
                                                           "es nicht."),
    ("end: 2026-11-27 18:00", "end: 2026-11-26 09:00", "content/krise.yml:8: Feld „end“: Das Ende (26.11.2026 09:00) "
                                                       "liegt nicht nach dem Beginn (26.11.2026 10:00)."),
    ("  - date: 2026-11-26 10:45", "  - date: 2026-11-26 09:45",
     "content/krise.yml:13: Feld „updates[2].date“: Die Aktualisierung (26.11.2026 09:45) liegt vor dem Beginn"),
    ("  - date: 2026-11-26 10:45", "  - date: 2026-11-26 11:30",
     "content/krise.yml:13: Feld „updates[2].date“: Zwei Aktualisierungen haben dieselbe Minute (26.11.2026 11:30, "
     "wie Nummer 1)"),
    ("  - date: 2026-11-26 10:45", "  - date: 2026-11-28 10:45",
     "content/krise.yml:13: Feld „updates[2].date“: Die Aktualisierung (28.11.2026 10:45) liegt nicht vor dem Ende"),
    ("    text: \"Der Pegel liegt bei 7,80 m.\"", "    txt: x",
     "content/krise.yml:14: Feld „updates[2].txt“: Unbekanntes Feld. Meinten Sie „updates[2].text“?"),
    ("id: hochwasser-rhein-2026-12", "id: Hochwasser_Rhein", "content/krise.yml:1: Feld „id“: „Hochwasser_Rhein“ "
                                                             "ist ungültig."),
    ("channels: [press, buerger, mastodon]", "channels: []", "content/krise.yml:9: Feld „channels“: Bitte mindestens "
                                                             "einen Kanal nennen"),
    ("channels: [press, buerger, mastodon]", "channels: [press, telegram]",
     "content/krise.yml:9: Feld „channels“: Den Kanal „telegram“ gibt es nicht. Erlaubt: press, facebook"),
    ("channels: [press, buerger, mastodon]", "channels:\n  press: true",
     "content/krise.yml:10: Feld „channels“: Erwartet wird eine Liste"),
])
def test_dates_order_ids_and_channels(old, new, says):
    found = problems(with_line(old, new))
    assert any(f.startswith(says) for f in found), found


def test_the_story_must_exist_and_be_published_by_now(site):
    site.story()  # a1b2c3d4e5f6, published 2026-11-20
    site.story("2026/entwurf.md", id="d0d0d0d0d0d0", status="draft", title="Entwurf")
    site.story("2026/spaeter.md", id="e0e0e0e0e0e0", date="2026-12-24 10:00", title="Später")
    site.commit("Meldungen", "2026-11-20 09:00")
    stories = site.check().archive.by_id
    now = at("2026-11-26 12:00")
    crisis = read(GOOD + "story: a1b2c3d4e5f6\n", stories=stories, now=now)
    assert crisis.story_url == "aktuelles/2026/11/neue-radwege-am-rheinufer/"
    assert crisis.story_title == "Neue Radwege am Rheinufer"
    assert problems(GOOD + "story: a1b2c3d4e5f7\n", stories=stories, now=now) == [
        "content/krise.yml:15: Feld „story“: Eine Meldung mit der id „a1b2c3d4e5f7“ gibt es nicht (id aus dem "
        "Kopfbereich der Meldung)."]
    assert "ist nicht veröffentlicht (status: draft)" in problems(GOOD + "story: d0d0d0d0d0d0\n", stories=stories,
                                                                   now=now)[0]
    assert "erscheint erst am 24.12.2026 um 10:00 Uhr" in problems(GOOD + "story: e0e0e0e0e0e0\n", stories=stories,
                                                                    now=now)[0]


def test_image_and_video_must_be_in_the_media_library(site):
    site.commit("Leer", "2026-11-20 09:00")
    media = site.check().media
    assert read(GOOD + "image: fotos/rhein.jpg\n", media=media).image == "fotos/rhein.jpg"
    found = problems(GOOD + "image: fotos/fehlt.jpg\nvideo: fotos/rhein.jpg\n", media=media)
    assert found[0].startswith("content/krise.yml:15: Feld „image“: ")
    assert found[1] == "content/krise.yml:16: Feld „video“: „fotos/rhein.jpg“ ist kein Video (Datei) aus der " \
                       "Mediathek."
    assert problems(GOOD + "image: ../../etc/passwd\n", media=media)[0].startswith("content/krise.yml:15: Feld „image“")


# -- in the build -------------------------------------------------------------------------------


def test_the_build_reads_the_crisis_and_without_a_file_there_is_none(site):
    site.story()
    site.commit("Meldung", "2026-11-20 09:00")
    assert site.check().crisis is None
    site.write("krise.yml", GOOD + "story: a1b2c3d4e5f6\nimage: fotos/rhein.jpg\n")
    crisis = site.check().crisis
    assert crisis.title == "Hochwasser am Rhein: Ufer gesperrt" and crisis.story_url.startswith("aktuelles/2026/")


def test_a_bad_crisis_file_fails_the_build_and_the_last_good_site_stays(site):
    site.story()
    site.commit("Meldung", "2026-11-20 09:00")
    site.build()
    before = snapshot(site.output)
    site.write("krise.yml", with_line("level: Warnung", "level: Gefahrr"))
    with pytest.raises(ContentErrors) as caught:
        site.build()
    assert [str(e) for e in caught.value.errors] == [
        "content/krise.yml:2: Feld „level“: „Gefahrr“ ist nicht erlaubt. Meinten Sie „Gefahr“? Erlaubt: Information, "
        "Warnung, Gefahr."]
    assert snapshot(site.output) == before


def test_the_crisis_file_must_be_a_plain_file_inside_content(site, tmp_path):
    site.story()
    site.commit("Meldung", "2026-11-20 09:00")
    outside = tmp_path / "krise.yml"
    outside.write_text(GOOD, encoding="utf-8")
    (site.content / "krise.yml").symlink_to(outside)
    with pytest.raises(ContentErrors) as caught:
        site.check()
    assert [str(e) for e in caught.value.errors] == [
        f"content/krise.yml: Diese Datei oder dieser Ordner ist eine Verknüpfung (Symlink) auf „{outside}“. "
        "Verknüpfungen sind in content/ nicht erlaubt: Bitte die Datei selbst ablegen oder die Verknüpfung löschen."]
    (site.content / "krise.yml").unlink()
    with pytest.raises(ContentErrors) as caught:
        site.check(CRISIS_FILE=str(outside))
    assert "Die Krisenmeldung (Einstellung CRISIS_FILE) wird nicht gelesen" in str(caught.value.errors[0])
    with pytest.raises(ContentErrors) as caught:
        site.check(CRISIS_FILE="content/../krise.yml")
    assert "liegt nicht in content/" in str(caught.value.errors[0])
    (site.content / "krise.yml").mkdir()
    with pytest.raises(ContentErrors) as caught:
        site.check()
    assert "muss eine Datei sein" in str(caught.value.errors[0])
