"""A medium's credit as readers see it: „Foto: Name“, its label said once.

Sidecars and embedded IPTC/XMP write credits in many ways: „Foto: Amt“, „Amt“, „foto:Amt“,
„Foto: Foto: Amt“, „(Foto: Amt)“, „Foto © Amt“. Every place that shows a credit (story pages,
the media portal, feeds, the press release) shows `credit_line()`: a credit that names its own
label („Illustration: …“, „Grafik: …“) keeps it, one without gets the label of its kind.
"""

from __future__ import annotations

import re

# The label a credit without one gets: what the medium is.
KIND_LABELS = {"photo": "Foto", "video": "Video", "youtube": "Video", "document": "Quelle"}
# Labels written in small letters or capitals are given in their usual spelling.
KNOWN_LABELS = {label.lower(): label for label in (
    "Foto", "Fotos", "Video", "Grafik", "Illustration", "Karte", "Bild", "Quelle", "Abbildung", "Zeichnung",
    "Luftbild", "Montage", "Fotomontage", "Screenshot", "Animation", "Visualisierung", "Film", "Kamera",
)}
# A label: one word (letters, a hyphen or slash inside, as in „Foto/Grafik“) before a colon, or
# before a copyright sign („Foto © Amt“); never the scheme of an address („https://…“).
_LABEL = re.compile(r"([^\W\d_][\w/-]*)\s*(?::(?!//)|(?=©))\s*")
_SPACES = re.compile(r"\s+")


def credit_line(credit: str | None, kind: str | None = None) -> str:
    """The credit with its label once („Foto: Name“); "" when there is none."""
    text = _SPACES.sub(" ", credit or "").strip()
    while len(text) > 2 and text[0] == "(" and text[-1] == ")":  # „(Foto: Amt)“: a whole credit in brackets
        text = text[1:-1].strip()
    label, name = _split(text)
    while label is not None:  # „Foto: Foto: Amt“: the same label twice
        again, rest = _split(name)
        if again is None or again.lower() != label.lower():
            break
        name = rest
    if not name:  # a label that names no one says nothing (the library refuses such a credit)
        return ""
    return f"{label or KIND_LABELS.get(kind or '', 'Foto')}: {name}"


def _split(text: str) -> tuple[str | None, str]:
    """(label in its usual spelling, the rest) or (None, text) for a credit without a label."""
    found = _LABEL.match(text)
    if not found:
        return None, text
    word = found.group(1)
    return KNOWN_LABELS.get(word.lower(), word), text[found.end():].strip()


def credit_of(item) -> str:
    """The credit line of a media item (newsroom.media.library.MediaItem)."""
    return credit_line(item.credit, item.kind)
