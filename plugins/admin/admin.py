"""admin: the browser admin (Decap CMS) at /admin/, served by our own site.

Decap's prebuilt bundle comes from the npm registry (cms/package.json, installed by `make`
with `npm ci`) and is copied into the site with our page, our widget and a config.yml made
from the settings (config.py). No CDN: the admin loads nothing from elsewhere.
Without cms/node_modules the site is built without the admin and a warning says why.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path

import yaml
from pelican import signals
from pelican.generators import Generator

from newsroom.deploy.headers import admin_policy
from newsroom.site import SiteUrls

from .config import check_live_backend, cms_config

logger = logging.getLogger("newsroom.admin")

CMS_ROOT = Path(__file__).resolve().parents[2] / "cms"
PAGE_FILES = CMS_ROOT / "admin"  # our index.html and widget script
DIST = CMS_ROOT / "node_modules" / "decap-cms" / "dist"
# Other packages' browser builds our page loads: js-yaml reads and writes the media descriptions.
# The site's stylesheet, which the preview pane uses too (newsroom-admin.js: registerPreviewStyle).
SITE_CSS = "theme/css/site.css"
VENDOR_SCRIPTS = (CMS_ROOT / "node_modules" / "js-yaml" / "dist" / "js-yaml.min.js",)


def bundle_files(dist: Path = DIST) -> list[Path]:
    """The main bundle, its lazily loaded chunks and WebAssembly, its licence notice (no source maps)
    and the vendor scripts; empty when any is missing (cms/node_modules not installed or outdated)."""
    if not (dist / "decap-cms.js").is_file() or not all(p.is_file() for p in VENDOR_SCRIPTS):
        return []
    chunks = sorted(p for p in dist.iterdir() if p.name.endswith(".decap-cms.js") or p.suffix == ".wasm")
    return [dist / "decap-cms.js", dist / "decap-cms.js.LICENSE.txt", *chunks, *VENDOR_SCRIPTS]


class AdminGenerator(Generator):
    def generate_context(self) -> None:
        pass

    def generate_output(self, writer) -> None:
        folder = self.settings["ADMIN_PATH"].strip("/")
        if not folder:
            return
        check_live_backend(self.settings)
        files = bundle_files()
        if not files:
            logger.warning("admin: Decap CMS fehlt (cms/node_modules); die Seite wird ohne /%s/ gebaut. "
                           "Einrichten mit: make build", folder)
            return
        for path in files:
            writer.copy(f"{folder}/{path.name}", path, owner="Redaktionsoberfläche")
        for path in sorted(PAGE_FILES.iterdir()):
            if path.name == "index.html":  # the admin's own policy, from the settings like config.yml
                page = path.read_text(encoding="utf-8").replace(
                    "{{ content_security_policy }}", html.escape(admin_policy(self.settings).meta())).replace(
                    "{{ site_css }}", html.escape(SiteUrls.from_settings(self.settings).href(SITE_CSS)))
                writer.write(f"{folder}/{path.name}", page, owner="Redaktionsoberfläche")
            else:
                writer.copy(f"{folder}/{path.name}", path, owner="Redaktionsoberfläche")
        # libyaml's dumper where installed: the pure-Python one costs every build tens of ms.
        config = yaml.dump(cms_config(self.settings), Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),
                           allow_unicode=True, sort_keys=False, width=1000)
        writer.write(f"{folder}/config.yml", "# Erzeugt aus pelicanconf.py (plugins/admin); "
                     "nicht von Hand ändern.\n" + config, owner="Redaktionsoberfläche")


def get_generators(_pelican):
    return AdminGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
