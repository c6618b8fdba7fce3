"""The browser admin in a real headless Chromium: Decap CMS from our own site, decap-server
against a real checkout; a story written in the browser lands as a valid file in git."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from newsroom.build.runner import load_settings
from newsroom.servers import decap_guard
from tests.support import PHOTO, REPO, Site

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
    """(site, admin URL with this run's key, the local backend's host) for decap-server, behind
    its guard, in the mode the test asks for."""
    mode = getattr(request, "param", "fs")
    site = checkout(tmp_path)
    port = free_port()
    site.build(ADMIN_LOCAL_BACKEND_URL=f"http://localhost:{port}/api/v1")
    preview = serve_folder(site.output)
    settings = load_settings(REPO / "pelicanconf.py", site.overrides())
    backend = decap_guard.start(settings, site.root, port, preview_port=int(preview.rstrip("/").rsplit(":", 1)[1]),
                                mode=mode, quiet=True)
    try:
        yield site, backend.admin_url(preview, "admin"), f"localhost:{port}"
    finally:
        decap_guard.stop(backend)


def open_new_story(page, url: str) -> None:
    log_in(page, url)
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


def log_in(page, url: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="Login").click()  # the local backend asks for no password
    page.get_by_text("Meldungen").first.wait_for()


def upload_photo(page, url: str, tmp_path: Path) -> None:
    """A new photo through the media library of the "Fotos" collection, described in the same form."""
    page.goto(url + "#/collections/media_fotos/new")
    page.get_by_role("button", name="Wähle ein Bild").first.click()  # "Datei"; "Ersatzfoto" has one too
    photo = tmp_path / "Bänke am Rhein.jpg"  # Decap names the upload banke-am-rhein.jpg
    photo.write_bytes(PHOTO)
    page.locator("input[type=file]").set_input_files(str(photo))
    page.get_by_role("button", name="Ausgewähltes Element verwenden").click()
    page.get_by_label("Alternativtext").fill("Zwei Holzbänke auf der Rheinuferpromenade")
    page.get_by_label("Bildnachweis").fill("Foto: Landeshauptstadt Düsseldorf/Melanie Zanin")
    page.get_by_label("Schlagwörter (optional)").fill("Rheinufer, Stadtmöbel")


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
    build = site.check()  # the reader accepts what the admin wrote: every field valid
    assert build.stats["stories"] == 2

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
    slug = Path(files[0]).relative_to("content/stories").with_suffix("").as_posix()  # the browser's today
    assert any(m.startswith(f"Neue Meldung „{slug}“") for m in messages), messages
    assert not site.repo.is_dirty(untracked_files=True)
    assert (site.root / files[0]).is_file() and files[0] in site.repo.git.ls_files().splitlines()
    site.check()  # what the workflow published is a valid story


def test_a_channels_own_text_typed_in_the_admin_is_counted_written_and_checked(admin, page, axe):
    site, url, _backend = admin
    page.on("dialog", lambda dialog: dialog.accept())
    open_new_story(page, url)
    page.get_by_text("Kanäle", exact=True).get_by_role("button").click()  # the group starts folded
    page.get_by_role("checkbox", name="Bluesky").check()
    mastodon = page.get_by_role("checkbox", name="Mastodon")
    mastodon.focus()
    page.keyboard.press("Space")  # the switch works from the keyboard
    own = "Zwanzig neue Bänke am Rheinufer! #Düsseldorf"
    page.get_by_label("Eigener Text für „Mastodon“ (optional)").fill(own)
    # 44 characters, two line breaks before the link, and the link counts 23 on Mastodon.
    count = page.locator("#" + mastodon.get_attribute("id") + "-count")
    assert count.inner_text() == "69 von 500 Zeichen (mit Link zur Meldung; jeder Link zählt 23)."
    page.get_by_label("Eigener Text für „Mastodon“ (optional)").fill(own + " " + "Lang " * 100)
    assert count.inner_text() == ("Länger als ein Beitrag auf „Mastodon“: 569 von 500 Zeichen (mit Link zur "
                                  "Meldung; jeder Link zählt 23). Der Text geht als Thread hinaus, in höchstens 5 "
                                  "Beiträgen.")
    page.get_by_label("Eigener Text für „Mastodon“ (optional)").fill(own)
    # Our widget passes WCAG 2.1 AA (Decap's own form around it is not ours to judge here).
    ours = [(v["id"], n["html"]) for v in axe(page) for n in v["nodes"] if mastodon.get_attribute("id") in n["html"]]
    assert not ours, ours
    page.get_by_role("checkbox", name="Instagram-Story").check()  # a Story: the switch alone, no text field
    assert page.get_by_text("zeigt das Aufmacherbild (oder das Video) ohne Text").is_visible()
    assert page.get_by_label("Eigener Text für „Instagram-Story“ (optional)").count() == 0
    page.get_by_role("button", name="Veröffentlichen").click()
    page.get_by_text("Jetzt veröffentlichen").click()
    page.get_by_text("Beitrag gespeichert").wait_for()

    text = wait_for(page, lambda: new_stories(site) and new_stories(site)[0].read_text(encoding="utf-8"),
                    "the story file")
    front = text.split("---")[1]
    assert f'channels:\n  bluesky: true\n  mastodon:\n    text: "{own}"\n' in front, front  # "#" asks for quotes
    assert "\n  instagram_story: true\n" in front, front
    site.check()  # the reader takes both forms, and the Mastodon post fits its limit


def test_a_photo_uploaded_in_the_admin_lands_with_its_description_and_passes_the_check(admin, page, tmp_path,
                                                                                          network):
    site, url, backend = admin
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, url)
    upload_photo(page, url, tmp_path)
    page.get_by_role("button", name="Veröffentlichen").click()
    page.get_by_text("Jetzt veröffentlichen").click()
    page.get_by_text("Beitrag gespeichert").wait_for()

    sidecar = site.content / "media/fotos/banke-am-rhein.jpg.yml"
    wait_for(page, sidecar.is_file, "the description")
    assert (site.content / "media/fotos/banke-am-rhein.jpg").read_bytes() == PHOTO
    # Only the description's own fields (newsroom.media.library.SIDECAR_FIELDS), every text quoted.
    assert sidecar.read_text(encoding="utf-8") == (
        'alt: "Zwei Holzbänke auf der Rheinuferpromenade"\n'
        'credit: "Foto: Landeshauptstadt Düsseldorf/Melanie Zanin"\n'
        'tags:\n  - "Rheinufer"\n  - "Stadtmöbel"\n'
        "original: true\n")
    site.story("2026/baenke.md", id="b2c3d4e5f6a7", title="Neue Bänke", image="fotos/banke-am-rhein.jpg")
    build = site.check()  # the build takes the photo as a story's lead image
    assert build.stats["stories"] == 2

    # Opened again, the description names its file and keeps it; a change is written the same way.
    page.goto(url + "#/collections/media_fotos/entries/banke-am-rhein.jpg")
    shown = page.get_by_label("Datei", exact=True)
    assert shown.input_value() == "fotos/banke-am-rhein.jpg" and shown.get_attribute("readonly") is not None
    page.get_by_label("Titel (optional)").fill("Bänke am Rhein")
    page.get_by_role("button", name="Veröffentlichen").click()
    page.get_by_text("Jetzt veröffentlichen").click()
    wait_for(page, lambda: "Bänke am Rhein" in sidecar.read_text(encoding="utf-8"), "the changed description")
    assert sidecar.read_text(encoding="utf-8").startswith('title: "Bänke am Rhein"\nalt: ')
    site.check()
    assert network.hosts() <= {url.split("/")[2], backend}, network.hosts()


def test_a_new_photo_without_credit_or_of_the_wrong_type_is_refused_in_the_form(admin, page, tmp_path):
    site, url, _backend = admin
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, url)
    page.goto(url + "#/collections/media_dokumente/new")
    page.get_by_role("button", name="Wählen Sie eine Datei").click()
    photo = tmp_path / "plan.jpg"
    photo.write_bytes(PHOTO)
    page.locator("input[type=file]").set_input_files(str(photo))
    page.get_by_role("button", name="Ausgewähltes Element verwenden").click()
    page.get_by_role("button", name="Veröffentlichen").click()
    page.get_by_text("Jetzt veröffentlichen").click()
    page.get_by_text("Hier gehören nur Dateien vom Typ .pdf hin, nicht „plan.jpg“.").wait_for()
    page.get_by_text("Bildnachweis ist erforderlich.").wait_for()
    assert not list((site.content / "media").rglob("plan.jpg*"))


@pytest.mark.parametrize("admin", ["git"], indirect=True)
def test_a_photo_with_its_description_goes_through_the_editorial_workflow_together(admin, page, tmp_path):
    site, url, _backend = admin
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, url)
    upload_photo(page, url, tmp_path)
    page.get_by_role("button", name="Speichern").click()
    branch = wait_for(page, lambda: [b for b in site.repo.git.branch("--list", "cms/*").split() if b != "*"],
                      "the draft's branch")
    assert branch == ["cms/media_fotos/banke-am-rhein.jpg"]
    both = {"content/media/fotos/banke-am-rhein.jpg", "content/media/fotos/banke-am-rhein.jpg.yml"}
    wait_for(page, lambda: both <= set(site.repo.git.ls_tree("-r", "--name-only", branch[0]).splitlines()),
             "the photo and its description in one draft")
    assert "content/media/fotos/banke-am-rhein.jpg" not in site.repo.git.ls_tree("-r", "--name-only", "main")


def test_translations_are_apart_from_the_stories_and_one_written_in_the_admin_passes_the_check(admin, page, network):
    site, url, backend = admin
    site.write("stories/2026/radwege.en.md", "---\ntranslation_of: a1b2c3d4e5f6\ntitle: New cycle lanes on the Rhine\n"
               "summary: Two kilometres of cycle lanes along the Rhine.\n---\nWork starts in spring.\n")
    site.story("2026/theater.md", id="aa0000000002", title="Theater im Hofgarten", category="Kultur",
               department="Kulturamt")
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, url)
    page.goto(url + "#/collections/stories")
    page.get_by_text("Theater im Hofgarten").first.wait_for()
    assert page.get_by_text("New cycle lanes on the Rhine").count() == 0  # the translation is not a story
    page.goto(url + "#/collections/translations_en")
    page.get_by_text("New cycle lanes on the Rhine").first.wait_for()
    assert page.get_by_text("Theater im Hofgarten").count() == 0

    page.goto(url + "#/collections/translations_en/new")
    page.get_by_label("Übersetzung von (deutsche Meldung)").fill("Theater")
    page.get_by_text("Theater im Hofgarten", exact=True).click()  # the German stories alone are offered
    page.get_by_label("Titel", exact=True).fill("Theatre in the Hofgarten")
    page.get_by_label("Anreißer").fill("Open-air theatre in the Hofgarten all summer.")
    page.get_by_label("Status", exact=True).fill("Zur Veröffentlichung")
    page.keyboard.press("Enter")
    page.locator("[data-slate-editor=true]").last.click()
    page.keyboard.type("The first play starts in June.")
    page.frame_locator("iframe").get_by_text("The first play starts in June.").wait_for()
    page.get_by_role("button", name="Veröffentlichen").click()
    page.get_by_text("Jetzt veröffentlichen").click()
    page.get_by_text("Beitrag gespeichert").wait_for()

    written = wait_for(page, lambda: [p for p in (site.content / "stories").rglob("*.en.md")
                                      if p.name != "radwege.en.md"], "the translation file")
    year = written[0].parent.name  # the browser's today, as for a new story
    assert [p.relative_to(site.content).as_posix() for p in written] == [
        f"stories/{year}/{written[0].name}"] and written[0].name.endswith("-theatre-in-the-hofgarten.en.md")
    text = written[0].read_text(encoding="utf-8")
    assert "translation_of: aa0000000002\n" in text and "title: Theatre in the Hofgarten\n" in text
    assert "status: published\n" in text and "\nid:" not in text and text.endswith("The first play starts in June.\n")
    site.check()  # the reader takes the file: known original, one translation per language, every field valid
    page.goto(url + "#/collections/stories")
    page.get_by_text("Theater im Hofgarten").first.wait_for()
    assert page.get_by_text("Theatre in the Hofgarten").count() == 0
    assert network.hosts() <= {url.split("/")[2], backend}, network.hosts()
