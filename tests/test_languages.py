"""Translated stories: read and checked beside the German ones, shown under /<lang>/ with hreflang both
ways, in their own home page, feed and the sitemap; interface texts from the theme's catalogues; an
incremental build ends like a cold one when a translation comes or goes."""

import json
import shutil

import feedparser
import pytest

from newsroom.errors import ContentErrors
from newsroom.languages.catalogues import check_catalogues
from tests.support import REPO
from tests.test_crisis_reader import GOOD as CRISIS
from tests.test_incremental import assert_same_as_cold_build, bytes_of

GERMAN = "aktuelles/2026/11/neue-radwege-am-rheinufer/index.html"
ENGLISH = "en/news/2026/11/new-cycle-lanes-on-the-rhine/index.html"


def translation(original: str = "3f9c2e17b4da", title: str = "New cycle lanes on the Rhine", **fields) -> str:
    values = {"translation_of": original, "title": title,
              "summary": "Two new cycle lanes open along the river in spring.", **fields}
    front = "\n".join(f"{key}: {value}" for key, value in values.items() if value is not None)
    return f"---\n{front}\n---\nWork starts in spring.\n\n## Schedule\n\nFirst the old surface is removed.\n"


@pytest.fixture
def translated(site):
    site.story(id="3f9c2e17b4da", title="Neue Radwege am Rheinufer", date="2026-11-20 10:00", image="fotos/rhein.jpg")
    site.story("2026/theater.md", id="aa0000000002", title="Theater im Hofgarten", date="2026-11-21 10:00",
               category="Kultur", department="Kulturamt")
    site.write("stories/2026/radwege.en.md", translation(image_alt="A view across the Rhine"))
    site.commit("Meldungen", "2026-11-20 09:00")
    return site


def test_a_translation_has_its_page_and_both_pages_name_each_other(translated):
    translated.build()
    english, german = translated.page(ENGLISH), translated.page(GERMAN)
    assert english.startswith('<!DOCTYPE html>\n<html lang="en">')
    for page in (english, german):
        assert '<link rel="alternate" hreflang="de" href="http://localhost:8000/aktuelles/2026/11/' \
               'neue-radwege-am-rheinufer/">' in page
        assert '<link rel="alternate" hreflang="en" href="http://localhost:8000/en/news/2026/11/' \
               'new-cycle-lanes-on-the-rhine/">' in page
        assert '<link rel="alternate" hreflang="x-default" href="http://localhost:8000/aktuelles/2026/11/' \
               'neue-radwege-am-rheinufer/">' in page
    # The switch leads to the other language's page, named in that language.
    assert '<a href="/en/news/2026/11/new-cycle-lanes-on-the-rhine/" hreflang="en" lang="en">English</a>' in german
    assert '<a href="/aktuelles/2026/11/neue-radwege-am-rheinufer/" hreflang="de" lang="de">Deutsch</a>' in english
    assert "<h1 data-pagefind-ignore>New cycle lanes on the Rhine</h1>" in english  # the title: metadata
    assert 'alt="A view across the Rhine"' in english
    assert "Skip to content" in english and "Zum Inhalt springen" not in english
    assert "20 November 2026, 10:00" in english  # British, as the texts are (og:locale en_GB)
    # German texts on the English page say so; an untranslated story's page leads to the English home page.
    assert '<a href="/themen/verkehr/" lang="de" hreflang="de">Verkehr</a>' in english
    theater = translated.page("aktuelles/2026/11/theater-im-hofgarten/index.html")
    assert '<a href="/en/" hreflang="en" lang="en">English</a>' in theater
    assert 'hreflang="x-default"' not in theater


def test_the_sites_own_texts_are_english_and_its_german_parts_say_so(translated):
    table = "\n| Section | Length |\n|---|---|\n| Rheinuferpromenade | 1.2 km |\n"
    translated.write("stories/2026/radwege.en.md", translation(image_alt="A view across the Rhine") + table)
    translated.write("krise.yml", CRISIS)  # active at the build's time: the banner is in every page
    translated.commit("Tabelle, Krise", "2026-11-20 09:30")
    translated.build()
    english, home, german = (translated.page(path) for path in (ENGLISH, "en/index.html", GERMAN))
    for page in (english, home):
        assert '<meta property="og:site_name" content="City of Düsseldorf">' in page
        assert 'title="City of Düsseldorf (English) – Atom"' in page
        # The banner is German on every page, and says so on the English ones.
        assert '<section class="krise krise--warnung" lang="de" role="region"' in page
    assert '<meta name="description" content="Selected news from the City of Düsseldorf, translated from German.">' \
        in home
    assert '<div class="table-scroll" role="region" aria-label="Table" tabindex="0"><table>' in english
    assert 'aria-label="Tabelle"' not in english
    assert '<meta property="og:site_name" content="Landeshauptstadt Düsseldorf">' in german
    assert '<section class="krise krise--warnung" lang="de" role="region"' in german
    feed = feedparser.parse((translated.output / "en/feeds/news/atom.xml").read_bytes())
    assert feed.feed.title == "City of Düsseldorf (English)" and feed.feed.author == "City of Düsseldorf"


def test_the_english_home_lists_only_translated_stories_in_pages_newest_first(translated):
    translated.story("2026/ampeln.md", id="aa0000000003", title="Neue Ampeln", date="2026-11-22 10:00")
    translated.write("stories/2026/ampeln.en.md", translation("aa0000000003", "New traffic lights"))
    translated.write("stories/2026/theater.en.md", translation("aa0000000002", "Theatre in the Hofgarten",
                                                               status="draft"))
    translated.commit("Mehr", "2026-11-22 09:00")
    translated.build(LIST_PAGE_SIZE=1)
    home = translated.page("en/index.html")
    assert '<html lang="en">' in home
    assert "New traffic lights" in home and "New cycle lanes" not in home and "Theatre" not in home
    older = translated.page("en/seite/1/index.html")
    assert "New cycle lanes on the Rhine" in older and "Older news" not in older and "Latest news" in older
    assert '<a href="/" hreflang="de" lang="de">Deutsch</a>' in home


def test_a_story_link_in_a_translation_leads_to_the_translation_if_there_is_one(translated):
    translated.write("stories/2026/theater.en.md", translation(
        "aa0000000002", "Theatre in the Hofgarten").replace("Work starts in spring.",
                                                            "See [the cycle lanes](story:3f9c2e17b4da) and "
                                                            "[the lights](story:aa0000000003)."))
    translated.story("2026/ampeln.md", id="aa0000000003", title="Neue Ampeln", date="2026-11-19 10:00")
    translated.commit("Links", "2026-11-22 09:00")
    translated.build()
    page = translated.page("en/news/2026/11/theatre-in-the-hofgarten/index.html")
    assert '<a href="/en/news/2026/11/new-cycle-lanes-on-the-rhine/">the cycle lanes</a>' in page
    assert '<a href="/aktuelles/2026/11/neue-ampeln/">the lights</a>' in page


def test_a_picture_whose_rights_ended_gives_way_to_its_replacement_with_its_own_texts(translated, tmp_path):
    translated.add_media("fotos/agentur.jpg", alt="Radweg am Rhein", credit='"Foto: Agentur"',
                         rechte_bis="2026-11-30", ersatz="fotos/rhein.jpg")
    translated.story(id="3f9c2e17b4da", title="Neue Radwege am Rheinufer", date="2026-11-20 10:00",
                     image="fotos/agentur.jpg")
    translated.write("stories/2026/radwege.en.md", translation(image_alt="A cycle lane by the Rhine"))
    translated.commit("Agenturfoto", "2026-11-20 09:30")
    translated.build()
    assert 'alt="A cycle lane by the Rhine"' in translated.page(ENGLISH)
    translated.build(BUILD_NOW="2026-12-01 12:00")
    english = translated.page(ENGLISH)
    assert "agentur" not in english and 'alt="A cycle lane by the Rhine"' not in english
    assert 'alt="Blick über den Rhein" lang="de"' in english
    cold = tmp_path / "cold"
    translated.build(OUTPUT_PATH=str(cold), CACHE_PATH=str(tmp_path / "cold-cache"), BUILD_NOW="2026-12-01 12:00")
    assert bytes_of(translated.output) == bytes_of(cold)


def test_the_english_feed_and_the_sitemap(translated):
    translated.build()
    feed = feedparser.parse((translated.output / "en/feeds/news/atom.xml").read_bytes())
    assert not feed.bozo
    assert feed.feed.language == "en"
    assert [e.title for e in feed.entries] == ["New cycle lanes on the Rhine"]
    assert feed.entries[0].link == "http://localhost:8000/en/news/2026/11/new-cycle-lanes-on-the-rhine/"
    rss = feedparser.parse((translated.output / "en/feeds/news/rss.xml").read_bytes())
    assert not rss.bozo and rss.entries[0].title == "New cycle lanes on the Rhine"
    sitemap = translated.page("sitemap-2026.xml")
    assert 'xmlns:xhtml="http://www.w3.org/1999/xhtml"' in sitemap
    german = ("<url><loc>http://localhost:8000/aktuelles/2026/11/neue-radwege-am-rheinufer/</loc>"
              "<lastmod>2026-11-20T10:00:00+01:00</lastmod>"
              '<xhtml:link rel="alternate" hreflang="de" '
              'href="http://localhost:8000/aktuelles/2026/11/neue-radwege-am-rheinufer/"/>'
              '<xhtml:link rel="alternate" hreflang="en" '
              'href="http://localhost:8000/en/news/2026/11/new-cycle-lanes-on-the-rhine/"/>'
              '<xhtml:link rel="alternate" hreflang="x-default" '
              'href="http://localhost:8000/aktuelles/2026/11/neue-radwege-am-rheinufer/"/></url>')
    assert german in sitemap
    assert "<loc>http://localhost:8000/en/news/2026/11/new-cycle-lanes-on-the-rhine/</loc>" in sitemap
    assert "<loc>http://localhost:8000/en/</loc>" in translated.page("sitemap-seiten.xml")


@pytest.mark.parametrize("name, text, expected", [
    ("2026/radwege.en.md", translation("ffffffffffff"),
     "content/stories/2026/radwege.en.md:2: Feld „translation_of“: Keine deutsche Meldung hat die id „ffffffffffff“. "
     "Eine Übersetzung braucht ihr Original."),
    ("2026/radwege.xx.md", translation(),
     "content/stories/2026/radwege.xx.md: Unbekannter Sprachcode „xx“ im Dateinamen. Eingestellte Sprachen für "
     "Übersetzungen: en (LANGUAGES)."),
    ("2026/radwege.de.md", translation(),
     "content/stories/2026/radwege.de.md: „.de.md“: Deutsch ist die Sprache der Originale; eine solche Meldung heißt "
     "nur „….md“."),
    ("2026/radwege.en.md", translation(title=None),
     "content/stories/2026/radwege.en.md: Feld „title“: Pflichtfeld fehlt oder ist leer."),
    ("2026/radwege.en.md", translation(image_caption="The river"),
     "content/stories/2026/radwege.en.md:5: Feld „image_caption“: Die deutsche Meldung hat kein Bild (image); der Text "
     "zum Bild hat keinen Platz."),
])
def test_a_broken_translation_stops_the_build_naming_file_line_and_field(site, name, text, expected):
    site.story(id="3f9c2e17b4da", title="Neue Radwege am Rheinufer", date="2026-11-20 10:00")
    site.write(f"stories/{name}", text)
    site.commit("Meldung", "2026-11-20 09:00")
    with pytest.raises(ContentErrors) as caught:
        site.build()
    assert expected in [str(error) for error in caught.value.errors]
    assert not (site.output / "index.html").exists()


def test_two_translations_into_one_language_are_refused(translated):
    translated.write("stories/2026/zweite.en.md", translation(title="Cycle lanes again"))
    translated.commit("Zweite", "2026-11-21 09:00")
    with pytest.raises(ContentErrors) as caught:
        translated.build()
    assert [str(e) for e in caught.value.errors] == [
        "content/stories/2026/zweite.en.md:2: Feld „translation_of“: Die Meldung „3f9c2e17b4da“ hat schon eine "
        "Übersetzung in English: content/stories/2026/radwege.en.md. Je Sprache gibt es eine."]


def test_adding_and_removing_a_translation_ends_like_a_cold_build(translated, tmp_path):
    translated.build()
    translated.write("stories/2026/theater.en.md", translation("aa0000000002", "Theatre in the Hofgarten"))
    translated.commit("Übersetzt", "2026-11-22 09:00")
    report = translated.build()
    theater = "aktuelles/2026/11/theater-im-hofgarten/index.html"
    assert theater in report.written and "en/index.html" in report.written
    assert GERMAN not in report.written and "index.html" not in report.written
    assert 'hreflang="en"' in translated.page(theater)
    assert_same_as_cold_build(translated, tmp_path)

    (translated.content / "stories/2026/radwege.en.md").unlink()
    translated.commit("Übersetzung entfernt", "2026-11-23 09:00")
    report = translated.build()
    assert GERMAN in report.written and ENGLISH in report.pruned
    assert "hreflang" not in translated.page(GERMAN).split("</head>")[0].replace('hreflang="en" lang="en"', "")
    shutil.rmtree(tmp_path / "cold")
    assert_same_as_cold_build(translated, tmp_path)

    again = translated.build()
    assert again.written == [] and again.rendered == []
    assert bytes_of(translated.output)


def test_editing_a_translation_or_its_original_ends_like_a_cold_build(translated, tmp_path):
    translated.build()
    translated.write("stories/2026/radwege.en.md", translation(title="Cycle lanes on the Rhine"))
    translated.commit("Titel", "2026-11-22 09:00")
    report = translated.build()
    moved = "en/news/2026/11/cycle-lanes-on-the-rhine/index.html"
    assert {GERMAN, moved, "en/index.html", "en/feeds/news/atom.xml"} <= set(report.written)
    assert ENGLISH in report.pruned
    assert_same_as_cold_build(translated, tmp_path)
    # The original moves to December: both addresses change, and both pages name the new ones.
    translated.story(id="3f9c2e17b4da", title="Neue Radwege am Rheinufer", date="2026-12-01 10:00",
                     image="fotos/rhein.jpg")
    translated.commit("Datum", "2026-11-22 10:00")
    translated.build(BUILD_NOW="2026-12-02 12:00")
    assert "/en/news/2026/12/cycle-lanes-on-the-rhine/" in translated.page(
        "aktuelles/2026/12/neue-radwege-am-rheinufer/index.html")
    shutil.rmtree(tmp_path / "cold")
    cold = tmp_path / "cold"
    translated.build(OUTPUT_PATH=str(cold), CACHE_PATH=str(tmp_path / "cold-cache-2"), BUILD_NOW="2026-12-02 12:00")
    assert bytes_of(translated.output) == bytes_of(cold)


def test_a_text_without_translation_in_a_catalogue_is_an_error_naming_the_po_file_and_line(site, tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(REPO / "theme", theme)
    catalogue = theme / "translations/en/LC_MESSAGES/messages.po"
    text = catalogue.read_text(encoding="utf-8")
    text = text.replace('msgid "Skip to content"', 'msgid "Skip to content"')  # the msgid is German:
    marker = 'msgid "Zum Inhalt springen"\nmsgstr "Skip to content"'
    assert marker in text
    catalogue.write_text(text.replace(marker, 'msgid "Zum Inhalt springen"\nmsgstr ""'), encoding="utf-8")
    line = text.split(marker)[0].count("\n") + 1
    assert [str(e) for e in check_catalogues(theme, ("de", "en"))] == [
        f"theme/translations/en/LC_MESSAGES/messages.po:{line}: Der Text „Zum Inhalt springen“ hat keine "
        "Übersetzung (msgstr)."]
    site.story(id="3f9c2e17b4da", title="Neue Radwege am Rheinufer", date="2026-11-20 10:00")
    site.commit("Meldung", "2026-11-20 09:00")
    with pytest.raises(ContentErrors) as caught:
        site.check(THEME=str(theme))
    assert f"theme/translations/en/LC_MESSAGES/messages.po:{line}" in str(caught.value)


def test_the_shipped_catalogues_cover_every_text_of_the_translated_templates():
    assert check_catalogues(REPO / "theme", ("de", "en")) == []


def test_the_english_search_page_names_the_german_one_and_speaks_english(translated):
    translated.build()
    english, german = translated.page("en/search/index.html"), translated.page("suche/index.html")
    assert english.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert german.startswith('<!DOCTYPE html>\n<html lang="de">')
    for page in (english, german):
        assert '<link rel="alternate" hreflang="de" href="http://localhost:8000/suche/">' in page
        assert '<link rel="alternate" hreflang="en" href="http://localhost:8000/en/search/">' in page
        assert '<link rel="alternate" hreflang="x-default" href="http://localhost:8000/suche/">' in page
    assert '<a href="/en/search/" hreflang="en" lang="en">English</a>' in german
    assert '<a href="/suche/" hreflang="de" lang="de">Deutsch</a>' in english
    assert "<title>Search – City of Düsseldorf</title>" in english and "<h1>Search</h1>" in english
    for text in ('<label for="suche-begriff">Search term</label>', '<button type="submit">Search</button>',
                 "<legend>Filter and sort</legend>", '<label for="suche-thema">Topic</label>',
                 '<option value="">All years</option>', '<option value="">Newest first</option>',
                 '"other": "{count} results"', '"values": "de"', 'aria-label="Results"'):
        assert text in english, text
    # The press releases are German only: no filter of theirs, no German left in the page's own texts.
    assert 'id="suche-pm"' not in english and 'id="suche-pm"' in german
    assert not any(word in english for word in ("Suchbegriff", "Treffer", "Sortierung", "Neueste", "Eingrenzen"))
    assert '<label for="suche-begriff">Suchbegriff</label>' in german and '"other": "{count} Treffer"' in german
    assert 'title="Alle Meldungen (RSS)"' not in english  # the German feeds stay on the German pages
    # The menu of an English page leads to the English search page, named in English.
    assert '<li><a href="/en/search/">Search</a></li>' in translated.page(ENGLISH)
    assert '<li><a href="/en/search/" aria-current="page">Search</a></li>' in english
    assert '<li><a href="/suche/" aria-current="page">Suche</a></li>' in german
    # Not redrawn when nothing changed.
    again = translated.build()
    assert "en/search/index.html" not in again.rendered and "suche/index.html" not in again.rendered


def test_a_translated_story_is_indexed_in_its_own_language(translated):
    from newsroom.search.index import index_site

    translated.build()
    english = translated.page(ENGLISH)
    assert 'data-pagefind-body data-pagefind-sort="datum:2026-11-20T10:00"' in english
    assert '<span data-pagefind-filter="thema:Verkehr"></span>' in english
    index_site(translated.output)
    teile = json.loads((translated.output / "pagefind/teile.json").read_text(encoding="utf-8"))["teile"]
    assert [(t["name"], t["sprachen"]) for t in teile] == [("2026", ["de", "en"]), ("seiten", ["de"])]
    entry = json.loads((translated.output / "pagefind/2026/pagefind-entry.json").read_text(encoding="utf-8"))
    assert {lang: index["page_count"] for lang, index in entry["languages"].items()} == {"de": 2, "en": 1}
