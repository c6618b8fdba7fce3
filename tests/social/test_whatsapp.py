"""The WhatsApp channel has no API for posting: a run records a manual task and sends nothing; the
desk offers the text and the picture to copy; the editor's confirmation is one commit, however often
or however many at once confirm; corrections and withdrawal are manual tasks too."""

from __future__ import annotations

import http.client
import threading
import urllib.parse

import git
import pytest

from newsroom.desk.actions import confirm_manual
from newsroom.errors import AccessRefused
from newsroom.publishing.pipeline import ledger_from_settings
from tests.desk_support import BEN, CORA, as_person
from tests.publishing_support import commit_and_push, due_story
from tests.publishing_support import publish as publish_run
from tests.social.support import (
    CORRECTED,
    CORRECTION,
    STORY_ID,
    WITHDRAWAL,
    WITHDRAWN,
    amend,
    follow_up,
    receipt,
    settings,
    statuses,
)
from tests.support import REPO

CHANNEL = "\n  whatsapp: true"
TITLE = "Neue Radwege am Rheinufer"


def manual_first_send(site):
    """The story due for WhatsApp (with its lead image), and the run that makes it a manual task."""
    due_story(site, channels=CHANNEL, image="fotos/rhein.jpg")
    commit_and_push(site)
    return publish_run(site, environ={})


def origin_log(site) -> list[str]:
    site.repo.git.fetch("origin")
    return site.repo.git.log("--format=%s", "origin/main").splitlines()


def confirm(site, key: str = STORY_ID, person=BEN):
    as_person(site, person)
    values = settings(**site.overrides())
    return confirm_manual(values, ledger_from_settings(values), key, "whatsapp")


def test_a_run_records_a_manual_task_with_the_text_and_picture_and_sends_nothing(site):
    report = manual_first_send(site)
    assert statuses(report) == ["manual"] and report.ok
    record = receipt(site)["channels"]["whatsapp"]
    assert record["status"] == "manual"
    assert record["error"].startswith("WhatsApp-Kanal: WhatsApp bietet keine Schnittstelle zum Posten in Kanälen.")
    assert TITLE in record["detail"]["text"]
    assert record["detail"]["alt"] == "Blick über den Rhein"
    assert record["detail"]["image_url"].endswith(".jpg")
    # The next runs leave the task as it is: nothing due, nothing "sent".
    again = publish_run(site, environ={}, now="2026-11-26 12:30")
    assert again.outcomes == [] and receipt(site)["channels"]["whatsapp"] == record


def test_the_desk_shows_the_task_with_text_picture_alt_text_and_a_confirmation(site):
    manual_first_send(site)
    site.repo.git.pull("--ff-only", "origin", "main")
    site.build()
    desk = site.root / "preview" / "desk"
    page = (desk / "index.html").read_text(encoding="utf-8")
    text = receipt(site)["channels"]["whatsapp"]["detail"]["text"]
    field = f'<textarea id="text-{STORY_ID}-whatsapp" readonly'
    assert field in page
    from html import escape

    assert f">{escape(text)}</textarea>" in page
    assert f'<button type="button" data-copy="text-{STORY_ID}-whatsapp" hidden>Text kopieren</button>' in page
    assert '<script src="kopieren.js" defer></script>' in page and (desk / "kopieren.js").is_file()
    picture = f"bilder/{STORY_ID}-whatsapp.jpg"
    assert f'<img src="{picture}" alt="Blick über den Rhein"' in page
    assert f'<a href="{picture}" download>Bild herunterladen' in page
    assert (desk / picture).read_bytes()[:2] == b"\xff\xd8"  # the card crop, else the lead image: a JPEG
    assert 'action="/erledigt"' in page and f'name="story" value="{STORY_ID}"' in page
    assert f"invoke publish --story {STORY_ID} --channel whatsapp --done" in page
    # Once confirmed (pushed; this checkout not pulled) the task and its picture leave the desk.
    confirm(site)
    site.build()
    page = (desk / "index.html").read_text(encoding="utf-8")
    assert field not in page and "WhatsApp-Kanal: gesendet" in page and not (desk / picture).exists()


def test_confirming_records_once_as_a_commit_of_the_person_also_when_repeated(site):
    manual_first_send(site)
    record, made = confirm(site)
    assert made and record.status == "sent" and record.detail["by_hand"] is True
    on_origin = receipt(site)["channels"]["whatsapp"]
    assert on_origin["status"] == "sent" and "error" not in on_origin and on_origin["detail"]["text"]
    done = [line for line in origin_log(site) if "done by hand" in line]
    assert done == [f"publish: whatsapp done by hand for {STORY_ID} ({BEN[0]})"]
    author = site.repo.git.log("-1", "--format=%an <%ae>", "origin/main")
    assert author == f"{BEN[0]} <{BEN[1]}>"
    record, made = confirm(site, person=CORA)  # again, by someone else
    assert not made and record.status == "sent"
    assert [line for line in origin_log(site) if "done by hand" in line] == done
    assert publish_run(site, environ={}, now="2026-11-26 12:30").outcomes == []  # and no run sends it


def test_two_people_confirming_at_once_record_it_once(site, tmp_path):
    manual_first_send(site)
    origin = site.root.parent / f"{site.root.name}-origin.git"
    checkouts = []
    for person in (BEN, CORA):
        clone = git.Repo.clone_from(str(origin), tmp_path / person[1].split("@")[0])
        with clone.config_writer() as config:
            config.set_value("user", "name", person[0])
            config.set_value("user", "email", person[1])
        checkouts.append(clone)
    results, start = [], threading.Barrier(2)

    def run(clone):
        values = settings(**{**site.overrides(), "PATH": str(clone.working_tree_dir + "/content")})
        ledger = ledger_from_settings(values)
        start.wait()
        results.append(confirm_manual(values, ledger, STORY_ID, "whatsapp")[1])

    threads = [threading.Thread(target=run, args=(clone,)) for clone in checkouts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert len([line for line in origin_log(site) if "done by hand" in line]) == 1
    assert receipt(site)["channels"]["whatsapp"]["status"] == "sent"


def test_nothing_to_confirm_is_refused_in_german(site):
    due_story(site, channels=CHANNEL)
    commit_and_push(site)
    with pytest.raises(AccessRefused, match="keine Aufgabe von Hand offen; nichts eingetragen"):
        confirm(site)


def test_the_desk_server_confirms_from_its_own_page_once(site):
    from newsroom.build.runner import build
    from newsroom.servers.desk_server import DeskServer, serve

    manual_first_send(site)
    as_person(site, BEN)
    overrides = site.overrides()
    build(REPO / "pelicanconf.py", overrides)

    def confirmed(key, channel):
        values = settings(**overrides)
        _record, made = confirm_manual(values, ledger_from_settings(values), key, channel)
        return "eingetragen" if made else "schon eingetragen"

    server = DeskServer(site.root / "preview", lambda *a: "", confirm=confirmed)
    serve(server)
    try:
        port = server.server_address[1]

        def post(form, origin=None):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("POST", "/erledigt", urllib.parse.urlencode(form), {
                "Host": f"localhost:{port}", "Origin": origin or f"http://localhost:{port}",
                "Content-Type": "application/x-www-form-urlencoded"})
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8")

        form = {"schluessel": server.key, "story": STORY_ID, "channel": "whatsapp"}
        assert post({**form, "schluessel": "gefaelscht"})[0] == 403
        assert post(form, origin="http://evil.example")[0] == 403
        assert receipt(site)["channels"]["whatsapp"]["status"] == "manual"
        status, page = post(form)
        assert status == 200 and "<p role=\"status\">eingetragen</p>" in page
        status, page = post(form)  # the same confirmation again
        assert status == 200 and "<p role=\"status\">schon eingetragen</p>" in page
        assert receipt(site)["channels"]["whatsapp"]["status"] == "sent"
        assert len([line for line in origin_log(site) if "done by hand" in line]) == 1
    finally:
        server.shutdown()
        server.server_close()


def test_a_correction_and_a_withdrawal_of_a_whatsapp_post_are_manual_tasks(site):
    manual_first_send(site)
    confirm(site)
    site.repo.git.pull("--ff-only", "origin", "main")
    amend(site, CHANNEL, image="fotos/rhein.jpg", corrections=CORRECTION)
    report = follow_up(site, {})
    assert [(o.story_id, o.channel, o.status) for o in report.outcomes] == [(CORRECTED, "whatsapp", "manual")]
    record = receipt(site, CORRECTED)["channels"]["whatsapp"]
    assert record["error"].startswith("WhatsApp-Kanal: Bitte die Berichtigung von Hand im WhatsApp-Kanal der Stadt")
    assert "Richtig ist: Die Sperrung dauert bis Sonntag." in record["error"]
    confirm(site, CORRECTED)
    assert receipt(site, CORRECTED)["channels"]["whatsapp"]["status"] == "sent"
    site.repo.git.pull("--ff-only", "origin", "main")
    amend(site, CHANNEL, image="fotos/rhein.jpg", corrections=CORRECTION, status="withdrawn", withdrawal=WITHDRAWAL)
    report = follow_up(site, {}, "2026-11-26 13:20")
    assert [(o.story_id, o.status) for o in report.outcomes] == [(WITHDRAWN, "manual")]
    assert receipt(site, WITHDRAWN)["channels"]["whatsapp"]["error"].startswith(
        "WhatsApp-Kanal: Bitte den Beitrag zu dieser Meldung von Hand im WhatsApp-Kanal der Stadt löschen")
    assert follow_up(site, {}, "2026-11-26 13:40").outcomes == []


def test_a_story_withdrawn_while_its_task_is_open_is_offered_no_more(site):
    manual_first_send(site)
    site.repo.git.pull("--ff-only", "origin", "main")
    due_story(site, channels=CHANNEL, image="fotos/rhein.jpg", status="withdrawn", withdrawal=WITHDRAWAL)
    commit_and_push(site, "Rücknahme", "2026-11-26 11:00")
    site.build()
    page = (site.root / "preview/desk/index.html").read_text(encoding="utf-8")
    assert "Die Meldung ist zurückgezogen: bitte nicht mehr posten." in page
    assert "<textarea" not in page and 'action="/erledigt"' in page


def test_the_terminal_confirms_it_too_once(site):
    manual_first_send(site)
    report = publish_run(site, environ={}, story=STORY_ID, channel="whatsapp", done=True)
    assert statuses(report) == ["sent"] and report.ok
    record = receipt(site)["channels"]["whatsapp"]
    assert record["status"] == "sent" and record["detail"]["text"]
    assert publish_run(site, environ={}, story=STORY_ID, channel="whatsapp", done=True).outcomes == []
    assert receipt(site)["channels"]["whatsapp"] == record
    _record, made = confirm(site)  # and the desk, after it, enters nothing
    assert not made
