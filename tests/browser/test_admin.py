"""The browser admin in a real headless Chromium: Decap CMS from our own site, decap-server
against a real checkout; a story written in the browser lands as a valid file in git."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest

from newsroom import decap_server
from tests.support import Site

TITLE = "Neue Bänke am Rheinufer"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def checkout(tmp_path: Path) -> Site:
    site = Site(tmp_path / "redaktion")
    site.story()
    (site.root / ".gitignore").write_text("/output/\n/.cache/\n/preview/\n/.output*\n", encoding="utf-8")
    site.commit("Erste Meldung", "2026-11-20 09:00")
    return site


@pytest.fixture
def admin(tmp_path, serve_folder, request):
    """(site, admin URL, decap-server's host) for decap-server in the mode the test asks for."""
    mode = getattr(request, "param", "fs")
    site = checkout(tmp_path)
    port = free_port()
    site.build(ADMIN_LOCAL_BACKEND_URL=f"http://localhost:{port}/api/v1")
    server = decap_server.start(site.root, port, mode=mode, quiet=True)
    try:
        yield site, serve_folder(site.output) + "admin/", f"localhost:{port}"
    finally:
        decap_server.stop(server)


def open_new_story(page, url: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="Login").click()  # the local backend asks for no password
    page.get_by_text("Meldungen").first.wait_for()
    page.goto(url + "#/collections/stories/new")
    page.get_by_label("Titel", exact=True).fill(TITLE)
    page.get_by_label("Anreißer").fill("Zwanzig neue Bänke laden zum Verweilen ein.")
    for label, typed in (("Thema", "Umwelt"), ("Amt", "Garten"), ("Stadtbezirke (optional)", "3 –")):
        page.get_by_label(label, exact=True).fill(typed)
        page.keyboard.press("Enter")
    page.get_by_label("Schlagwörter (optional)").fill("Rheinufer, Stadtmöbel")
    page.get_by_label("Name", exact=True).fill("Presse- und Informationsdienst")
    page.get_by_label("Telefon (optional)").fill("0211 89-93131")
    page.locator("[data-slate-editor=true]").last.click()  # the story text; Leichte Sprache comes first
    page.keyboard.type("Die Bänke stehen ab Montag bereit.")
    # The editor hands its text to the form with a delay; the preview shows when it has.
    page.frame_locator("iframe").get_by_text("Die Bänke stehen ab Montag bereit.").wait_for()


def wait_for(page, predicate, what: str, seconds: float = 30):
    """Poll the checkout; waiting through the page lets Playwright answer the admin's dialogs meanwhile."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        page.wait_for_timeout(200)
    pytest.fail(f"{what} did not happen within {seconds} s")


def new_stories(site: Site) -> list[Path]:
    return [p for p in (site.content / "stories").rglob("*.md") if p.name != "radwege.md"]


def test_a_story_written_in_the_admin_lands_in_the_checkout_and_passes_the_check(admin, page, network):
    site, url, backend = admin
    page.on("dialog", lambda dialog: dialog.accept())
    open_new_story(page, url)
    page.get_by_role("button", name="Veröffentlichen").click()
    page.get_by_text("Jetzt veröffentlichen").click()
    page.get_by_text("Beitrag gespeichert").wait_for()

    files = wait_for(page, lambda: new_stories(site), "the story file")
    assert [p.relative_to(site.root).as_posix() for p in files] == [
        f"content/stories/{files[0].parent.name}/{files[0].name}"]
    text = files[0].read_text(encoding="utf-8")
    assert f"title: {TITLE}\n" in text and "category: Umwelt & Klima\n" in text
    assert "department: Garten-, Friedhofs- und Forstamt\n" in text and "status: draft\n" in text
    assert text.endswith("Die Bänke stehen ab Montag bereit.\n")
    context = site.check()  # the reader accepts what the admin wrote: every field valid
    assert context["build_stats"]["stories"] == 2

    # Only our site and the local decap-server on loopback were asked; nothing from elsewhere.
    assert network.hosts() <= {url.split("/")[2], backend}, network.hosts()


@pytest.mark.parametrize("admin", ["git"], indirect=True)
def test_editorial_workflow_draft_review_ready_then_published_into_main(admin, page):
    site, url, _backend = admin
    page.on("dialog", lambda dialog: dialog.accept())
    open_new_story(page, url)
    page.get_by_role("button", name="Speichern").click()
    branch = wait_for(page, lambda: [b for b in site.repo.git.branch("--list", "cms/*").split() if b != "*"],
                      "the draft's branch")
    assert branch[0].startswith("cms/stories/")
    main_files = site.repo.git.ls_tree("-r", "--name-only", "main").splitlines()
    assert not [f for f in main_files if "neue-banke" in f]  # a draft lives on its branch, not in main

    # decap-server keeps the workflow status in the branch's description: draft, pending_review, pending_publish.
    for status, label in (("Zur Überprüfung", "pending_review"), ("Abgeschlossen", "pending_publish")):
        page.get_by_role("button", name="Status").click()
        page.get_by_text(status, exact=True).click()
        wait_for(page, lambda: label in site.repo.git.config("--get-regexp", r"branch\..*\.description"), status)
    page.get_by_role("button", name="Veröffentlichen").click()
    page.get_by_text("Jetzt veröffentlichen").click()

    files = wait_for(page, lambda: [f for f in site.repo.git.ls_tree("-r", "--name-only", "main").splitlines()
                                    if "neue-banke" in f], "the published story in main")
    assert site.repo.active_branch.name == "main"
    messages = [c.message for c in site.repo.iter_commits("main", max_count=3)]
    assert any(m.startswith("Neue Meldung „2026/2026-11-26-neue-banke-am-rheinufer“") for m in messages), messages
    assert not site.repo.is_dirty(untracked_files=True)
    assert (site.root / files[0]).is_file() and files[0] in site.repo.git.ls_files().splitlines()
    site.check()  # what the workflow published is a valid story
