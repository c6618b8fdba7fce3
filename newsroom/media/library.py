"""Media items: a file below content/media/ plus its description.

`rheinufer.jpg` is described by `rheinufer.jpg.yml` (alt text, credit, caption …) and,
for photos, by the IPTC/XMP fields embedded in the file; the sidecar wins field by
field. A YouTube clip has no file of its own: `rueckblick.youtube.yml` describes it.
Stories use items as lead images and in their text; the media portal shows them all.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from newsroom.content import frontmatter
from newsroom.content.characters import find_invisible, invisible_message
from newsroom.content.git_index import FileBlobs
from newsroom.content.schema import FLOAT, INT, Fields
from newsroom.content.slugs import tag_problem
from newsroom.dates import iso
from newsroom.errors import ContentError, ContentErrors, OutsidePath
from newsroom.media.credits import credit_line
from newsroom.media.crops import CENTRE
from newsroom.media.files import FactsIndex, FileFacts
from newsroom.media.sign_language import sign_language_problems
from newsroom.paths import resolve_inside, symlink_error

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff"}
KINDS = {**dict.fromkeys(IMAGE_SUFFIXES, "photo"), ".mp4": "video", ".pdf": "document", ".youtube": "youtube"}
KIND_NAMES = {"photo": "Foto", "video": "Video", "youtube": "Video (YouTube)", "document": "Dokument"}
SIDECAR = ".yml"
SIDECAR_FIELDS = {"title", "caption", "alt", "credit", "license", "date", "tags", "album", "themen", "series",
                  "poster", "captions", "youtube", "original", "focus", "dgs", "rechte_bis", "ersatz"}
YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CLOCK_TIME = re.compile(r"\d[T ]+\d{1,2}:\d{2}")  # a sidecar date that names its time of day
FOCUS_HINT = ("Zuerst waagerecht (0 = linker Rand, 1 = rechter Rand), dann senkrecht (0 = oberer Rand, 1 = unterer "
              "Rand), mit Dezimalpunkt, z. B. „focus: [0.5, 0.3]“.")


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
    kind: str = "photo"  # photo, video, youtube, document
    date: str | None = None  # YYYY-MM-DD
    date_time: str | None = None  # the sidecar's date with its time, ISO 8601 with offset; None: no time given
    themen: tuple[str, ...] = ()
    series: str | None = None
    poster: str | None = None  # an image below content/media (videos)
    captions: str | None = None  # a WebVTT file below content/media (videos)
    youtube: str | None = None  # the clip's id
    original: bool = True  # the original file may be downloaded
    focus: tuple[float, float] = CENTRE  # the point every crop keeps in view (newsroom/media/crops.py)
    facts: FileFacts | None = None  # None for a YouTube clip
    poster_digest: str | None = None  # the poster's bytes: its renditions' addresses name them
    dgs: bool = False  # a video in Deutscher Gebärdensprache: shown with its symbol, checked (sign_language.py)
    rights_until: str | None = None  # YYYY-MM-DD, the last day the medium may be shown (sidecar `rechte_bis`)
    replacement: str | None = None  # a photo below content/media shown instead once the rights ended (`ersatz`)

    def expired(self, today: date | None) -> bool:
        """Its rights ended before `today` (None: no build date, nothing expires)."""
        return bool(self.rights_until and today and today.isoformat() > self.rights_until)

    @property
    def is_image(self) -> bool:
        return self.kind == "photo"

    @property
    def label(self) -> str:
        return self.title or Path(self.path).stem.replace("-", " ").replace("_", " ")


def kind_of(path: str) -> str | None:
    return KINDS.get(Path(path).suffix.lower())


class MediaLibrary:
    """Looks media up by their path below content/media, reading each description once."""

    def __init__(self, media_root: Path, display_root: Path, cache=None, settings: dict | None = None,
                 blobs: FileBlobs | None = None, today: date | None = None):
        self.root = media_root
        self.today = today  # the build's day in Berlin: a medium whose rights ended before it is not shown
        self.display_root = display_root
        self.facts = FactsIndex(cache, blobs or FileBlobs(media_root))
        self.themen = settings["THEMEN"] if settings else None  # without settings: not checked
        self.series = settings["MEDIA_SERIES"] if settings else None
        self._items: dict[str, MediaItem | ContentErrors] = {}
        # Thousands of stories share a few images: resolve each reference once per build.
        self._resolved: dict[str, tuple[str, Path] | str] = {}
        self._scanned: tuple[list[MediaItem], list[ContentError]] | None = None

    def display(self, path: Path) -> str:
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
        return self.item(*resolved)

    def shown(self, reference: str, *, source: str, line: int | None, field: str | None,
              on: date | None = None) -> MediaItem | None:
        """The item a page shows for `reference` on the build's day (or on the day `on`): the item
        itself, its replacement (`ersatz`) once its rights ended, or None when neither may be shown."""
        day = on or self.today
        item = self.get(reference, source=source, line=line, field=field)
        if not item.expired(day):
            return item
        if item.replacement:
            replacement = self.get(item.replacement, source=source, line=line, field=field)
            return None if replacement.expired(day) else replacement
        return None

    def shown_path(self, reference: str, source: str, on: date | None = None) -> str | None:
        """The path of the medium shown for a reference in a text (see `shown`); None: none."""
        item = self.shown(reference, source=source, line=None, field=None, on=on)
        return item.path if item is not None else None

    def expired_items(self) -> list[MediaItem]:
        """The items whose rights ended before the build's day: out of the portal, the feeds and output/."""
        items, _errors = self.scan()
        return [item for item in items if item.expired(self.today)]

    def item(self, key: str, target: Path) -> MediaItem:
        """The item of a file known to exist (raises its ContentErrors)."""
        if key not in self._items:
            try:
                self._items[key] = self._read_item(key, target)
            except ContentErrors as exc:
                self._items[key] = exc
            except ContentError as exc:
                self._items[key] = ContentErrors([exc])
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
        is_clip = kind_of(key) == "youtube"  # a YouTube clip is its description alone
        exists = target.with_name(target.name + SIDECAR).is_file() if is_clip else target.is_file()
        if not exists:
            return f"Die Mediendatei „{key}“ gibt es nicht in content/media/."
        return key, target

    def _read_item(self, key: str, target: Path) -> MediaItem:
        kind = kind_of(key)
        sidecar = target.with_name(target.name + SIDECAR)
        shown = self.display(sidecar)
        if sidecar.is_symlink():  # never read (newsroom.paths)
            raise ContentErrors([symlink_error(str(sidecar), shown)])
        facts = None if kind in (None, "youtube") else self.facts.get(key, target, self.display(target), kind)
        embedded = facts.metadata if facts else {}
        if not sidecar.is_file():
            if embedded.get("credit") and (embedded.get("alt") or kind != "photo"):
                return self._merge(key, kind, facts, {}, embedded, [], shown)
            raise ContentErrors([ContentError(
                self.display(target),
                f"Zur Mediendatei fehlt die Beschreibung {sidecar.name} (mit alt und credit).",
            )])
        text = frontmatter.decode(sidecar.read_bytes(), shown)
        control = frontmatter.find_control_character(text)
        if control:
            raise ContentErrors([ContentError(shown, f"Unsichtbares Steuerzeichen {control[1]} gefunden.",
                                              line=control[0])])
        node = frontmatter.compose(text, shown)
        if not isinstance(node, yaml.MappingNode):
            raise ContentErrors([ContentError(shown, "Die Beschreibung muss aus Feldern „name: wert“ bestehen.",
                                              line=1)])
        errors: list[ContentError] = []
        fields = Fields(node, shown, SIDECAR_FIELDS, errors, line_offset=0, lines=tuple(text.split("\n")))
        date = fields.datetime("date", required=False, require_time=False)
        own = {
            "title": fields.text("title", required=False, max_length=200),
            "caption": fields.text("caption", required=False, max_length=1000, single_line=False),
            "alt": fields.text("alt", required=False, max_length=400),
            "credit": fields.text("credit", required=False, max_length=200),
            "license": fields.text("license", required=False, max_length=500, single_line=False),
            "tags": self._tags(fields),
            "album": fields.text("album", required=False, max_length=120),
            "date": date.strftime("%Y-%m-%d") if date else None,
            "date_time": iso(date) if date and CLOCK_TIME.search(fields.nodes["date"].value) else None,
            "themen": self._themen(fields),
            "series": self._series(fields),
            "poster": self._attachment(fields, "poster", {"photo"}, "ein Bild (JPEG, PNG, WebP)"),
            "captions": self._attachment(fields, "captions", {".vtt"}, "eine WebVTT-Datei (.vtt)"),
            "youtube": fields.text("youtube", required=False, pattern=YOUTUBE_ID,
                                   pattern_hint="Erwartet wird die elfstellige Video-ID aus der YouTube-Adresse."),
            "original": fields.boolean("original", default=True),
            "focus": self._focus(fields),
            "dgs": fields.boolean("dgs", default=False),
            "rights_until": self._rights_until(fields),
            "replacement": self._attachment(fields, "ersatz", {"photo"}, "ein Foto (JPEG, PNG, WebP, TIFF)"),
        }
        return self._merge(key, kind, facts, own, embedded, errors, shown, fields)

    def _merge(self, key, kind, facts, own, embedded, errors, shown, fields=None) -> MediaItem:
        def pick(name):
            return own.get(name) or embedded.get(name)

        def missing(name, why):
            node = fields.nodes.get(name) if fields else None
            errors.append(ContentError(shown, why, line=node.start_mark.line + 1 if node else None, field=name))

        required = "Pflichtfeld fehlt oder ist leer."
        self._check_embedded(key, own, embedded, errors)
        if kind is None:
            errors.append(ContentError(self.display(self.root / key), "Dieser Dateityp gehört nicht ins Medienportal "
                                       "(erlaubt: JPEG, PNG, WebP, TIFF, MP4, PDF, YouTube-Beschreibung .youtube.yml)."))
        if not pick("credit"):
            missing("credit", required)
        elif not credit_line(pick("credit"), kind):
            missing("credit", f"Die Quelle „{pick('credit')}“ nennt niemanden: Nach dem Doppelpunkt fehlt der Name.")
        if kind == "photo" and not pick("alt"):
            missing("alt", required)
        if kind == "youtube":
            if not own.get("youtube"):
                missing("youtube", "Pflichtfeld fehlt: die Video-ID des YouTube-Clips.")
            if not own.get("poster"):
                missing("poster", "Pflichtfeld fehlt: ein eigenes Vorschaubild (vor der Zustimmung wird nichts "
                                  "von YouTube geladen).")
        elif own.get("youtube"):
            missing("youtube", "Nur eine YouTube-Beschreibung (name.youtube.yml) hat eine Video-ID.")
        if kind != "photo" and own.get("focus"):
            missing("focus", "Nur ein Foto hat einen Fokuspunkt für seine Zuschnitte.")
        if own.get("replacement") and own["replacement"] == key:
            missing("ersatz", "Ein Foto kann nicht sein eigener Ersatz sein.")
        if own.get("replacement") and not own.get("rights_until"):
            missing("ersatz", "Ein Ersatzfoto gilt erst nach dem Ende der Rechte: bitte auch „rechte_bis“ angeben.")
        if kind == "video" and not own.get("captions"):
            missing("captions", "Pflichtfeld fehlt: Untertitel als WebVTT-Datei (Barrierefreiheit).")
        if own.get("dgs"):
            if kind != "video":
                missing("dgs", "Nur ein Video (MP4) dieser Website kann eines in Deutscher Gebärdensprache sein.")
            elif own.get("captions"):  # without them, the captions error above says what to do
                for message in sign_language_problems(key, facts, own.get("captions"), own.get("original", True)):
                    missing("dgs", message)
        date = pick("date")
        if date and not ISO_DATE.fullmatch(str(date)):
            date = None  # an embedded date we cannot read is left out, not an error
        if errors:
            raise ContentErrors(errors)
        return MediaItem(
            path=key, title=pick("title"), caption=pick("caption"), alt=pick("alt"), credit=pick("credit"),
            license=pick("license"), tags=tuple(own.get("tags") or embedded.get("tags") or ()),
            album=own.get("album"), kind=kind, date=date, date_time=own.get("date_time"),
            themen=own.get("themen") or (),
            series=own.get("series"), poster=own.get("poster"), captions=own.get("captions"),
            youtube=own.get("youtube"), original=own.get("original", True), facts=facts,
            focus=own.get("focus") or CENTRE, poster_digest=self._poster_digest(own.get("poster")),
            dgs=bool(own.get("dgs")),
            rights_until=own.get("rights_until"), replacement=own.get("replacement"),
        )

    def _poster_digest(self, poster: str | None) -> str | None:
        """A page showing a video names its poster's renditions: a new poster under the same name
        changes the item, so those pages are drawn again. A broken poster is the portal's error."""
        if not poster:
            return None
        target = self.root / poster
        try:
            return self.facts.get(poster, target, self.display(target), "photo").digest
        except ContentError:
            return None

    def _check_embedded(self, key: str, own: dict, embedded: dict, errors: list[ContentError]) -> None:
        """The texts embedded in the file (IPTC/XMP) that are used, because the description has no
        own value, obey the description's rules: no invisible characters, tags with an address."""
        shown = self.display(self.root / key)
        fix = f"Oder in {Path(key).name}{SIDECAR} einen eigenen Wert angeben; er hat Vorrang."
        for name, value in embedded.items():
            if own.get(name) or name not in SIDECAR_FIELDS:
                continue
            for text in value if isinstance(value, (tuple, list)) else (value,):
                text = str(text)
                found = find_invisible(text)
                problem = invisible_message(text, *found) if found else tag_problem(text) if name == "tags" else None
                if problem:
                    errors.append(ContentError(shown, f"In den eingebetteten Bilddaten (IPTC/XMP): {problem} {fix}",
                                               field=name))
                    break

    def _tags(self, fields: Fields) -> tuple[str, ...]:
        values = fields.text_list("tags")
        for value in values:  # each has a page medienportal/schlagworte/<slug>/
            problem = tag_problem(value)
            if problem:
                fields.error(problem, fields.nodes["tags"], "tags")
        return values

    def _themen(self, fields: Fields) -> tuple[str, ...]:
        values = fields.text_list("themen")
        if self.themen is not None:
            for value in values:
                if value not in self.themen:
                    fields.error(f"„{value}“ ist kein Thema aus THEMEN (Einstellungen).", fields.nodes["themen"],
                                 "themen")
        return values

    def _series(self, fields: Fields) -> str | None:
        if self.series is None:
            return fields.text("series", required=False, max_length=120)
        return fields.choice("series", list(self.series), required=False)

    def _rights_until(self, fields: Fields) -> str | None:
        """`rechte_bis: 2027-03-31`: the last day the medium may be shown (Berlin time)."""
        node = fields.node("rechte_bis", False)
        day = fields.datetime("rechte_bis", required=False, require_time=False)
        if day is None:
            return None
        if CLOCK_TIME.search(node.value):
            fields.error("Erwartet wird ein Tag ohne Uhrzeit, z. B. „rechte_bis: 2027-03-31“: die Rechte enden mit "
                         "dem Ende dieses Tages.", node, "rechte_bis")
            return None
        return day.strftime("%Y-%m-%d")

    def _focus(self, fields: Fields) -> tuple[float, float] | None:
        """`focus: [0.5, 0.3]`: fractions of the width (from the left) and of the height (from the top)."""
        node = fields.node("focus", False)
        if node is None:
            return None
        if not isinstance(node, yaml.SequenceNode) or len(node.value) != 2:
            count = len(node.value) if isinstance(node, yaml.SequenceNode) else None
            found = "ist keine Liste" if count is None else "hat nur einen Wert" if count == 1 else f"hat {count} Werte"
            fields.error(f"Der Fokuspunkt {found}; erwartet werden genau zwei Zahlen von 0 bis 1 in eckigen "
                         f"Klammern: {FOCUS_HINT}", node, "focus")
            return None
        point = []
        for item in node.value:
            value = item.value if isinstance(item, yaml.ScalarNode) else None
            try:
                number = float(value) if item.tag in (INT, FLOAT) else None
            except ValueError:
                number = None
            if number is None or not 0 <= number <= 1:
                what = f"„{value}“ ist" if value is not None else "Eine Liste oder Gruppe ist"
                fields.error(f"{what} keine Zahl von 0 bis 1 (ohne Anführungszeichen). {FOCUS_HINT}", item,
                             "focus")
                return None
            point.append(number)
        return point[0], point[1]

    def _attachment(self, fields: Fields, name: str, allowed: set[str], what: str) -> str | None:
        reference = fields.text(name, required=False, max_length=300)
        if reference is None:
            return None
        node = fields.nodes[name]
        try:
            target = resolve_inside(self.root, reference, base_label="content/media/")
        except OutsidePath as exc:
            fields.error(str(exc), node, name)
            return None
        key = target.relative_to(self.root).as_posix()
        if Path(key).suffix.lower() not in allowed and kind_of(key) not in allowed:
            fields.error(f"„{reference}“ ist nicht {what}.", node, name)
        elif not target.is_file():
            fields.error(f"Die Datei „{key}“ gibt es nicht in content/media/.", node, name)
        elif name == "captions" and not target.read_bytes()[:16].lstrip(b"\xef\xbb\xbf").startswith(b"WEBVTT"):
            fields.error(f"„{key}“ ist keine WebVTT-Datei (sie muss mit „WEBVTT“ beginnen).", node, name)
        else:
            return key
        return None

    def scan(self) -> tuple[list[MediaItem], list[ContentError]]:
        """Every item below content/media for the portal, and every problem found on the way:
        broken descriptions and files, and descriptions whose file is missing (walked once per build)."""
        if self._scanned is None:
            self._scanned = self._scan()
        items, errors = self._scanned
        return list(items), list(errors)

    def _scan(self) -> tuple[list[MediaItem], list[ContentError]]:
        files, sidecars = [], []
        for folder, dirs, names in os.walk(self.root) if not self.root.is_symlink() else ():
            # Symbolic links are never followed nor read: the build refuses them (newsroom.paths).
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(folder, d)))
            for name in sorted(names):
                path = Path(folder) / name
                if name.startswith(".") or path.is_symlink():
                    continue
                (sidecars if name.endswith(SIDECAR) else files).append(path)
        errors: list[ContentError] = []
        candidates: list[tuple[str, Path]] = []
        for sidecar in sidecars:
            target = sidecar.with_name(sidecar.name[:-len(SIDECAR)])
            key = target.relative_to(self.root).as_posix()
            if kind_of(key) == "youtube":
                candidates.append((key, target))
            elif not target.is_file():
                errors.append(ContentError(self.display(sidecar), f"Die beschriebene Datei {target.name} fehlt. "
                                           "Bitte die Datei ablegen oder die Beschreibung löschen."))
        candidates += [(p.relative_to(self.root).as_posix(), p) for p in files]
        items, attached, unknown = [], set(), []
        for key, target in sorted(candidates):
            if kind_of(key) is None and not target.with_name(target.name + SIDECAR).is_file():
                unknown.append(key)
                continue
            try:
                item = self.item(key, target)
            except ContentErrors as exc:
                errors.extend(exc.errors)
                continue
            items.append(item)
            attached.update(a for a in (item.poster, item.captions) if a)
        # Posters and caption files belong to their video; they need no description of their own.
        errors = [e for e in errors if not (e.message.startswith("Zur Mediendatei fehlt die Beschreibung")
                                            and any(e.path == self.display(self.root / key) for key in attached))]
        errors += [ContentError(self.display(self.root / key), "Diese Datei ist weder Foto (JPEG, PNG, WebP, TIFF), "
                                "Video (MP4), Dokument (PDF) noch Untertitel (.vtt) eines Videos.")
                   for key in unknown if key not in attached]
        self.facts.save(complete=True)
        return items, errors
