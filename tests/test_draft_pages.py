"""Draft pages: a draft or scheduled story drawn as its web page beside the site (preview/entwurf/),
marked and never indexed, shown by `invoke serve` at /entwurf/; the site, its deploy and the publish
run never see it."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest

from newsroom.servers.preview import print_draft_links, site_server
from tests.publishing_support import commit_and_push, due_story, publish
from tests.support import NOW, REPO, Site, invoke, project_copy, snapshot, story_text

DRAFT_ID, SCHEDULED_ID = "d1d1d1d1d1d1", "5c5c5c5c5c5c"
HOSTILE = "<script>alert(1)</script> Neuer Spielplatz"
BANNER = "Entwurf – nicht veröffentlicht"


def add_drafts(site: Site) -> None:
    """A draft with a hostile title and text, and a story scheduled after NOW (2026-11-26 12:00)."""
    site.story("2026/spielplatz.md", id=DRAFT_ID, status="draft", date="2026-12-01 10:00",
               title=f'"{HOSTILE}"', body="Text mit <script>alert(2)</script> und [Link](story:a1b2c3d4e5f6).\n",
               channels="\n  mastodon: true")
    site.story("2026/weihnachten.md", id=SCHEDULED_ID, title="Weihnachtsgruß des Oberbürgermeisters",
               date="2026-12-24 10:00", image="fotos/rhein.jpg", embargo="2026-12-23 18:00")


def drafts(site: Site):
    return site.root / "preview" / "entwurf"


def site_text(site: Site) -> str:
    """Every text file of the built site at once (pages, feeds, sitemaps, search data)."""
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in sorted(site.output.rglob("*"))
                     if p.is_file() and p.suffix in (".html", ".xml", ".json", ".txt", ".ics"))


def test_a_draft_and_a_scheduled_story_are_drawn_beside_the_site_marked_and_never_indexed(site):
    site.story()
    add_drafts(site)
    site.build()
    page = (drafts(site) / DRAFT_ID / "index.html").read_text(encoding="utf-8")
    assert f'<p class="draft-banner-title"><strong>{BANNER}</strong></p>' in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert 'rel="canonical"' not in page and "og:url" not in page and "application/ld+json" not in page
    assert '<link rel="stylesheet" href="/theme/css/site.css">' in page  # the site's own styles
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; Neuer Spielplatz" in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page  # raw HTML in the text stays text
    assert 'href="/aktuelles/2026/11/neue-radwege-am-rheinufer/"' in page  # a link to a published story
    assert 'Entwurf, vorgesehen für <time datetime="2026-12-01T10:00:00+01:00">1. Dezember 2026, 10:00 Uhr</time>' in page
    scheduled = (drafts(site) / SCHEDULED_ID / "index.html").read_text(encoding="utf-8")
    assert "Geplant: erscheint von selbst am <time" in scheduled and "24. Dezember 2026, 10:00 Uhr" in scheduled
    assert '<figure class="lead-image' in scheduled and "Weihnachtsgruß des Oberbürgermeisters</h1>" in scheduled

    index = (drafts(site) / "index.html").read_text(encoding="utf-8")
    assert f'<a href="/entwurf/{SCHEDULED_ID}/">Weihnachtsgruß des Oberbürgermeisters</a>' in index
    assert f'<a href="/entwurf/{DRAFT_ID}/">&lt;script&gt;' in index and "noindex" in index
    assert [d["path"] for d in json.loads((drafts(site) / "entwuerfe.json").read_text(encoding="utf-8"))] == [
        f"entwurf/{SCHEDULED_ID}/", f"entwurf/{DRAFT_ID}/"]

    # Nothing of them in the site: no page, list, feed, sitemap entry or search data.
    everything = site_text(site)
    assert "Neue Radwege am Rheinufer" in everything
    for shown in ("Spielplatz", "Weihnachtsgruß", DRAFT_ID, SCHEDULED_ID, "entwurf/", BANNER):
        assert shown not in everything, shown
    assert not (site.output / "entwurf").exists()


def test_building_drafts_never_changes_the_output(site, tmp_path):
    site.story()
    add_drafts(site)
    site.commit("Meldungen", "2026-11-20 09:00")
    site.build()
    before = snapshot(site.output)
    drawn = snapshot(drafts(site))
    site.build()
    assert snapshot(site.output) == before and snapshot(drafts(site)) == drawn  # nothing written again
    # A new draft, and changed texts of both: the site stays byte for byte, same inodes.
    site.story("2026/neu.md", id="a2a2a2a2a2a2", status="draft", title="Noch ein Entwurf")
    site.write("stories/2026/spielplatz.md", story_text(id=DRAFT_ID, status="draft", title="Spielplatz eröffnet",
                                                       date="2026-12-01 10:00"))
    site.write("stories/2026/weihnachten.md", story_text(id=SCHEDULED_ID, title="Weihnachtsgruß",
                                                         date="2026-12-24 10:00", image="fotos/rhein.jpg",
                                                         body="Ein neuer Text.\n"))
    site.commit("Entwürfe bearbeitet", "2026-11-21 09:00")
    site.build()
    assert snapshot(site.output) == before
    assert "Spielplatz eröffnet</h1>" in (drafts(site) / DRAFT_ID / "index.html").read_text(encoding="utf-8")
    assert "Ein neuer Text." in (drafts(site) / SCHEDULED_ID / "index.html").read_text(encoding="utf-8")
    assert (drafts(site) / "a2a2a2a2a2a2" / "index.html").is_file()

    # A cold build of the same content, drafts and all, makes the same site.
    site.build(OUTPUT_PATH=str(tmp_path / "cold-output"), CACHE_PATH=str(tmp_path / "cold-cache"),
               PUBLISH_PREVIEW_PATH=str(tmp_path / "cold-preview"))
    assert {k: v[0] for k, v in snapshot(tmp_path / "cold-output").items()} == {k: v[0] for k, v in before.items()}


def test_drafts_are_drawn_only_when_what_they_show_changed(site, tmp_path):
    """Counted, not timed: an unchanged build draws no draft page; an edit draws that draft alone, a new
    description of its picture the draft that shows it, a lost page itself; the drafts equal a cold build's."""
    site.story()
    add_drafts(site)
    site.commit("Meldungen", "2026-11-20 09:00")
    assert site.build().stats["drafts_drawn"] == 2
    drawn = snapshot(drafts(site))
    report = site.build()
    assert (report.stats["drafts_drawn"], report.stats["drafts_kept"]) == (0, 2)
    assert snapshot(drafts(site)) == drawn  # nothing written, same inodes

    site.write("stories/2026/spielplatz.md", story_text(id=DRAFT_ID, status="draft", title="Spielplatz eröffnet",
                                                       date="2026-12-01 10:00"))
    report = site.build()
    assert (report.stats["drafts_drawn"], report.stats["drafts_kept"]) == (1, 1)
    assert "Spielplatz eröffnet</h1>" in (drafts(site) / DRAFT_ID / "index.html").read_text(encoding="utf-8")
    assert "Spielplatz eröffnet</a>" in (drafts(site) / "index.html").read_text(encoding="utf-8")
    assert site.build().stats["drafts_drawn"] == 0

    site.write("media/fotos/rhein.jpg.yml", (site.content / "media/fotos/rhein.jpg.yml").read_text(encoding="utf-8")
               .replace("alt: Blick", "alt: Weiter Blick", 1))
    assert site.build().stats["drafts_drawn"] == 1  # the scheduled story shows the photo
    assert "Weiter Blick über den Rhein" in (drafts(site) / SCHEDULED_ID / "index.html").read_text(encoding="utf-8")
    (drafts(site) / DRAFT_ID / "index.html").unlink()
    assert site.build().stats["drafts_drawn"] == 1

    cold = tmp_path / "cold-preview"
    report = site.build(OUTPUT_PATH=str(tmp_path / "cold-output"), CACHE_PATH=str(tmp_path / "cold-cache"),
                        PUBLISH_PREVIEW_PATH=str(cold))
    assert report.stats["drafts_drawn"] == 2
    assert {k: v[0] for k, v in snapshot(cold / "entwurf").items()} == {
        k: v[0] for k, v in snapshot(drafts(site)).items()}
    # Other settings (as other code or another theme): every draft is drawn again, its bytes the same.
    assert site.build(LIST_PAGE_SIZE=7).stats["drafts_drawn"] == 2
    assert {k: v[0] for k, v in snapshot(cold / "entwurf").items()} == {
        k: v[0] for k, v in snapshot(drafts(site)).items()}


def test_a_draft_previews_the_picture_its_published_page_will_show_on_its_day(site):
    """A photo whose rights end before the draft's publication: the preview shows its replacement, as the
    page will on that day; before the rights end, the photo itself. A draft whose date has passed is
    published by a later build, so today's rights count for it."""
    site.add_media("fotos/agentur.jpg", alt="Radweg der Agentur", credit='"Foto: Agentur/Test"',
                   rechte_bis="2026-12-10", ersatz="fotos/rhein.jpg")
    site.add_media("fotos/alt.jpg", alt="Altes Foto", credit='"Foto: Agentur/Test"', rechte_bis="2026-11-25")
    site.story()
    site.story("2026/spaet.md", id="5a5a5a5a5a5a", title="Nach dem Ende der Rechte", date="2026-12-24 10:00",
               image="fotos/agentur.jpg", body="Im Text: ![Radweg](media:fotos/agentur.jpg)\n")
    site.story("2026/frueh.md", id="5b5b5b5b5b5b", title="Vor dem Ende der Rechte", date="2026-12-05 10:00",
               image="fotos/agentur.jpg", status="draft")
    site.story("2026/liegen.md", id="5d5d5d5d5d5d", title="Liegen geblieben", date="2026-11-20 10:00",
               image="fotos/alt.jpg", status="draft")
    site.build()  # NOW: 2026-11-26, every right still running but the old photo's
    late = (drafts(site) / "5a5a5a5a5a5a" / "index.html").read_text(encoding="utf-8")
    assert "agentur" not in late and 'alt="Blick über den Rhein"' in late  # the replacement, lead image
    assert '<img alt="Radweg" loading="lazy" src="/medien/fotos/rhein.jpg">' in late  # and in the text
    early = (drafts(site) / "5b5b5b5b5b5b" / "index.html").read_text(encoding="utf-8")
    assert 'alt="Radweg der Agentur"' in early and "Foto: Agentur/Test" in early
    stale = (drafts(site) / "5d5d5d5d5d5d" / "index.html").read_text(encoding="utf-8")
    assert 'class="lead-image' not in stale and "Altes Foto" not in stale and "fotos/alt" not in stale


def test_a_published_draft_leaves_the_drafts_and_a_broken_one_shows_its_errors(site):
    site.story()
    add_drafts(site)
    site.build()
    assert (drafts(site) / DRAFT_ID).is_dir()
    # Published (and due), the story is on the site and no longer a draft.
    site.story("2026/spielplatz.md", id=DRAFT_ID, title="Spielplatz eröffnet", date="2026-11-25 10:00")
    # Hostile front matter: a Python tag, an id that climbs out of the folder, a YAML error.
    site.write("stories/2026/falle.md", "---\nid: ../../../etc\nstatus: draft\ntitle: !!python/object/apply:os.system"
                                        " [\"touch /tmp/gehackt\"]\n---\nText.\n")
    site.write("stories/2026/kaputt.md", "---\nid: eeeeeeeeeeee\nstatus: draft\ntitle: [kaputt\n---\nText.\n")
    report = site.build()
    assert {p.path for p in report.draft_problems} == {"content/stories/2026/falle.md",
                                                      "content/stories/2026/kaputt.md"}
    assert "Spielplatz eröffnet" in site.page("aktuelles/2026/11/spielplatz-eroeffnet/index.html")
    assert sorted(p.name for p in drafts(site).iterdir()) == [SCHEDULED_ID, "entwuerfe.json", "index.html"]
    index = (drafts(site) / "index.html").read_text(encoding="utf-8")
    assert "<h2>Fehlerhafte Entwürfe</h2>" in index
    assert "<code>content/stories/2026/kaputt.md</code>" in index
    assert "Zeile 5: YAML kann diese Stelle nicht lesen" in index
    assert "<code>content/stories/2026/falle.md</code>" in index and "Feld „id“" in index
    assert not os.path.exists("/tmp/gehackt")


def test_a_drafts_own_problems_are_named_on_its_page(site):
    site.story()
    site.story("2026/spielplatz.md", id=DRAFT_ID, status="draft", title="Spielplatz", related="[ffffffffffff]")
    report = site.build()
    assert [p.field for p in report.draft_problems] == ["related"]
    page = (drafts(site) / DRAFT_ID / "index.html").read_text(encoding="utf-8")
    assert "Vor der Veröffentlichung zu beheben:" in page and "„ffffffffffff“: keine Meldung hat diese id." in page


def test_a_draft_page_the_theme_cannot_draw_is_named_and_the_rest_is_drawn(site, tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(REPO / "theme", theme)
    template = theme / "templates" / "draft.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "{{ super() }}", "{% if story.id == 'd1d1d1d1d1d1' %}{{ story.fehlt.ganz }}{% endif %}{{ super() }}"),
        encoding="utf-8")
    site.story()
    add_drafts(site)
    site.build(THEME=str(theme))
    assert "Neue Radwege am Rheinufer" in site.page("aktuelles/2026/11/neue-radwege-am-rheinufer/index.html")
    assert (drafts(site) / SCHEDULED_ID / "index.html").is_file() and not (drafts(site) / DRAFT_ID).exists()
    index = (drafts(site) / "index.html").read_text(encoding="utf-8")
    assert "<code>content/stories/2026/spielplatz.md</code>" in index
    assert "Die Entwurfsseite ließ sich nicht zeichnen:" in index


def test_the_site_server_shows_drafts_at_entwurf_and_prints_their_links(site, capsys):
    site.story()
    add_drafts(site)
    site.build()
    server = site_server(site.output, drafts(site), 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with urllib.request.urlopen(base + f"entwurf/{DRAFT_ID}/") as answer:
            assert BANNER in answer.read().decode("utf-8")
        with urllib.request.urlopen(base + "entwurf") as answer:  # redirected to the index
            assert answer.url == base + "entwurf/" and "<h1>Entwürfe</h1>" in answer.read().decode("utf-8")
        with urllib.request.urlopen(base + "theme/css/site.css") as answer:  # what the draft page loads
            assert b".draft-banner" in answer.read()
        with urllib.request.urlopen(base + "aktuelles/2026/11/neue-radwege-am-rheinufer/") as answer:
            assert answer.status == 200
        # Nothing outside the drafts' folder through /entwurf/, and no draft at its future address.
        for outside in ("entwurf/../entwurf/entwuerfe.json", "entwurf/%2e%2e/output/index.html",
                        "aktuelles/2026/12/weihnachtsgruss-des-oberbuergermeisters/"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(base + outside)
            assert refused.value.code == 404, outside
    finally:
        server.shutdown()
        server.server_close()
    print_draft_links(drafts(site), "http://localhost:8000/")
    assert capsys.readouterr().out.splitlines() == [
        "Entwürfe (nur auf diesem Rechner, nie ausgeliefert): http://localhost:8000/entwurf/",
        f"  http://localhost:8000/entwurf/{SCHEDULED_ID}/  Weihnachtsgruß des Oberbürgermeisters "
        "(Geplant, vorgesehen für 24. Dezember 2026, 10:00 Uhr)",
        f"  http://localhost:8000/entwurf/{DRAFT_ID}/  {HOSTILE} (Entwurf, vorgesehen für 1. Dezember 2026, 10:00 Uhr)"]


def test_the_publish_run_never_sees_a_draft(site, mastodon):
    due_story(site)
    add_drafts(site)  # the draft chose Mastodon too
    commit_and_push(site)
    report = publish(site, dry_run=True)
    assert [(o.story_id, o.status) for o in report.outcomes] == [("a1b2c3d4e5f6", "ready")]
    assert "entwurf" not in report.outcomes[0].post.text
    assert [e.story_id for e in report.plan.due] == ["a1b2c3d4e5f6"]  # the overview lists the draft, unsent
    assert (drafts(site) / DRAFT_ID / "index.html").is_file()  # drawn by the same build, beside it


@pytest.fixture
def project(tmp_path):
    root = project_copy(tmp_path / "project")
    site = Site(root)
    site.story("2026/gut.md")
    add_drafts(site)
    return root


def test_invoke_deploy_ships_no_draft(project, tmp_path):
    target = tmp_path / "live"
    result = invoke(project, "deploy", "--target", str(target), "--now", NOW)
    assert result.returncode == 0, result.stderr
    assert (project / "preview" / "entwurf" / DRAFT_ID / "index.html").is_file()
    shipped = [p for p in target.rglob("*") if p.is_file()]
    assert len(shipped) > 50 and not [p for p in shipped if "entwurf" in p.as_posix()]
    assert not [p for p in shipped if p.suffix in (".html", ".xml", ".json")
                and (b"Spielplatz" in p.read_bytes() or BANNER.encode() in p.read_bytes())]


def test_invoke_serve_prints_the_draft_links_and_serves_them(project):
    port = free_port()
    serve = subprocess.Popen([sys.executable, "-m", "invoke", "serve", "--port", str(port)], cwd=project,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                             env={**os.environ, "PYTHONUNBUFFERED": "1"})
    stop = threading.Timer(120, serve.kill)  # a serve that never prints the links fails the test, not the run
    stop.start()
    try:
        lines = []
        for line in serve.stdout:
            lines.append(line.rstrip("\n"))
            if f"/entwurf/{DRAFT_ID}/" in line:
                break
        assert f"Entwürfe (nur auf diesem Rechner, nie ausgeliefert): http://localhost:{port}/entwurf/" in lines
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/entwurf/{DRAFT_ID}/") as answer:
            assert BANNER in answer.read().decode("utf-8")
    finally:
        stop.cancel()
        serve.terminate()
        serve.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
