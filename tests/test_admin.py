"""The admin in the built site: Decap's bundle from npm, our page, a config.yml that knows every field."""

from __future__ import annotations

import re

import yaml

from newsroom.media import SIDECAR_FIELDS
from newsroom.reader import STORY_FIELDS
from plugins.admin.admin import DIST, PAGE_FILES, bundle_files
from plugins.static_pages.static_pages import PAGE_FIELDS
from tests.support import Site

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
    for name in ("index.html", "decap-cms.js", "newsroom-admin.js", "config.yml", "decap-cms.js.LICENSE.txt"):
        assert (site.output / "admin" / name).is_file(), name
    assert not list((site.output / "admin").glob("*.map"))  # no 25 MB source maps on the live site
    config, by_name = collections(site)
    assert config["locale"] == "de" and config["publish_mode"] == "editorial_workflow"
    assert field_names(by_name["stories"]) == STORY_FIELDS
    assert field_names(by_name["pages"]) == PAGE_FIELDS
    assert field_names(by_name["media"]) == SIDECAR_FIELDS
    generic = [f["name"] for f in by_name["media"]["fields"] if f.get("label") == f["name"]]
    assert not generic, f"media fields without a proper widget in plugins/admin/config.py: {generic}"
    fields = {f["name"]: f for f in by_name["stories"]["fields"]}
    from pelicanconf import AEMTER, CHANNELS, STADTBEZIRKE, THEMEN

    assert fields["category"]["options"] == THEMEN and fields["department"]["options"] == AEMTER
    assert [o["value"] for o in fields["districts"]["options"]] == list(STADTBEZIRKE)
    assert [f["name"] for f in fields["channels"]["fields"]] == CHANNELS
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
    assert (DIST / "decap-cms.js").is_file()


def test_an_empty_admin_path_leaves_the_admin_out(site: Site):
    site.build(ADMIN_PATH="")
    assert not (site.output / "admin").exists()


def test_local_backend_address_and_build_without_change_write_nothing(site: Site):
    site.build(ADMIN_LOCAL_BACKEND_URL="http://localhost:9999/api/v1")
    config, _ = collections(site)
    assert config["local_backend"] == {"url": "http://localhost:9999/api/v1"}
    again = site.build(ADMIN_LOCAL_BACKEND_URL="http://localhost:9999/api/v1")
    assert again.written == []
