"""The house templates (theme/templates/channels/): each channel's default text for the demo stories,
its hashtags counted the platform's way, fitted to its limit; and `invoke check` refusing a text over
a channel's limit with the story, the channel and the count."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from newsroom.content.markup import BodyRenderer
from newsroom.content.reader import StoryVocabulary, read_story
from newsroom.errors import ConfigurationError, ContentErrors
from newsroom.languages.translation import language_of
from newsroom.publishing.channel import Channel, Release
from newsroom.publishing.text import count_hashtags
from newsroom.settings import problems, with_defaults
from newsroom.site import SiteUrls
from tests.social.support import URL, adapter, release, settings
from tests.support import REPO

SOCIAL = ("facebook", "instagram", "x", "mastodon", "bluesky", "youtube", "threads", "linkedin", "telegram",
          "whatsapp")


# A channel without a house template of its own.
class Unknown(Channel):
    name, label = "rundfunk", "Rundfunk"


def other(cls, **overrides) -> Channel:
    values = settings(**overrides)
    return cls(values, SiteUrls.from_settings(values), environ={})


def demo_releases() -> list[Release]:
    """Every published demo story as channels see it, without the editors' own texts."""
    values = settings()
    vocabulary, renderer, urls = StoryVocabulary.from_settings(values), BodyRenderer(), SiteUrls.from_settings(values)
    found = []
    for path in sorted((REPO / "content/stories").rglob("*.md")):
        if language_of(path.name):
            continue  # a translation: its channel texts are not the German story's (nothing is sent from it)
        source = path.relative_to(REPO).as_posix()
        story = read_story(path.read_bytes(), source, vocabulary, renderer)
        if story.status != "published":
            continue
        url = values["STORY_URL"].format(date=story.date, slug=story.slug)
        story = replace(story.placed(source, url), channels=())
        found.append(Release(story, urls.absolute(url), story.body_html))
    return found


DEMO = demo_releases()


def test_the_demo_stories_are_there():
    assert len(DEMO) >= 30 and {r.story.category for r in DEMO} >= {"Verkehr", "Veranstaltungen", "Umwelt & Klima"}


@pytest.mark.parametrize("name", SOCIAL)
def test_every_channels_default_text_for_every_demo_story_fits_and_carries_its_hashtags(name):
    channel = adapter(name)
    limit = channel.text_limit()
    for item in DEMO:
        text = channel.template_text(item)
        where = f"{name}, {item.story.source}"
        assert item.story.title in text or name == "youtube", where
        if limit is not None:
            assert channel.count(text) <= limit.maximum, where
        tags = count_hashtags(text)
        if name == "whatsapp":  # WhatsApp finds nothing by hashtags: the template leaves them out
            assert tags == 0, where
        else:
            assert text.split("\n")[-1].startswith("#Düsseldorf"), where
            assert 1 <= tags <= {"threads": 1, "instagram": 30}.get(name, 5), where
        if name == "instagram":
            assert "http" not in text and "Link in unserem Profil" in text, where
        else:
            assert item.url in text, where


def test_each_channel_has_its_own_version_of_a_demo_story():
    [tram] = [r for r in DEMO if r.story.id == "40aef069036e"]  # Straßenbahn über die Königsallee
    url = "https://www.duesseldorf.de/aktuelles/2026/12/strassenbahn-ueber-die-koenigsallee/"
    assert tram.url == url
    title, summary = tram.story.title, tram.story.summary
    lead = ("Kehrt die Straßenbahn auf die Königsallee zurück? Eine Machbarkeitsstudie im Auftrag der "
            "Landeshauptstadt Düsseldorf kommt zu dem Ergebnis, dass eine Straßenbahnstrecke über die Kö technisch "
            "möglich ist und die Innenstadt spürbar besser an das Netz anbinden würde. Die Stadt hat die Ergebnisse "
            "am Donnerstag, 3. Dezember 2026, im Ordnungs- und Verkehrsausschuss vorgestellt.")
    tags = "#Düsseldorf #Mobilität #Straßenbahn #Königsallee #Rheinbahn #Bürgerbeteiligung"
    texts = {name: adapter(name).template_text(tram) for name in SOCIAL}
    assert texts == {
        "facebook": f"{title}\n\n{summary}\n\n{lead}\n\nAlle Einzelheiten lesen Sie auf unserer Website: {url}"
                    "\n\n#Düsseldorf #Mobilität #Straßenbahn",
        "instagram": f"{title}\n\n{summary}\n\n{lead}\n\nAlle Informationen finden Sie über den Link in unserem "
                     f"Profil.\n\n{tags}",
        # X: 280 weighted, the link 23: the Thema's hashtag goes, the summary and #Düsseldorf stay.
        "x": f"{title}\n\n{summary}\n\n{url}\n\n#Düsseldorf",
        "mastodon": f"{title}\n\n{summary}\n\n{url}\n\n#Düsseldorf #Mobilität #Straßenbahn #Königsallee",
        # Bluesky: 300, the link counts in full: not even #Düsseldorf fits beside the summary, so it goes.
        "bluesky": f"{title}\n\n{url}\n\n#Düsseldorf #Mobilität",
        "youtube": f"{summary}\n\n{lead}\n\nMehr zum Thema lesen Sie hier: {url}\n\nLandeshauptstadt Düsseldorf · "
                   "Amt für Verkehrsmanagement\n\n#Düsseldorf #Mobilität #Straßenbahn",
        "threads": f"{title}\n\n{summary}\n\nMehr dazu: {url}\n\n#Düsseldorf",
        "linkedin": f"{title}\n\n{summary}\n\n{lead}\n\nThema: Verkehr · Amt für Verkehrsmanagement\n\n"
                    f"Mehr erfahren: {url}\n\n#Düsseldorf #Mobilität #Straßenbahn #Königsallee #Rheinbahn",
        "telegram": f"{title}\n\n{summary}\n\nMehr lesen: {url}\n\n#Düsseldorf #Mobilität #Straßenbahn",
        "whatsapp": f"*{title}*\n\n{summary}\n\nMehr lesen: {url}",
    }
    assert len(set(texts.values())) == len(texts)


def test_hashtags_are_the_citys_the_themas_and_the_tags_each_once_whatever_its_case():
    channel = adapter("mastodon")
    item = release(tags=("düsseldorf", "MOBILITÄT", "Radverkehr", "radverkehr", "Tag der offenen Tür"))
    assert channel.hashtags(item.story) == ["#Düsseldorf", "#Mobilität", "#Radverkehr", "#TagDerOffenenTür"]
    assert adapter("mastodon", SOCIAL_HASHTAGS=["Düsseldorf", "NRW"],
                   SOCIAL_THEMA_HASHTAGS={"Verkehr": ["Verkehrswende"]}).hashtags(item.story) == [
        "#Düsseldorf", "#NRW", "#Verkehrswende", "#MOBILITÄT", "#Radverkehr", "#TagDerOffenenTür"]
    assert adapter("mastodon", SOCIAL_HASHTAGS=[], SOCIAL_THEMA_HASHTAGS={}).hashtags(release(tags=()).story) == []
    assert adapter("threads").hashtags(item.story) == ["#Düsseldorf"]  # Threads: one topic tag
    assert len(adapter("instagram").hashtags(release(tags=tuple(f"T{n}" for n in range(40))).story)) == 30


def test_too_many_hashtags_in_an_own_text_are_counted_the_platforms_way():
    threads = adapter("threads")
    assert threads.hashtag_problem("Radwege am Rhein #Düsseldorf #Radverkehr, Kanal#3 und # allein") == (
        "Threads: Der Text hat 2 Hashtags, erlaubt sind 1. Bitte Schlagworte (tags) oder Hashtags unter "
        "channels.threads.text streichen.")
    assert threads.hashtag_problem("Radwege am Rhein #Düsseldorf") is None
    assert adapter("mastodon").hashtag_problem(" ".join(f"#T{n}" for n in range(99))) is None  # no limit


def test_an_own_text_wins_and_gets_the_link_where_the_channel_shows_links():
    own = "Radfahren am Rhein wird schöner!"
    assert adapter("mastodon").template_text(release(own={"mastodon": own})) == f"{own}\n\n{URL}"
    assert adapter("x").template_text(release(own={"x": f"{own} {URL}"})) == f"{own} {URL}"
    assert adapter("instagram").template_text(release(own={"instagram": f"  {own}\n"})) == own  # no link


def test_a_channel_without_template_of_its_own_takes_default_txt():
    assert other(Unknown).template_text(release()) == (
        "Neue Radwege am Rheinufer\n\nDie Stadt baut zwei Kilometer Radweg entlang des Rheinufers.\n\n"
        f"{URL}\n\n#Düsseldorf #Mobilität #Radverkehr #Rheinufer")


def office_theme(tmp_path: Path, **templates: str) -> str:
    """A theme whose channels/ folder holds `templates` (name → text) besides default.txt."""
    folder = tmp_path / "theme" / "templates" / "channels"
    folder.mkdir(parents=True)
    (folder / "default.txt").write_text((REPO / "theme/templates/channels/default.txt").read_text("utf-8"), "utf-8")
    for name, text in templates.items():
        (folder / f"{name}.txt").write_text(text, "utf-8")
    return str(tmp_path / "theme")


def test_the_office_edits_a_template_and_the_fitting_still_holds(tmp_path):
    theme = office_theme(tmp_path, mastodon="Neu: {{ title }}\n{% if summary %}\n\n{{ summary }}\n{% endif %}\n\n"
                                            "👉 {{ url }}\n\n{{ hashtags|join(' ') }}\n")
    channel = adapter("mastodon", THEME=theme, MASTODON_MAX_CHARACTERS=104)
    # The link counts 23: with the summary and #Düsseldorf alone 132; without it, every hashtag fits in 104.
    assert channel.template_text(release()) == (f"Neu: Neue Radwege am Rheinufer\n\n👉 {URL}\n\n"
                                                "#Düsseldorf #Mobilität #Radverkehr #Rheinufer")
    assert adapter("mastodon", THEME=theme).template_text(release()).startswith(
        "Neu: Neue Radwege am Rheinufer\n\nDie Stadt baut")


@pytest.mark.parametrize("text, message", [
    ("{{ title }\n", "Hausvorlage channels/x.txt: Zeile 1: "),
    ("{{ titel }}\n{{ url }}", "Hausvorlage channels/x.txt: Den Wert „titel“ gibt es nicht; die Werte stehen in "
                              "channels/default.txt."),
    ("{{ title }}\n\nLink im Profil.", "Hausvorlage channels/x.txt: Der Text für X braucht den Link zur Meldung "
                                       "({{ url }})."),
], ids=["syntax", "unknown-value", "no-link"])
def test_a_broken_template_stops_with_its_name(tmp_path, text, message):
    channel = adapter("x", THEME=office_theme(tmp_path, x=text))
    with pytest.raises(ConfigurationError) as caught:
        channel.template_text(release())
    assert str(caught.value).startswith(message)


def test_a_thema_hashtag_table_naming_an_unknown_thema_is_a_settings_problem():
    values = {**with_defaults(), "SOCIAL_THEMA_HASHTAGS": {"Verkehr": ["Mobilität"], "Verkher": ["Tippfehler"]}}
    assert problems(values, given={"SOCIAL_THEMA_HASHTAGS"}) == [
        "SOCIAL_THEMA_HASHTAGS: Das Thema „Verkher“ steht nicht in THEMEN."]
    # A city with Themen of its own need not empty the default table: only a table it sets is held to them.
    assert problems({**with_defaults(), "THEMEN": ["Verkehr"]}, given={"THEMEN"}) == []


# -- invoke check: every channel's text within its limit, the template's too ---------------------------------

TOO_LONG = [
    ("facebook", {"FACEBOOK_MAX_CHARACTERS": 60},
     "Facebook: Der Text hat 142 Zeichen, erlaubt sind 60. Bitte unter channels.facebook.text kürzen."),
    ("instagram", {"INSTAGRAM_CAPTION_MAX": 60},
     "Instagram: Die Bildunterschrift hat 89 Zeichen, erlaubt sind 60. Bitte unter channels.instagram.text "
     "kürzen."),
    ("x", {"X_MAX_WEIGHTED_LENGTH": 40},
     "X: Der Text zählt 50 gewichtete Zeichen, erlaubt sind 40 (jeder Link zählt 23, Emoji sowie chinesische, "
     "japanische und koreanische Schriftzeichen zählen doppelt). Bitte unter channels.x.text kürzen."),
    ("mastodon", {"MASTODON_MAX_CHARACTERS": 40},
     "Mastodon: Der Text hat 50 Zeichen (Links zählen 23), erlaubt sind 40. Bitte unter channels.mastodon.text "
     "kürzen."),
    ("bluesky", {"BLUESKY_MAX_GRAPHEMES": 60},
     "Bluesky: Der Text hat 93 Zeichen, erlaubt sind 60 (gezählt wie Bluesky: jedes sichtbare Zeichen einmal, "
     "auch ein zusammengesetztes Emoji; Links zählen voll). Bitte unter channels.bluesky.text kürzen."),
    ("youtube", {"YOUTUBE_DESCRIPTION_MAX_BYTES": 60},
     "YouTube: Die Beschreibung hat 158 Bytes (UTF-8: Umlaute zählen 2, Emoji 4), erlaubt sind 60. Bitte unter "
     "channels.youtube.text kürzen."),
]


@pytest.mark.parametrize("name, limit, message", TOO_LONG, ids=[case[0] for case in TOO_LONG])
def test_invoke_check_refuses_a_house_text_over_the_limit_naming_story_channel_and_count(site, name, limit,
                                                                                         message):
    site.story(channels=f"\n  {name}: true", image="fotos/rhein.jpg")
    with pytest.raises(ContentErrors) as caught:
        site.check(**limit)
    found = [str(e) for e in caught.value.errors if "Zeichen" in str(e) or "Bytes" in str(e)]
    assert found == [f"content/stories/2026/radwege.md: Feld „channels.{name}“: {message}"]


def test_invoke_check_passes_every_house_text_within_the_limits(site):
    site.story(channels="\n  facebook: true\n  x: true\n  mastodon: true\n  bluesky: true\n  instagram: true",
               image="fotos/rhein.jpg")
    assert site.check().stats["stories"] == 1


def test_invoke_check_stops_at_a_broken_house_template_naming_file_and_line(site, tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(REPO / "theme", theme)
    (theme / "templates/channels/x.txt").write_text("{{ title }}\n\n{{ summary }\n", "utf-8")
    site.story(channels="\n  x: true")
    with pytest.raises(ConfigurationError) as caught:
        site.check(THEME=str(theme))
    assert str(caught.value) == "Hausvorlage channels/x.txt: Zeile 3: unexpected '}'"
