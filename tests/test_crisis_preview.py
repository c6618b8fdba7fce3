"""The crisis message in `invoke status` and in the channel previews: first, above the stories, marked
„Krisenmeldung“, each version's text per channel as it would be sent, the channels it leaves out and
why, and whether it waits for approval. Real builds and checks of a small site in git with a bare origin."""

from __future__ import annotations

import json

import pytest

from newsroom.errors import ContentErrors
from newsroom.publishing.overview import status_lines
from tests.publishing_support import commit_and_push, due_story
from tests.support import NOW, PHOTO, REPO

KEY = "krise-hochwasser-rhein"
UPDATE_KEY = f"{KEY}.update-202611261230"
CRISIS = """\
id: hochwasser-rhein
level: Warnung
title: "Hochwasser am Rhein: Ufer gesperrt"
text: "Der Rhein steigt schnell. Die Uferpromenade ist gesperrt. Bitte meiden Sie das Ufer."
start: 2026-11-26 11:50
end: 2026-11-26 18:00
all_clear: "Der Pegel sinkt. Das Ufer ist wieder offen."
channels: [press, mastodon, bluesky, instagram]
"""
# Longer than Bluesky's 300: the sends shorten it there, which is no error.
LONG = " ".join(["Die Oberkasseler Brücke ist gesperrt, der Verkehr wird über die Theodor-Heuss-Brücke "
                 "umgeleitet."] * 4)
UPDATE = f"""updates:
  - date: 2026-11-26 12:30
    text: "{LONG}"
"""
DESK = {"APPROVAL_SINCE": "2026-11-01 00:00", "APPROVAL_REQUIRE_SIGNED": False}


@pytest.fixture
def crisis_site(site):
    due_story(site, channels="\n  mastodon: true\n  bluesky: true")
    site.write("krise.yml", CRISIS + UPDATE)
    commit_and_push(site, "Meldung und Krisenmeldung", "2026-11-26 11:55")
    return site


def status(site, **settings) -> list[str]:
    """`invoke status` in process: the production check, then the publish run's plan."""
    from newsroom.build.runner import check
    from tasks import _publisher, _status

    plan, where, broken = check(REPO / "publishconf.py", site.overrides(BUILD_NOW=NOW, **settings),
                                after=lambda build, s: _status(_publisher()(build, s), build))
    return status_lines(plan, where, broken)


def test_status_lists_the_crisis_first_with_its_channels_those_left_out_and_that_it_waits(crisis_site):
    lines = status(crisis_site, **DESK)
    groups = [n for n, line in enumerate(lines) if line.startswith("  ") and "[" in line and ", id " in line]
    first = lines[groups[0]]
    assert "Krisenmeldung: Hochwasser am Rhein: Ufer gesperrt" in first and f"[Krisenmeldung, id {KEY}]" in first
    assert "Neue Radwege am Rheinufer" in lines[groups[1]]
    crisis = lines[groups[0] + 1:groups[1]]
    channels = [line.split()[0] for line in crisis]
    assert channels == ["press", "mastodon", "bluesky", "instagram"]
    assert all("zurückgehalten: nicht freigegeben" in line and f"invoke approve {KEY}" in line for line in crisis[:3])
    assert "instagram  nicht gesendet: braucht ein Bild (Feld image)" in crisis[3]


def test_the_previews_show_every_version_per_channel_and_the_overview_has_it_first(crisis_site):
    crisis_site.build(**DESK)
    preview = crisis_site.root / "preview"
    alert = (preview / "meldungen" / f"{KEY}.html").read_text()
    assert "Krisenmeldung" in alert and "Der Rhein steigt schnell. Die Uferpromenade ist gesperrt." in alert
    assert "Warnung: Hochwasser am Rhein: Ufer gesperrt" in alert and f"/krise/#{KEY}" in alert
    assert "Nicht gesendet an" in alert and "braucht ein Bild (Feld image)" in alert
    assert alert.count('class="kanal"') == 3 and "von 300 Zeichen – passt." in alert
    update = (preview / "meldungen" / f"{UPDATE_KEY}.html").read_text()
    assert "Aktualisierung der Krisenmeldung" in update and "updates[1].text" in update
    assert "Die Oberkasseler Brücke ist gesperrt" in update and "…" in update  # shortened for Bluesky
    assert "Zu lang" not in update
    all_clear = (preview / "meldungen" / f"{KEY}.entwarnung.html").read_text()
    assert "Der Pegel sinkt. Das Ufer ist wieder offen." in all_clear

    overview = (preview / "index.html").read_text()
    assert overview.index("Krisenmeldung") < overview.index("Neue Radwege am Rheinufer")
    assert f'href="meldungen/{KEY}.html"' in overview and "wartet auf Freigabe" in overview
    assert "nicht gesendet: braucht ein Bild (Feld image)" in overview
    text = (preview / "status.txt").read_text()
    assert text.index(f"[Krisenmeldung, id {KEY}]") < text.index("Neue Radwege am Rheinufer")
    data = json.loads((preview / "status.json").read_text())
    crisis = [item for item in data if item["story"] == KEY]
    assert data[:len(crisis)] == crisis
    assert [(item["channel"], item["state"]) for item in crisis] == [
        ("press", "unapproved"), ("mastodon", "unapproved"), ("bluesky", "unapproved"), ("instagram", "left_out")]
    assert all(item["kind"] == "Krisenmeldung" for item in crisis) and crisis[0]["note"] == "wartet auf Freigabe"
    assert crisis[3]["label"] == "nicht gesendet: braucht ein Bild (Feld image)"


def test_a_rebuild_rewrites_no_crisis_preview_and_removing_the_crisis_removes_them(crisis_site):
    crisis_site.build()
    pages = crisis_site.root / "preview" / "meldungen"
    inodes = {p.name: p.stat().st_ino for p in pages.glob(f"{KEY}*.html")}
    assert len(inodes) == 3
    crisis_site.build()
    assert {p.name: p.stat().st_ino for p in pages.glob(f"{KEY}*.html")} == inodes
    (crisis_site.content / "krise.yml").unlink()
    crisis_site.build()
    assert list(pages.glob(f"{KEY}*.html")) == [] and (pages / "a1b2c3d4e5f6.html").exists()


def test_a_crisis_text_no_channel_can_take_is_a_check_error_naming_the_file_and_field(site):
    site.write("krise.yml", CRISIS.replace("[press, mastodon, bluesky, instagram]", "[mastodon]"))
    site.commit("Krisenmeldung", "2026-11-26 11:55")
    with pytest.raises(ContentErrors) as caught:
        site.check(MASTODON_MAX_CHARACTERS=40, SOCIAL_THREAD_MAX_POSTS=1)  # one status, no thread
    found = [str(error) for error in caught.value.errors]
    assert any("content/krise.yml" in error and "Feld „text“" in error and "Mastodon" in error for error in found), found


def test_approved_urgently_status_and_overview_name_the_reason(site):
    from newsroom.build.runner import check
    from newsroom.desk.actions import approve
    from newsroom.publishing.pipeline import ledger_from_settings

    cora = ("Cora Vogt", "cora.vogt@example.org")
    site.write("desk/approvers.yml", "approvers:\n  cvd-a:\n    emails: [cora.vogt@example.org]\n")
    commit_and_push(site, "Freigebende", "2026-11-26 08:00")
    site.write("krise.yml", CRISIS)
    site.commit("Krisenmeldung", "2026-11-26 11:55", *cora)
    site.repo.git.push("origin", "HEAD:refs/heads/main")
    with site.repo.config_writer() as config:
        config.set_value("user", "name", cora[0])
        config.set_value("user", "email", cora[1])
    reason = "CvD nicht erreichbar, Pegel steigt"
    check(REPO / "publishconf.py", site.overrides(**DESK),
          after=lambda built, s: approve(built, s, ledger_from_settings(s), KEY, urgent=reason))
    site.repo.git.pull("--rebase", "origin", "main")
    lines = status(site, **DESK)
    crisis = [line for line in lines if line.startswith("    ") and reason in line]
    assert [line.split()[0] for line in crisis] == ["press", "mastodon", "bluesky"]
    assert all("fällig" in line and "eilig" in line for line in crisis)
    site.build(**DESK)
    overview = (site.root / "preview" / "index.html").read_text()
    assert reason in overview and "wartet auf Freigabe" not in overview
    data = json.loads((site.root / "preview" / "status.json").read_text())
    assert reason in data[0]["note"] and data[0]["state"] == "due"


def test_a_crisis_goes_to_every_channel_a_story_can_the_story_channel_without_text(site):
    channels = ("[press, facebook, instagram, instagram_story, x, mastodon, bluesky, threads, linkedin, telegram, "
                "whatsapp]")
    site.write("media/fotos/rhein.jpg", PHOTO)
    site.write("media/fotos/rhein.jpg.yml", "alt: Der Rhein am Ufer\ncredit: Foto Stadt\n")
    site.write("krise.yml", CRISIS.replace("[press, mastodon, bluesky, instagram]", channels)
               + "image: fotos/rhein.jpg\n" + UPDATE)
    commit_and_push(site, "Krisenmeldung an alle Kanäle", "2026-11-26 11:55")
    site.build()  # no channel refuses its version: a Story takes the picture alone
    for key in (KEY, UPDATE_KEY):
        page = (site.root / "preview" / "meldungen" / f"{key}.html").read_text()
        assert 'class="problem"' not in page, key
        for name in ("threads", "linkedin", "telegram", "whatsapp", "instagram_story"):
            assert f'id="kanal-{name}"' in page, (key, name)
