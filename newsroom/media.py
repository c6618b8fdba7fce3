"""Media items of the portal as stories see them: the file plus its YAML sidecar.

`rheinufer.jpg` is described by `rheinufer.jpg.yml` (alt text, credit, caption …).
The media portal plugin builds pages from these; stories use them as lead images.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from . import frontmatter
from .errors import ContentError, ContentErrors
from .paths import OutsidePath, resolve_inside
from .schema import Fields

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff"}
SIDECAR_FIELDS = {"title", "caption", "alt", "credit", "license", "date", "tags", "album"}


@dataclass(frozen=True)
class MediaItem:
    path: str  # below content/media, POSIX separators
    title: str | None
    caption: str | None
    alt: str | None
    credit: str
    license: str | None
    tags: tuple[str, ...]
    album: str | None

    @property
    def is_image(self) -> bool:
        return Path(self.path).suffix.lower() in IMAGE_SUFFIXES


class MediaLibrary:
    """Looks media up by their path below content/media, reading each sidecar once."""

    def __init__(self, media_root: Path, display_root: Path):
        self.root = media_root
        self.display_root = display_root
        self._items: dict[str, MediaItem | ContentErrors] = {}
        # Thousands of stories share a few images: resolve each reference once per build.
        self._resolved: dict[str, tuple[str, Path] | str] = {}

    def _display(self, path: Path) -> str:
        try:
            return path.relative_to(self.display_root).as_posix()
        except ValueError:
            return str(path)

    def get(self, reference: str, *, source: str, line: int | None, field: str | None) -> MediaItem:
        """The item for `reference`, or a ContentError naming the referring file and field."""
        resolved = self._resolved.get(reference)
        if resolved is None:
            resolved = self._resolved[reference] = self._resolve(reference)
        if isinstance(resolved, str):
            raise ContentError(source, resolved, line=line, field=field)
        key, target = resolved
        if key not in self._items:
            try:
                self._items[key] = self._read_sidecar(key, target)
            except ContentErrors as exc:
                self._items[key] = exc
        item = self._items[key]
        if isinstance(item, ContentErrors):
            raise item
        return item

    def _resolve(self, reference: str) -> tuple[str, Path] | str:
        """(key, file) for a reference, or the German reason it is refused."""
        try:
            target = resolve_inside(self.root, reference, base_label="content/media/")
        except OutsidePath as exc:
            return str(exc)
        key = target.relative_to(self.root).as_posix()
        if not target.is_file():
            return f"Die Mediendatei „{key}“ gibt es nicht in content/media/."
        return key, target

    def _read_sidecar(self, key: str, target: Path) -> MediaItem:
        sidecar = target.with_name(target.name + ".yml")
        shown = self._display(sidecar)
        if not sidecar.is_file():
            raise ContentErrors([ContentError(
                self._display(target),
                f"Zur Mediendatei fehlt die Beschreibung {sidecar.name} (mit alt und credit).",
            )])
        text = frontmatter.decode(sidecar.read_bytes(), shown)
        control = frontmatter.find_control_character(text)
        if control:
            raise ContentErrors([ContentError(shown, f"Unsichtbares Steuerzeichen {control[1]} gefunden.", line=control[0])])
        node = frontmatter.compose(text, shown)
        if not isinstance(node, yaml.MappingNode):
            raise ContentErrors([ContentError(shown, "Die Beschreibung muss aus Feldern „name: wert“ bestehen.", line=1)])
        errors: list[ContentError] = []
        fields = Fields(node, shown, SIDECAR_FIELDS, errors, line_offset=0, lines=tuple(text.split("\n")))
        is_image = target.suffix.lower() in IMAGE_SUFFIXES
        item = MediaItem(
            path=key,
            title=fields.text("title", required=False, max_length=200),
            caption=fields.text("caption", required=False, max_length=1000, single_line=False),
            alt=fields.text("alt", required=is_image, max_length=400),
            credit=fields.text("credit", max_length=200) or "",
            license=fields.text("license", required=False, max_length=500, single_line=False),
            tags=fields.text_list("tags"),
            album=fields.text("album", required=False, max_length=120),
        )
        fields.datetime("date", required=False, require_time=False)
        if errors:
            raise ContentErrors(errors)
        return item
