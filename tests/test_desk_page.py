"""The desk page every build writes to preview/desk/: the week plan with duty, plans, embargoes,
approvals and send states; filter pages per Amt and Thema; always rendered, even when the build
stops."""

from __future__ import annotations

import re
from html import unescape

import pytest

from newsroom.errors import ContentErrors
from tests.desk_support import APPROVERS
from tests.publishing_support import due_story
from tests.support import snapshot

ROSTER = 'weekly:\n  donnerstag: cvd-a\n  freitag: [cvd-a, cvd-b]\ndays:\n  "2026-11-27": cvd-b\n'
PLAN = ("---\nid: p1p2p3p4p5p6\ntitle: Bilanz des Weihnachtsmarkts\nstatus: planned\nowner: cvd-b\n"
        "target: 2026-12-01\nchannels:\n  press: true\n---\n")


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def day(html: str, iso: str) -> str:
    """The text of one day's column."""
    found = re.search(rf'<li class="day[^"]*">\s*<h3><time datetime="{iso}">.*?(?=<li class="day|</ol>)', html, re.S)
    assert found, iso
    return text(found.group(0))


@pytest.fixture
def desk(site):
    site.write("desk/approvers.yml", APPROVERS)
    site.write("desk/roster.yml", ROSTER)
    due_story(site, date="2026-11-23 09:00")  # Monday, published, with Mastodon
    due_story(site, "2026/bruecke.md", story_id="b1b2b3b4b5b6", title="Neue Brücke", date="2026-11-27 10:00",
              embargo="2026-11-26 18:00", channels="\n  press: true", category="Bauen & Wohnen",
              department="Stadtplanungsamt")
    site.write("stories/2026/plan.md", PLAN)
    site.commit("Woche", "2026-11-20 09:00")
    return site


def test_the_week_shows_duty_stories_embargo_plans_and_send_states(desk):
    desk.build(APPROVAL_SINCE="2026-11-01 00:00")
    html = (desk.root / "preview/desk/index.html").read_text(encoding="utf-8")
    monday = day(html, "2026-11-23")
    assert "Dienst: nicht eingetragen" in monday
    assert "09:00 · online Neue Radwege am Rheinufer" in monday
    assert "Mastodon: nicht gesendet (älter als das Zeitfenster)" in monday
    assert "Freigabe nicht freigegeben" in monday
    thursday = day(html, "2026-11-26")
    assert "Dienst: cvd-a" in thursday and "(heute)" in thursday
    assert "18:00 · Sperrfrist: Pressemitteilung vorab Neue Brücke" in thursday
    friday = day(html, "2026-11-27")
    assert "Dienst: cvd-b" in friday  # the exception replaces the weekday's pair
    assert "10:00 · geplant (erscheint automatisch) Neue Brücke" in friday and "Sperrfrist 26. November 2026" in friday
    assert "Pressemitteilung: geplant" in friday
    tuesday = day(html, "2026-12-01")
    assert "Zieltermin · in Planung Bilanz des Weihnachtsmarkts Zuständig cvd-b" in tuesday
    assert "Pressemitteilung: in Planung" in tuesday
    assert html.count('<li class="item ') == 4  # Monday, the embargo, Friday, the plan


def test_an_approval_and_the_send_stop_are_shown(desk):
    from newsroom.desk.approvals import Approval

    story = desk.content / "stories/2026/bruecke.md"
    digest = __import__("hashlib").sha256(story.read_bytes()).hexdigest()
    approval = Approval("b1b2b3b4b5b6", "content/stories/2026/bruecke.md", digest, "cvd-a", "2026-11-26T08:00:00+01:00")
    desk.write(f"approvals/b1b2b3b4b5b6/{approval.file_name}", approval.dumps())
    desk.write("desk/send-stop.yml", "reason: Lage unklar\nby: cvd-b\nsince: '2026-11-26T11:00:00+01:00'\n")
    desk.build(APPROVAL_SINCE="2026-11-01 00:00")
    html = (desk.root / "preview/desk/index.html").read_text(encoding="utf-8")
    assert "Freigabe freigegeben (lokal)" in day(html, "2026-11-27")
    assert text(html).count("SENDESTOPP seit 2026-11-26T11:00:00+01:00 (cvd-b): Lage unklar") == 1
    urgent = Approval("b1b2b3b4b5b6", "content/stories/2026/bruecke.md", digest, "cvd-a", "2026-11-26T08:00:00+01:00",
                      urgent="Unwetter")
    desk.write(f"approvals/b1b2b3b4b5b6/{approval.file_name}", urgent.dumps())
    desk.build(APPROVAL_SINCE="2026-11-01 00:00")
    html = (desk.root / "preview/desk/index.html").read_text(encoding="utf-8")
    assert 'class="approval-urgent">EILIG – eilig – nur von einer Person freigegeben: Unwetter (lokal)' in html


def test_filter_pages_hold_only_their_amt_or_thema(desk):
    desk.build()
    folder = desk.root / "preview/desk"
    amt = (folder / "amt/stadtplanungsamt.html").read_text(encoding="utf-8")
    assert "Neue Brücke" in amt and "Neue Radwege" not in amt and "Desk: Wochenplan (Amt: Stadtplanungsamt)" in text(amt)
    thema = (folder / "thema/verkehr.html").read_text(encoding="utf-8")
    assert "Neue Radwege" in thema and "Neue Brücke" not in thema
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert 'href="amt/stadtplanungsamt.html"' in index and 'href="thema/bauen-und-wohnen.html"' in index
    desk.write("stories/2026/bruecke.md", desk.content.joinpath("stories/2026/bruecke.md").read_text(encoding="utf-8")
               .replace("date: 2026-11-27 10:00", "date: 2026-10-27 10:00").replace("embargo: 2026-11-26 18:00\n", ""))
    desk.build()
    assert not (folder / "amt/stadtplanungsamt.html").exists()  # no story of that Amt in these weeks


def test_an_unchanged_build_rewrites_no_desk_file(desk):
    desk.build()
    before = snapshot(desk.root / "preview/desk")
    desk.build()
    assert snapshot(desk.root / "preview/desk") == before  # same bytes, same inodes


def test_the_desk_renders_when_the_build_stops_and_names_what_stopped_it(desk):
    desk.build()
    due_story(desk, "2026/kaputt.md", story_id="k1k2k3k4k5k6", title="Kaputt", date="2026-11-24 10:00",
              department="Gartenamt")
    with pytest.raises(ContentErrors):
        desk.build()
    page = text((desk.root / "preview/desk/index.html").read_text(encoding="utf-8"))
    assert "Der letzte Build wurde abgebrochen" in page
    assert "content/stories/2026/kaputt.md" in page and "„Gartenamt“ ist nicht erlaubt" in page
    assert "Neue Radwege am Rheinufer" in page  # the week is still there


def test_a_broken_roster_is_named_and_the_desk_still_renders(desk):
    desk.write("desk/roster.yml", "weekly:\n  mondays: cvd-a\n")
    desk.build()
    page = text((desk.root / "preview/desk/index.html").read_text(encoding="utf-8"))
    assert "Dienstplan nicht lesbar: content/desk/roster.yml:2: Feld „weekly.mondays“: „mondays“ ist kein Wochentag" \
        in page
    assert "Dienst: nicht eingetragen" in page


def test_press_appointments_are_on_their_day_and_in_their_themas_filter(desk):
    desk.appointment(start="2026-11-24 11:00", end="2026-11-24 12:30", status="cancelled")
    desk.build()
    html = (desk.root / "preview/desk/index.html").read_text(encoding="utf-8")
    tuesday = day(html, "2026-11-24")
    assert "11:00 · Medientermin (abgesagt)" in tuesday and "bis 12:30 Uhr" in tuesday
    topic = re.search(r"^topic: (.*)$", (desk.content / "termine/2026/radverkehr.md").read_text(encoding="utf-8"),
                      re.M).group(1).strip('"')
    from newsroom.content.slugs import slugify

    assert "Medientermin" in (desk.root / f"preview/desk/thema/{slugify(topic)}.html").read_text(encoding="utf-8")
    assert "Medientermin" not in (desk.root / "preview/desk/amt/stadtplanungsamt.html").read_text(encoding="utf-8")


def test_an_appointments_invitation_shows_its_send_state(desk):
    desk.appointment(start="2026-11-27 11:00", end="2026-11-27 12:00", channels="\n  press: true")
    desk.commit("Termin", "2026-11-26 08:00")
    desk.build()
    friday = day((desk.root / "preview/desk/index.html").read_text(encoding="utf-8"), "2026-11-27")
    assert "11:00 · Medientermin (bestätigt) Pressegespräch zum Radverkehr" in friday
    assert "Einladung an die Medien (Pressemitteilung): fällig" in friday


def test_the_subscription_figures_from_the_record_are_on_the_desk_without_addresses(desk):
    desk.build()
    assert "Abonnements" not in text((desk.root / "preview/desk/index.html").read_text(encoding="utf-8"))
    desk.write("receipts/abonnements/stand.yml", "as_of: 2026-11-26\nactive: 812\nsuspended: 4\nhard_bounces: 3\n"
                                                 "soft_bounces: 9\ncomplaints: 1\ndays: 7\n")
    desk.build()
    page = text((desk.root / "preview/desk/index.html").read_text(encoding="utf-8"))
    assert ("Abonnements Stand 26.11.2026, vom Abonnement-Dienst; nur Zahlen, keine Adressen. Aktive Adressen 812 "
            "Gesperrte Adressen 4 Unzustellbar in den letzten 7 Tagen 3 Vorübergehend unzustellbar (nur Hinweis, "
            "keine Sperre) 9 Spam-Beschwerden in den letzten 7 Tagen 1") in page
    filtered = (desk.root / "preview/desk/thema").iterdir()
    assert all("Gesperrte Adressen" not in p.read_text(encoding="utf-8") for p in filtered)  # the overview only
    assert "Neue Radwege am Rheinufer" in page  # the week is unchanged


def test_an_unreadable_subscription_file_leaves_the_desk_whole(desk):
    desk.write("receipts/abonnements/stand.yml", "as_of: gestern\nactive: viele\n")
    desk.build()
    page = text((desk.root / "preview/desk/index.html").read_text(encoding="utf-8"))
    assert "Gesperrte Adressen" not in page and "Neue Radwege am Rheinufer" in page


def test_each_channel_links_to_its_version_in_the_story_preview(desk):
    desk.build()
    html = (desk.root / "preview/desk/index.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="\.\./meldungen/(\w+)\.html#kanal-(\w+)"', html))
    assert ("a1b2c3d4e5f6", "mastodon") in links and ("b1b2b3b4b5b6", "press") in links
    assert not any(story == "p1p2p3p4p5p6" for story, _channel in links)  # a plan has no version yet
    for story, channel in links:  # every link leads to the channel's section of an existing preview
        preview = (desk.root / "preview/meldungen" / f"{story}.html").read_text(encoding="utf-8")
        assert f'id="kanal-{channel}"' in preview
