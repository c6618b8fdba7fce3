"""assets: copies the theme's static files and the media files into the site, and draws
favicon.ico from the theme's logo at the site root, where browsers ask for it.

Copies go through the site writer (atomic, skipped when unchanged) instead of
Pelican's StaticGenerator, which overwrites in place.
"""

from __future__ import annotations

from pathlib import Path

from pelican import signals
from pelican.generators import Generator
from PIL import __version__ as pillow  # the package's version only, not its image modules

from newsroom.build.context import of
from newsroom.errors import ContentError
from newsroom.media.embedded_rights import EmbeddedRights
from newsroom.media.originals import published_original, signature, stamped_file, stamped_signature, stamps
from newsroom.site import SiteUrls

SIDECAR_SUFFIX = ".yml"
LOGO = "img/logo.svg"  # below the theme's static folder


def _files(root: Path) -> list[Path]:
    """Files below root; hidden ones and symbolic links left out (links below content/ stop the
    build before this runs, see newsroom.paths; rglob does not enter linked folders)."""
    if not root.is_dir() or root.is_symlink():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()
                  and not any(part.startswith(".") for part in p.relative_to(root).parts))


def _favicon(svg: bytes | None) -> bytes:
    from newsroom.favicon import favicon  # Pillow is loaded only by a build that draws the icon

    return favicon(svg)


class AssetsGenerator(Generator):
    def generate_context(self) -> None:
        pass

    def generate_output(self, writer) -> None:
        theme_static = Path(self.theme) / "static"
        for path in _files(theme_static):
            writer.copy(f"theme/{path.relative_to(theme_static).as_posix()}", path, owner="Theme")
        logo = theme_static / LOGO
        svg = logo.read_bytes() if logo.is_file() else None
        writer.page("favicon.ico", lambda: _favicon(svg), owner="Theme", inputs=("favicon", svg, pillow))
        urls = SiteUrls.from_settings(self.settings)
        media_root = Path(self.path) / self.settings["MEDIA_DIR"]
        build = of(self.context)
        library = build.media
        # Media whose rights ended (`rechte_bis`) are not published; the writer removes their live copies.
        expired = {item.path for item in library.expired_items()} if library is not None else set()
        # Photo originals go out with their metadata replaced (newsroom/media/originals.py), signed by what
        # makes them: an unchanged one is neither read nor written.
        items = library.scan()[0] if library is not None else []
        stamped = {item.path: item for item in items if stamps(item)}
        posters = {}  # a video's poster image goes out the same way, with the video's rights
        for item in items:
            if item.poster and item.poster not in stamped:
                posters.setdefault(item.poster, item)
        pages = build.media_pages

        def absolute_page(relative: str) -> str | None:
            page = pages.page(relative) if pages is not None else None
            return urls.absolute(page) if page else None

        for path in _files(media_root):
            if path.suffix == SIDECAR_SUFFIX:
                continue  # descriptions are read by the build, not published as files
            relative = path.relative_to(media_root).as_posix()
            if relative in expired:
                continue
            if relative in stamped:
                item, page = stamped[relative], absolute_page(relative)
                writer.page(urls.media(relative), lambda item=item, path=path, page=page: published_original(
                    item, path, page), owner="Medien", inputs=signature(item, page))
            elif relative in posters:
                try:  # read when the portal drew the poster's renditions; a broken one is the portal's error
                    facts = library.facts.get(relative, path, library.display(path), "photo")
                except ContentError:
                    continue
                rights = EmbeddedRights.of(posters[relative], absolute_page(posters[relative].path))
                writer.page(urls.media(relative), lambda facts=facts, path=path, rights=rights: stamped_file(
                    facts, path.read_bytes(), rights), owner="Medien", inputs=stamped_signature(facts, rights))
            else:
                writer.copy(urls.media(relative), path, owner="Medien")


def get_generators(_pelican):
    return AssetsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
