"""A rebuild does only the work its change needs (counted, not timed), and ends with
exactly the bytes a cold build would write."""

import shutil

import pytest

from newsroom.build.state import shard_of
from tests.support import REPO, build_killed_while_applying, snapshot, story_text

THEMEN = [("Verkehr", "Amt für Verkehrsmanagement"), ("Kultur", "Kulturamt"), ("Bildung", "Schulverwaltungsamt")]


@pytest.fixture
def archive(site):
    for n in range(30):
        thema, amt = THEMEN[n % 3]
        site.story(f"{2024 + n % 3}/m{n:02d}.md", id=f"story{n:07d}x", title=f"Meldung Nummer {n}",
                   date=f"{2024 + n % 3}-{1 + n % 12:02d}-{1 + n % 27:02d} 10:00", category=thema, department=amt,
                   districts=f"[{1 + n % 10}]", tags=f"[Schlagwort {n % 4}, Gemeinsam]")
    site.commit("Archiv", "2026-11-01 09:00")
    site.build()
    return site


def bytes_of(folder):
    return {k: v[0] for k, v in snapshot(folder).items()}


def assert_same_as_cold_build(site, tmp_path):
    cold = tmp_path / "cold"
    site.build(OUTPUT_PATH=str(cold), CACHE_PATH=str(tmp_path / "cold-cache"))
    assert bytes_of(site.output) == bytes_of(cold)


def test_nothing_changed_nothing_done(archive):
    report = archive.build()
    assert report.stats["parsed"] == 0
    assert report.rendered == [] and report.written == [] and report.pruned == []
    assert report.stats["pages_kept"] > 60


def test_one_story_text_changed(archive, tmp_path):
    path = archive.content / "stories/2025/m01.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nEin neuer Absatz.\n", encoding="utf-8")
    report = archive.build()
    assert report.stats["parsed"] == 1
    pages = [p for p in report.rendered if not p.startswith("feeds/")]  # feeds: tests/test_feeds.py
    assert pages == ["aktuelles/2025/02/meldung-nummer-1/index.html"]
    assert sorted(report.written) == report.rendered
    # Only the story's own lists (Thema, Amt, district, two tags, month) were looked at page by page,
    # and of the saved state only the shards holding changed entries were written again: its
    # file's (files, cards) and the recorded digests of the feeds drawn anew.
    assert report.stats["lists_planned"] == 6
    feeds = {shard_of(p) for p in report.rendered if p.startswith("feeds/")}
    assert feeds and report.stats["state_shards_written"] == 2 + len(feeds)
    assert_same_as_cold_build(archive, tmp_path)


def test_one_story_added(archive, tmp_path):
    archive.write("stories/2026/neu.md", story_text(id="neuemeldung1", title="Ganz neue Meldung",
                                                   date="2026-11-25 10:00", districts="[4]", tags="[Gemeinsam]"))
    report = archive.build()
    assert report.stats["parsed"] == 1
    rendered = set(report.rendered)
    assert "aktuelles/2026/11/ganz-neue-meldung/index.html" in rendered
    assert {"index.html", "themen/verkehr/index.html", "stadtbezirke/4/index.html",
            "schlagworte/gemeinsam/index.html", "archiv/2026/11/index.html"} <= rendered
    # Lists the story is not in stay as they were.
    assert "themen/kultur/index.html" not in rendered and "stadtbezirke/5/index.html" not in rendered
    assert len({p for p in rendered if not p.startswith("feeds/")}) < 20
    # Of the sitemaps only the story's year and the one with the list pages are drawn.
    assert {p for p in rendered if p.startswith("sitemap")} == {"sitemap-2026.xml", "sitemap-seiten.xml"}
    assert report.stats["lists_planned"] == 5  # Thema, Amt, district, tag, month
    assert_same_as_cold_build(archive, tmp_path)


def test_after_a_change_the_next_build_does_nothing(archive):
    archive.write("stories/2026/neu.md", story_text(id="neuemeldung1", title="Ganz neue Meldung",
                                                   date="2026-11-25 10:00", districts="[4]", tags="[Gemeinsam]"))
    assert archive.build().rendered
    report = archive.build()  # everything drawn last time is known now: sitemaps and feeds too
    assert report.rendered == [] and report.written == [] and report.stats["lists_planned"] == 0


def test_one_tag_renamed(archive, tmp_path):
    path = archive.content / "stories/2026/m02.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Schlagwort 2,", "Umbenannt,"), encoding="utf-8")
    report = archive.build()
    assert "schlagworte/umbenannt/index.html" in report.rendered
    assert "schlagworte/schlagwort-2/index.html" in report.rendered  # one story fewer
    assert "schlagworte/schlagwort-1/index.html" not in report.rendered
    assert_same_as_cold_build(archive, tmp_path)


def test_theme_change_renders_everything_again(archive, tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(REPO / "theme", theme)
    before = archive.build(THEME=str(theme))  # same theme in another folder: settings changed
    assert len(before.rendered) > 60
    (theme / "templates" / "base.html").write_text(
        (theme / "templates" / "base.html").read_text(encoding="utf-8").replace('class="skip-link"',
                                                                               'class="skip-link sprung"'),
        encoding="utf-8")  # markup, not a text: a changed text needs its catalogues (tests/test_languages.py)
    report = archive.build(THEME=str(theme))
    assert len(report.rendered) == len(before.rendered)
    assert '<a class="skip-link sprung" href="#inhalt">Zum Inhalt springen</a>' in archive.page("index.html")


def test_lost_output_or_cache_gives_the_same_site(archive, tmp_path):
    shutil.rmtree(archive.output)
    report = archive.build()
    assert len(report.rendered) > 60 and report.stats["parsed"] == 0
    shutil.rmtree(archive.root / ".cache")
    report = archive.build()
    assert report.stats["parsed"] == 30 and report.written == []


def _edit(site, name, old, new):
    path = site.content / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, name)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


CHANGES = {
    "title of a related story": lambda s: _edit(s, "stories/2026/m02.md", "title: Meldung Nummer 2",
                                                "title: Meldung Nummer zwei"),
    "story removed": lambda s: (s.content / "stories/2025/m04.md").unlink(),
    "story moved to another month": lambda s: _edit(s, "stories/2024/m00.md", "date: 2024-01-01",
                                                    "date: 2024-06-15"),
    "story unpublished": lambda s: _edit(s, "stories/2024/m03.md", "status: published", "status: draft"),
    "districts changed": lambda s: _edit(s, "stories/2024/m06.md", "districts: [7]", "districts: [2, 9]"),
    "lead image description": lambda s: (
        _edit(s, "stories/2024/m09.md", "tags:", "image: fotos/rhein.jpg\ntags:"), s.build(),
        _edit(s, "media/fotos/rhein.jpg.yml", "Blick über den Rhein", "Abendlicher Blick über den Rhein")),
    "commit after publication": lambda s: (
        _edit(s, "stories/2025/m07.md", "Die Arbeiten", "Die Bauarbeiten"), s.commit("Korrektur", "2026-11-20 09:00")),
    "link target renamed": lambda s: (
        _edit(s, "stories/2026/m05.md", "Die Arbeiten beginnen", "Wie [berichtet](story:story0000002x), beginnen"),
        s.build(), _edit(s, "stories/2026/m02.md", "title: Meldung Nummer 2", "title: Andere Meldung")),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_every_kind_of_change_ends_like_a_cold_build(archive, tmp_path, change):
    CHANGES[change](archive)
    report = archive.build()
    assert report.rendered, "a change must redraw at least one page"
    assert_same_as_cold_build(archive, tmp_path)


def test_a_scheduled_story_appears_when_its_time_comes(archive, tmp_path):
    archive.write("stories/2026/geplant.md", story_text(id="geplant00001", title="Geplante Meldung",
                                                       date="2026-12-01 10:00", tags="[Gemeinsam]"))
    archive.build()
    assert not (archive.output / "aktuelles/2026/12").exists()
    report = archive.build(BUILD_NOW="2026-12-01 10:00")
    assert "aktuelles/2026/12/geplante-meldung/index.html" in report.rendered
    cold = tmp_path / "cold"
    archive.build(OUTPUT_PATH=str(cold), CACHE_PATH=str(tmp_path / "cc"), BUILD_NOW="2026-12-01 10:00")
    assert bytes_of(archive.output) == bytes_of(cold)


def test_full_build_restores_a_page_deleted_by_hand(archive):
    page = archive.output / "themen/verkehr/index.html"
    page.unlink()
    archive.build()  # the manifest says it is live: an ordinary build trusts it
    assert not page.exists()
    report = archive.build(BUILD_FULL=True)
    assert page.exists() and report.written == ["themen/verkehr/index.html"]


def test_full_means_the_same_for_every_kind_of_page(archive):
    """--full keeps no page on the strength of a recorded digest: story pages, lists, feeds,
    sitemap parts and the media portal all draw again (and write only what differs)."""
    lost = ["aktuelles/2025/02/meldung-nummer-1/index.html", "themen/verkehr/index.html",
            "feeds/alle/rss.xml", "sitemap-2024.xml", "medienportal/medien/fotos/rhein/index.html"]
    for path in lost:
        (archive.output / path).unlink()
    assert archive.build().written == []  # the manifest says they are live: an ordinary build trusts it
    report = archive.build(BUILD_FULL=True)
    assert sorted(report.written) == sorted(lost)
    assert set(lost) < set(report.rendered)
    assert archive.build().rendered == []  # and the full build recorded what the next one keeps


def test_state_is_not_trusted_after_an_interrupted_apply(archive, monkeypatch, tmp_path):
    _edit(archive, "stories/2026/m02.md", "title: Meldung Nummer 2", "title: Neuer Titel")
    build_killed_while_applying(archive, monkeypatch, after=2)
    _edit(archive, "stories/2026/m02.md", "title: Neuer Titel", "title: Meldung Nummer 2")  # and back
    report = archive.build()
    assert len(report.rendered) > 60  # no usable state: everything drawn again
    assert_same_as_cold_build(archive, tmp_path)
