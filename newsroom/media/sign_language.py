"""Videos in Deutscher Gebärdensprache (DGS): what BITV 2.0 Anlage 2 Teil 1 asks of them and the
build can see in the file. At least 320 × 240 pixels and 25 frames a second, captions, and a
download with its size and playing time (the player macro, theme/templates/media/_media.html,
shows those and the DGS symbol). A video is one by its description (`dgs: true` in its .mp4.yml),
and a page names one above its text in the front matter (`dgs_video: videos/….mp4`).

What a file cannot tell (the signer's light and clothes, a calm background) is the
interpreters' part; docs/accessibility.md lists it for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsroom.errors import ContentError, ContentErrors

if TYPE_CHECKING:
    from newsroom.media.files import FileFacts
    from newsroom.media.library import MediaLibrary

FIELD = "dgs_video"
MIN_WIDTH, MIN_HEIGHT = 320, 240
MIN_FRAME_RATE = 25
RULE = "(BITV 2.0 Anlage 2)"


def check_sign_language_video(reference: str, media: MediaLibrary, *, source: str,
                              line: int | None, field: str = FIELD) -> list[ContentError]:
    """The problems of the DGS video a page (or a setting) names, each naming the file, its line and the field."""
    try:
        item = media.get(reference, source=source, line=line, field=field)
    except ContentError as exc:
        return [exc]
    except ContentErrors:
        return []  # a broken description: the media library reports it with its own file and line
    if item.kind != "video":
        return [ContentError(source, f"„{item.path}“ ist kein Video (MP4) aus content/media/; ein Video in "
                             "Deutscher Gebärdensprache muss auf dieser Website liegen, ohne fremde Dienste.",
                             line=line, field=field)]
    return [ContentError(source, message, line=line, field=field)
            for message in sign_language_problems(item.path, item.facts, item.captions, item.original)]


def sign_language_problems(path: str, facts: FileFacts, captions: str | None, original: bool) -> list[str]:
    """What the video at `path` (below content/media) lacks to be one in Deutscher Gebärdensprache."""
    what = f"Das Video in Deutscher Gebärdensprache „{path}“"
    found = []
    if not facts.width or not facts.height:
        found.append(f"{what}: Die Bildgröße lässt sich nicht lesen (beschädigte Datei?).")
    elif facts.width < MIN_WIDTH or facts.height < MIN_HEIGHT:
        found.append(f"{what} ist {facts.width} × {facts.height} Pixel groß; verlangt sind mindestens "
                     f"{MIN_WIDTH} × {MIN_HEIGHT} Pixel {RULE}.")
    if not facts.frame_rate:
        found.append(f"{what}: Die Bildfolge lässt sich nicht lesen (beschädigte Datei?).")
    elif facts.frame_rate < MIN_FRAME_RATE:
        found.append(f"{what} hat {_number(facts.frame_rate)} Bilder je Sekunde; verlangt sind mindestens "
                     f"{MIN_FRAME_RATE} {RULE}.")
    if not captions:
        found.append(f"{what} hat keine Untertitel: bitte in {path}.yml „captions“ mit einer WebVTT-Datei angeben.")
    if not original:
        found.append(f"{what} muss zum Herunterladen bereitstehen {RULE}: bitte „original: false“ aus "
                     f"{path}.yml entfernen.")
    return found


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
