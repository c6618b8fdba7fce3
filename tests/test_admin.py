"""The admin in the built site: Decap's bundle from npm, our page, a config.yml that knows every field."""

from __future__ import annotations

import re

import pytest
import yaml

from newsroom.content.page import PAGE_FIELDS
from newsroom.content.reader import STORY_FIELDS
from newsroom.errors import ConfigurationError
from newsroom.media.library import SIDECAR_FIELDS
from plugins.admin.admin import DIST, PAGE_FILES, VENDOR_SCRIPTS, bundle_files
from plugins.admin.config import FILE_KEY, SIDECAR_FORMAT
from tests.support import GITLAB_APP_ID, REPO, Site, snapshot

FOREIGN = re.compile(r"(fonts\.googleapis|fonts\.gstatic|unpkg\.com|jsdelivr|cdnjs|cloudflare|googletagmanager)")


def collections(site: Site) -> dict[str, dict]:
    config = yaml.safe_load(site.page("admin/config.yml"))
    return config, {c["name"]: c for c in config["collections"]}


def field_names(collection: dict) -> set[str]:
    return {f["name"] for f in collection["fields"]} - {"body"}


def test_the_site_serves_the_admin_with_every_field_of_the_schema(site: Site):
    site.story()
    site.build()
    assert bundle_files(), "cms/node_modules fehlt: make build installiert Decap CMS (npm ci)"
    for name in ("index.html", "decap-cms.js", "newsroom-admin.js", "config.yml", "decap-cms.js.LICENSE.txt",
                 "js-yaml.min.js"):
        assert (site.output / "admin" / name).is_file(), name
    assert not list((site.output / "admin").glob("*.map"))  # no 25 MB source maps on the live site
    config, by_name = collections(site)
    assert config["locale"] == "de" and config["publish_mode"] == "editorial_workflow"
    assert field_names(by_name["stories"]) == STORY_FIELDS
    assert field_names(by_name["pages"]) == PAGE_FIELDS
    media = [c for name, c in by_name.items() if name.startswith("media_")]
    assert set().union(*(field_names(c) for c in media)) - {FILE_KEY} == SIDECAR_FIELDS
    generic = [f["name"] for c in media for f in c["fields"] if f.get("label") == f["name"]]
    assert not generic, f"media fields without a proper widget in plugins/admin/config.py: {generic}"
    fields = {f["name"]: f for f in by_name["stories"]["fields"]}
    from newsroom.build.runner import load_settings

    settings = load_settings(REPO / "pelicanconf.py")
    assert fields["category"]["options"] == settings["THEMEN"] and fields["department"]["options"] == settings["AEMTER"]
    assert [o["value"] for o in fields["districts"]["options"]] == list(settings["STADTBEZIRKE"])
    assert [f["name"] for f in fields["channels"]["fields"]] == settings["CHANNELS"]
    assert {f["widget"] for f in fields["channels"]["fields"]} == {"channel"}
    assert by_name["stories"]["folder"] == "content/stories"
    assert config["media_folder"] == "content/media/fotos" and config["public_folder"] == "fotos"
    assert config["backend"]["commit_messages"]["create"].startswith("Neue ")


def test_the_admin_loads_nothing_from_elsewhere(site: Site):
    site.build()
    for path in PAGE_FILES.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(src|href)=\"(https?:)?//", text), path.name
    for path in bundle_files():
        if path.suffix == ".js":
            assert not FOREIGN.search(path.read_text(encoding="utf-8", errors="replace")), path.name
    assert (DIST / "decap-cms.js").is_file() and all(p in bundle_files() for p in VENDOR_SCRIPTS)


def test_an_empty_admin_path_leaves_the_admin_out(site: Site):
    site.build(ADMIN_PATH="")
    assert not (site.output / "admin").exists()


def test_local_backend_address_and_build_without_change_write_nothing(site: Site):
    site.build(ADMIN_LOCAL_BACKEND_URL="http://localhost:9999/api/v1")
    config, _ = collections(site)
    assert config["local_backend"] == {"url": "http://localhost:9999/api/v1"}
    again = site.build(ADMIN_LOCAL_BACKEND_URL="http://localhost:9999/api/v1")
    assert again.written == []


def test_each_media_folder_takes_new_files_with_the_description_the_build_demands(site: Site):
    site.build()
    config, by_name = collections(site)
    assert [name for name in by_name if name.startswith("media_")] == [
        "media_fotos", "media_videos", "media_videos_youtube", "media_dokumente"]
    photos = by_name["media_fotos"]
    assert photos["folder"] == "content/media/fotos" and photos["create"] is True and photos["delete"] is False
    assert photos["format"] == SIDECAR_FORMAT and photos["extension"] == "yml"
    # The description is named after its file: rheinufer.jpg → rheinufer.jpg.yml, beside it.
    assert photos["slug"] == "{{fields.datei.name}}.{{fields.datei.endung}}" and photos["identifier_field"] == FILE_KEY
    assert photos["media_folder"] == "/content/media/fotos" and photos["public_folder"] == ""
    fields = {f["name"]: f for f in photos["fields"]}
    assert fields[FILE_KEY]["widget"] == "mediafile" and fields[FILE_KEY]["file_widget"] == "image"
    assert ".jpg" in fields[FILE_KEY]["accept"] and ".mp4" not in fields[FILE_KEY]["accept"]
    assert {name for name, f in fields.items() if f.get("required", True)} == {FILE_KEY, "alt", "credit"}

    videos = {f["name"]: f for f in by_name["media_videos"]["fields"]}
    assert {name for name, f in videos.items() if f.get("required", True)} == {FILE_KEY, "credit", "captions"}
    assert videos["captions"]["public_folder"] == "videos"  # stored as videos/clip.vtt, below content/media
    assert by_name["media_videos"]["filter"] == {"field": "art", "value": "datei"}
    clips = by_name["media_videos_youtube"]
    assert clips["slug"] == "{{fields.datei}}.youtube" and clips["filter"]["value"] == "youtube"
    assert {f["name"] for f in clips["fields"] if f.get("required", True)} == {FILE_KEY, "youtube", "poster",
                                                                                 "credit"}
    documents = {f["name"]: f for f in by_name["media_dokumente"]["fields"]}
    assert documents[FILE_KEY]["accept"] == [".pdf"] and documents[FILE_KEY]["file_widget"] == "file"
    # Story images still upload to fotos/ and are referred to as fotos/name.jpg.
    assert config["media_folder"] == "content/media/fotos" and config["public_folder"] == "fotos"


def test_each_channel_offers_an_own_text_counted_against_its_adapters_limit(site: Site):
    site.build(MASTODON_MAX_CHARACTERS=480)
    _config, by_name = collections(site)
    story = {f["name"]: f for f in by_name["stories"]["fields"]}
    channels = {f["name"]: f for f in story["channels"]["fields"]}
    assert channels["mastodon"]["limit"] == {"maximum": 480, "unit": "characters", "url_length": 23, "thread": 5}
    assert channels["bluesky"]["limit"] == {"maximum": 300, "unit": "graphemes", "url_length": None, "thread": 5}
    assert channels["x"]["limit"] == {"maximum": 280, "unit": "weighted", "url_length": 23}
    assert channels["youtube"]["limit"]["unit"] == "bytes"
    assert "limit" not in channels["press"]  # the press release's note has no limit of its own
    assert channels["press"]["text_label"] == "Hinweis für die Redaktionen"
    assert channels["mastodon"]["label"] == "Mastodon" and channels["mastodon"]["text_max"] == 5000
    assert channels["mastodon"]["story_url"] == "http://localhost:8000/aktuelles/{year}/{month}/{slug}/"
    assert channels["instagram"]["story_url"] is None  # no link is appended to a caption: "Link im Profil"
    assert channels["instagram_story"]["no_text"] is True and "limit" not in channels["instagram_story"]
    assert "ohne Text" in channels["instagram_story"]["text_note"]  # a Story: the switch alone
    assert not any(channels[name].get("no_text") for name in channels if name != "instagram_story")
    assert "Git" not in story["channels"]["hint"] and "eigener Text" in story["channels"]["hint"]


def _production_build(site: Site, **backend):
    from newsroom.build.runner import build
    from pelicanconf import ADMIN_BACKEND

    backend = {**ADMIN_BACKEND, "app_id": GITLAB_APP_ID, **backend}
    return build(REPO / "publishconf.py", site.overrides(ADMIN_BACKEND=backend))


@pytest.mark.parametrize(("backend", "named"), [
    ({"app_id": None}, ["„app_id“"]),
    ({"app_id": " ", "base_url": None}, ["„app_id“", "„base_url“"]),
    ({"app_id": GITLAB_APP_ID, "base_url": ""}, ["„base_url“"]),
])
def test_a_production_build_without_the_gitlab_sign_in_stops_and_keeps_the_last_site(site: Site, backend, named):
    site.story()
    _production_build(site)
    live = snapshot(site.output)
    site.story("2026/neu.md", id="b2c3d4e5f6a7", title="Neue Bänke")
    with pytest.raises(ConfigurationError) as refused:
        _production_build(site, **backend)
    message = str(refused.value)
    assert message.startswith("ADMIN_BACKEND: Für die Anmeldung in der Redaktionsoberfläche der Live-Seite fehlt ")
    assert all(name in message for name in named) and "README" in message
    assert snapshot(site.output) == live
    site.build(ADMIN_BACKEND={"name": "gitlab", "app_id": None, "branch": "main"})  # the preview needs no sign-in


def test_a_production_build_with_the_gitlab_sign_in_builds_the_admin_for_it(site: Site):
    site.story()
    with pytest.raises(ConfigurationError, match="base_url „http://gitlab.example“ muss mit https:// beginnen"):
        _production_build(site, base_url="http://gitlab.example")
    _production_build(site)
    config = yaml.safe_load(site.page("admin/config.yml"))
    assert config["backend"]["app_id"] == GITLAB_APP_ID
    assert config["backend"]["base_url"] == "https://gitlab.duesseldorf.de"


def test_the_crisis_message_is_one_file_with_every_field_the_reader_takes(tmp_path):
    from newsroom.build.runner import load_settings
    from newsroom.crisis.reader import CRISIS_FIELDS, UPDATE_FIELDS
    from newsroom.errors import AccessRefused
    from newsroom.servers.decap_guard import AdminScope
    from plugins.admin.config import cms_config

    settings = load_settings(REPO / "pelicanconf.py")
    by_name = {c["name"]: c for c in cms_config(settings)["collections"]}
    crisis = by_name["krise"]["files"]
    assert [entry["file"] for entry in crisis] == ["content/krise.yml"]
    fields = {f["name"]: f for f in crisis[0]["fields"]}
    assert set(fields) == CRISIS_FIELDS - {"urgent"}  # the reason of an urgent approval is not in the file
    assert {f["name"] for f in fields["updates"]["fields"]} == UPDATE_FIELDS
    assert fields["level"]["options"] == ["Information", "Warnung", "Gefahr"]
    scope = AdminScope.from_settings(settings, tmp_path)
    scope.file("content/krise.yml")  # the admin may read and write it, and nothing else beside the folders
    for path in ("content/krise2.yml", "content/krise.yml/x", "pelicanconf.py"):
        with pytest.raises(AccessRefused):
            scope.file(path)


def test_translations_have_a_collection_per_language_with_exactly_the_fields_the_reader_takes():
    from newsroom.build.runner import load_settings
    from newsroom.languages.translation import FIELDS, FILE_NAME
    from plugins.admin.config import cms_config

    settings = load_settings(REPO / "pelicanconf.py", {"LANGUAGES": {"de": "Deutsch", "en": "English",
                                                                     "tr": "Türkçe"}})
    collections = cms_config(settings)["collections"]
    names = [c["name"] for c in collections]
    assert names[:3] == ["stories", "translations_en", "translations_tr"]  # none for German, the originals
    by_name = {c["name"]: c for c in collections}
    english = by_name["translations_en"]
    assert english["label"] == "Übersetzungen (English)" and by_name["translations_tr"]["extension"] == "tr.md"
    assert field_names(english) == FIELDS
    # New files beside the stories, named …/<Jahr>/<Jahr>-<Monat>-<Tag>-<slug>.en.md: a name the reader takes.
    assert english["folder"] == by_name["stories"]["folder"] and english["extension"] == "en.md"
    example = english["path"].replace("{{year}}", "2026").replace("{{month}}", "05").replace(
        "{{day}}", "07").replace("{{slug}}", "japan-day") + "." + english["extension"]
    assert example == "2026/2026-05-07-japan-day.en.md" and FILE_NAME.search(example).group(1) == "en"
    fields = {f["name"]: f for f in english["fields"]}
    assert fields["translation_of"]["widget"] == "relation" and fields["translation_of"]["collection"] == "stories"
    assert fields["translation_of"]["value_field"] == "id" and "multiple" not in fields["translation_of"]
    assert [o["value"] for o in fields["status"]["options"]] == ["draft", "published"]
    assert {name for name, f in fields.items() if f.get("required", True)} == {"translation_of", "title", "summary",
                                                                                "status", "body"}
    channels = {f["name"] for f in fields["channels"]["fields"]}
    assert "mastodon" in channels and not channels & {"press", "buerger", "youtube", "instagram_story"}
    assert by_name["stories"]["extension"] == "md"  # translation files are left out by newsroom-admin.js
