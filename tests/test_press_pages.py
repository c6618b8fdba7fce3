"""The press number on the story page: assigned by the publish run after its build, so that run
builds the numbered pages again, indexes and deploys them (newsroom/publishing/press_pages.py).
Real parts: the build, the Publisher, git with a bare origin, aiosmtpd, Pagefind, a folder target."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import git
import pytest

from newsroom.build.runner import build
from newsroom.publishing.press_pages import ship_numbered_pages
from tests.fakes.smtp import FakeSMTP
from tests.press_support import RECIPIENTS, SECRET, press_env, press_story, publish, write_list
from tests.publishing_support import STORY_ID, commit_and_push, origin_receipt
from tests.support import NOW, REPO, seeded_origin, story_text
from tests.test_incremental import bytes_of

PAGE = "aktuelles/2026/11/neue-radwege-am-rheinufer/index.html"
# The Presse section lists the release once it went out (plugins/press_room); the sitemap dates its lists.
LISTS = ["presse/index.html", "presse/pressemitteilungen/index.html", "presse/pressemitteilungen/verkehr/index.html"]
NUMBERED_FILES = sorted([PAGE, *LISTS, "sitemap-seiten.xml", "sitemap.xml"])
NUMBERED = ('<p class="press-number" data-pagefind-filter="art:Pressemitteilung">Pressemitteilung '
            '<span data-pagefind-filter="pm:PM 1/2026">PM 1/2026</span> vom '
            '<time datetime="2026-11-26T12:00:00+01:00">26. November 2026</time></p>')


@pytest.fixture
def smtp(tmp_path, monkeypatch):
    with FakeSMTP() as server:
        press_env(monkeypatch, server, write_list(tmp_path / "verteiler" / "presse.csv", RECIPIENTS))
        yield server


def ship(site, report):
    """What `invoke publish` does after the sends that numbered releases."""
    return ship_numbered_pages(REPO / "publishconf.py", site.overrides(BUILD_NOW=NOW), report.revision)


def site_job(site, live: Path) -> None:
    """`invoke deploy`: build, index, ship."""
    from newsroom import deploy as shipping
    from newsroom.build.runner import load_settings
    from newsroom.search.index import index_site

    overrides = site.overrides(BUILD_NOW=NOW)
    built = build(REPO / "publishconf.py", overrides)
    index_site(built.output)
    config = load_settings(REPO / "publishconf.py", overrides)
    shipping.deploy(built.output, shipping.open_target(str(live), config), config,
                    digest_cache=shipping.digest_cache(config))


def without_index(folder: Path) -> dict:
    return {path: data for path, data in bytes_of(folder).items() if not path.startswith("pagefind/")}


def test_a_release_sent_shows_its_number_on_the_deployed_page_and_a_second_run_ships_nothing(
        site, smtp, tmp_path, monkeypatch):
    live = tmp_path / "live"
    monkeypatch.setenv("NEWSROOM_DEPLOY_TARGET", str(live))
    press_story(site, date="2026-11-26 11:00", embargo="2026-11-26 10:00")
    site.story("2026/andere.md", id="0f0e0d0c0b0a", title="Neue Bäume im Hofgarten", date="2026-11-25 09:00")
    commit_and_push(site)
    site_job(site, live)  # the site as deployed before the publish run
    report = publish(site)  # its build drew the page before the number existed
    assert [(o.channel, o.status) for o in report.outcomes] == [("press", "sent")]
    assert report.numbered == [STORY_ID]
    page = site.page(PAGE)
    assert "press-number" not in page and '<span data-pagefind-filter="art:Meldung"></span>' in page
    # The record is pushed; the checkout has not got it: the build reads the pushed revision.
    assert not (site.content / "receipts" / f"{STORY_ID}.yml").exists()

    shipped = ship(site, report)
    assert shipped.written == NUMBERED_FILES  # only the numbered page and the lists of releases are drawn again
    assert NUMBERED in site.page(PAGE)
    assert '<span data-pagefind-filter="art:Meldung"></span>' not in site.page(PAGE)
    assert '<span data-pagefind-filter="art:Meldung"></span>' in site.page(
        "aktuelles/2026/11/neue-baeume-im-hofgarten/index.html")
    deployed = (live / "current" / PAGE).read_text(encoding="utf-8")
    assert NUMBERED in deployed
    assert shipped.indexed == 4  # the two stories and the static pages
    # Shipped: the page and the index's changed files; the index's old files go.
    assert PAGE in shipped.deployed.uploaded
    assert [p for p in shipped.deployed.uploaded + shipped.deployed.deleted
            if p not in NUMBERED_FILES and not p.startswith("pagefind/")] == []
    assert "PM 1/2026" in (live / "current" / "presse/pressemitteilungen/index.html").read_text(encoding="utf-8")
    assert (live / "current" / "pagefind").is_dir()

    # The same bytes as a cold build of the checkout once it has the record.
    site.repo.git.pull("origin", "main")
    cold = tmp_path / "cold"
    build(REPO / "publishconf.py", site.overrides(OUTPUT_PATH=str(cold), CACHE_PATH=str(tmp_path / "cold-cache")))
    assert without_index(site.output) == without_index(cold)

    # The next run sends nothing, numbers nothing, and nothing is drawn or shipped again.
    again = publish(site)
    assert again.outcomes == [] and again.numbered == []
    release = os.readlink(live / "current")
    assert ship(site, again).written == []
    assert os.readlink(live / "current") == release
    assert smtp.received and len(smtp.received) == 4


def test_a_release_that_did_not_go_out_shows_no_number(site, smtp, tmp_path, monkeypatch):
    """Nobody on the list has the story's Thema: the claim numbered it, the send failed, the page
    stays a plain Meldung until the release goes out."""
    monkeypatch.setenv("NEWSROOM_PRESS_RECIPIENTS", str(write_list(tmp_path / "leer.csv", [RECIPIENTS[2]])))
    press_story(site, date="2026-11-26 11:00", embargo="2026-11-26 10:00")
    commit_and_push(site)
    report = publish(site)
    assert [o.status for o in report.outcomes] == ["failed"]
    assert origin_receipt(site)["channels"]["press"]["detail"]["number"] == "PM 1/2026"
    assert report.numbered == []
    site.repo.git.pull("origin", "main")
    site.build()
    assert "press-number" not in site.page(PAGE)


def test_a_withdrawn_story_keeps_its_number_in_view_but_out_of_the_filters(site, smtp):
    press_story(site, date="2026-11-26 11:00", embargo="2026-11-26 10:00")
    commit_and_push(site)
    publish(site)
    site.repo.git.pull("origin", "main")
    press_story(site, date="2026-11-26 11:00", embargo="2026-11-26 10:00", status="withdrawn",
                withdrawal="\n  date: 2026-11-26 11:30\n  reason: Der Termin fällt aus.")
    site.build()
    page = site.page(PAGE)
    assert "data-pagefind-body" not in page
    assert ('<p class="press-number">Pressemitteilung <span>PM 1/2026</span> vom '
            '<time datetime="2026-11-26T12:00:00+01:00">26. November 2026</time></p>') in page
    assert "data-pagefind-filter" not in page


def test_a_failed_deploy_after_the_sends_fails_the_run_in_german_and_the_sends_stay_recorded(tmp_path):
    origin = seeded_origin(tmp_path, {"2026/radwege.md": story_text(
        id=STORY_ID, date="2026-11-26 11:00", embargo="2026-11-26 10:00", channels="\n  press: true")})
    checkout = tmp_path / "runner"
    git.Repo.clone_from(origin, checkout)
    foreign = tmp_path / "fremd"
    foreign.mkdir()
    (foreign / "index.html").write_text("Fremd", encoding="utf-8")
    with FakeSMTP() as server:
        listing = write_list(tmp_path / "verteiler.csv", RECIPIENTS)
        env = {**os.environ, "CI": "true", "NEWSROOM_DEPLOY_TARGET": str(foreign),
               **{f"NEWSROOM_PRESS_{k}": v for k, v in {
                   "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(server.port), "SMTP_SECURITY": "none",
                   "FROM": "presse@duesseldorf.de", "RECIPIENTS": str(listing), "RECIPIENT_SECRET": SECRET}.items()}}
        run = subprocess.run([sys.executable, "-m", "invoke", "publish", "--now", NOW], cwd=checkout, env=env,
                             capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)
        assert len(server.received) == 4
    assert run.returncode == 1, run.stdout + run.stderr
    assert "PM 1/2026 an 4 von 4 Empfängern gesendet." in run.stdout
    assert f"FEHLER Das Ziel {foreign} ist nicht leer" in run.stderr
    assert ("Die Seiten mit den Nummern der Pressemitteilungen sind nicht ausgeliefert. Die Sendungen sind "
            "protokolliert und gehen nicht noch einmal hinaus") in run.stderr
    assert run.stderr.rstrip().endswith("Seiten mit neuen Nummern nicht ausgeliefert (siehe oben).")
    assert (foreign / "index.html").read_text(encoding="utf-8") == "Fremd"
    record = git.Repo(origin).git.show(f"main:content/receipts/{STORY_ID}.yml")
    assert "status: sent" in record and "number: PM 1/2026" in record


def test_with_newer_content_on_the_branch_the_numbered_pages_are_built_but_left_to_the_next_deploy(
        site, smtp, tmp_path, monkeypatch):
    """An editor pushed while the run sent: that push's own deploy ships the newer site; this run's
    older one must not land after it."""
    live = tmp_path / "live"
    monkeypatch.setenv("NEWSROOM_DEPLOY_TARGET", str(live))
    press_story(site, date="2026-11-26 11:00", embargo="2026-11-26 10:00")
    commit_and_push(site)
    site_job(site, live)
    other = git.Repo.clone_from(site.root.parent / "site-origin.git", tmp_path / "kollegin")
    story = tmp_path / "kollegin/content/stories/2026/baeume.md"
    story.write_text(story_text(id="0f0e0d0c0b0a", title="Neue Bäume im Hofgarten", date="2026-11-26 11:30"),
                     encoding="utf-8")
    other.git.add("-A")
    other.git.commit("-m", "Meldung", env={**os.environ, "GIT_AUTHOR_NAME": "K", "GIT_AUTHOR_EMAIL": "k@example.org",
                                           "GIT_COMMITTER_NAME": "K", "GIT_COMMITTER_EMAIL": "k@example.org"})
    other.git.push("origin", "HEAD:main")
    report = publish(site)
    shipped = ship(site, report)
    assert shipped.written == NUMBERED_FILES and NUMBERED in site.page(PAGE)
    assert shipped.superseded and shipped.deployed is None
    assert "Nicht ausgeliefert: Auf dem Zweig liegen neuere Inhalte" in shipped.lines()[1]
    assert NUMBERED not in (live / "current" / PAGE).read_text(encoding="utf-8")


def test_a_build_reads_a_receipt_only_until_its_release_went_out(site, smtp, caplog):
    """At 100,000 stories a build cannot read every receipt: a number that went out is kept in
    the build cache, so a warm build does not open the receipt again, not even with --full;
    without the cache it is read afresh."""
    press_story(site, date="2026-11-26 11:00", embargo="2026-11-26 10:00")
    commit_and_push(site)
    publish(site)
    site.repo.git.pull("origin", "main")
    site.build()
    assert "PM 1/2026" in site.page(PAGE)
    receipt = site.content / "receipts" / f"{STORY_ID}.yml"
    receipt.write_text("channels: [kaputt\n", encoding="utf-8")
    assert site.build().written == []
    assert "PM 1/2026" in site.page(PAGE) and "Nummer der Pressemitteilung" not in caplog.text
    assert PAGE in site.build(BUILD_FULL=True).rendered and "PM 1/2026" in site.page(PAGE)
    assert "Nummer der Pressemitteilung" not in caplog.text
    report = site.build(CACHE_PATH=str(site.root / "neu"))
    assert "Nummer der Pressemitteilung nicht gelesen: content/receipts/a1b2c3d4e5f6.yml" in caplog.text
    assert PAGE in report.written and "PM 1/2026" not in site.page(PAGE)
