"""Site addresses: root-relative links for pages, absolute ones for canonical and feeds."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class SiteUrls:
    siteurl: str  # e.g. https://www.duesseldorf.de or https://host/newsroom
    prefix: str  # path part of siteurl + "/", e.g. "/" or "/newsroom/"
    media_url: str  # MEDIA_URL: where a file of content/media/ is published

    @classmethod
    def from_settings(cls, settings: dict) -> SiteUrls:
        siteurl = settings["SITEURL"].rstrip("/")
        path = urlsplit(siteurl).path.rstrip("/")
        return cls(siteurl=siteurl, prefix=f"{path}/", media_url=settings["MEDIA_URL"])

    def media(self, path: str) -> str:
        """Site path of a media file: 'fotos/rhein.jpg' → 'medien/fotos/rhein.jpg'."""
        return self.media_url.format(path=path)

    def href(self, site_path: str) -> str:
        """Link target within the site: 'aktuelles/2026/…/' → '/aktuelles/2026/…/'."""
        if site_path.startswith(("http://", "https://", "mailto:", "tel:", "#")):
            return site_path
        return self.prefix + site_path.lstrip("/")

    def absolute(self, site_path: str) -> str:
        if site_path.startswith(("http://", "https://")):
            return site_path
        return f"{self.siteurl}/{site_path.lstrip('/')}"


# Below this folder of the output, an empty file marks each page of a story withdrawn with
# `gone: true`: the web server (newsroom/deploy/server_config.py) answers that page's address with
# 410 while the file is there, so a deploy alone brings or ends the 410. Not a dot folder: the
# deploys ship it like any file (newsroom/deploy/files.py leaves hidden ones out).
GONE_FOLDER = "_gone"


def gone_marker(save_as: str, prefix: str = "/") -> str:
    """The output path of the marker for the page saved at `save_as` ('aktuelles/…/index.html' →
    '_gone/aktuelles/…/index.html'). The server looks for `<its root><prefix>_gone<request path>`
    and a request path holds the SITEURL's path too, so the marker repeats it."""
    return f"{GONE_FOLDER}{prefix}{save_as}"

# The crisis message as a CAP 1.2 feed (newsroom/crisis/cap.py): one document per version in
# CAP_FOLDER (krise/cap/<identifier>.xml, served as CAP_MIME) and their Atom index CAP_INDEX.
CAP_FOLDER = "krise/cap/"
CAP_INDEX = "krise/cap.xml"
CAP_MIME = "application/cap+xml"
