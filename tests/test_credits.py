"""Credits read once (newsroom/media/credits.py): the demo's credits and the ways sidecars and embedded
IPTC/XMP write them, on the story page, in the media portal and the feeds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from newsroom.media.credits import credit_line
from tests.support import REPO

AMT = "Landeshauptstadt Düsseldorf/Amt für Kommunikation"


@pytest.mark.parametrize("credit, kind, expected", [
    (f"Foto: {AMT}", "photo", f"Foto: {AMT}"),
    (AMT, "photo", f"Foto: {AMT}"),  # no label: the kind's
    (AMT, "video", f"Video: {AMT}"),
    (AMT, "youtube", f"Video: {AMT}"),
    (AMT, "document", f"Quelle: {AMT}"),
    (f"Illustration: {AMT}", "photo", f"Illustration: {AMT}"),  # the credit's own label wins
    (f"Grafik: {AMT}", "photo", f"Grafik: {AMT}"),
    (f"Video: {AMT}", "youtube", f"Video: {AMT}"),
    (f"Foto: Foto: {AMT}", "photo", f"Foto: {AMT}"),  # the label twice
    (f"Foto: foto: Foto: {AMT}", "photo", f"Foto: {AMT}"),
    (f"(Foto: {AMT})", "photo", f"Foto: {AMT}"),  # in brackets already
    (f"foto:{AMT}", "photo", f"Foto: {AMT}"),  # small letters, no space
    (f"FOTO :   {AMT}", "photo", f"Foto: {AMT}"),
    (f"  Foto:\t{AMT}  ", "photo", f"Foto: {AMT}"),
    (f"Foto © {AMT}", "photo", f"Foto: © {AMT}"),
    (f"© {AMT}", "photo", f"Foto: © {AMT}"),
    (f"Foto/Grafik: {AMT}", "photo", f"Foto/Grafik: {AMT}"),
    (f"Grafik: Foto: {AMT}", "photo", f"Grafik: Foto: {AMT}"),  # two labels of their own: as written
    ("Kamera: Anna Beispiel, Schnitt: Ben Muster", "video", "Kamera: Anna Beispiel, Schnitt: Ben Muster"),
    ("Landeshauptstadt Düsseldorf: Amt 13", "photo", "Foto: Landeshauptstadt Düsseldorf: Amt 13"),  # no one word
    ("https://www.duesseldorf.de/presse", "photo", "Foto: https://www.duesseldorf.de/presse"),  # no label
    ("Foto:", "photo", ""),  # names no one (the library refuses it)
    ("", "photo", ""),
    (None, "photo", ""),
])
def test_a_credit_says_its_label_once(credit, kind, expected):
    assert credit_line(credit, kind) == expected


def demo_credits() -> list[tuple[str, str]]:
    found = []
    for sidecar in sorted((REPO / "content/media").rglob("*.yml")):
        credit = yaml.safe_load(sidecar.read_text(encoding="utf-8")).get("credit")
        if credit:
            found.append((sidecar.relative_to(REPO).as_posix(), credit))
    return found


@pytest.mark.parametrize("path, credit", demo_credits())
def test_every_demo_credit_has_one_label(path, credit):
    from newsroom.media.library import KINDS

    kind = KINDS[Path(path.removesuffix(".yml")).suffix.lower()]
    line = credit_line(credit, kind)
    label, _, name = line.partition(": ")
    assert label and name and name.strip() == name
    assert not re.match(r"(Foto|Video|Grafik|Illustration|Quelle)\b", name), line


def test_pages_and_feeds_show_the_credit_line(site):
    site.add_media("fotos/ohne.jpg", alt="Ein Platz", credit='"Landeshauptstadt Düsseldorf/Test"')
    site.add_media("fotos/doppelt.jpg", alt="Ein Markt", credit='"Foto: Foto: Landeshauptstadt Düsseldorf/Markt"')
    site.story(image="fotos/ohne.jpg", body="Ein Bild im Text:\n\n![Ein Markt](media:fotos/doppelt.jpg)\n")
    site.commit("Meldung", "2026-11-20 09:00")
    site.build()
    page = site.page("aktuelles/2026/11/neue-radwege-am-rheinufer/index.html")
    assert '<span class="credit">Foto: Landeshauptstadt Düsseldorf/Test</span>' in page  # the figcaption
    assert '<span class="credit">Foto: Landeshauptstadt Düsseldorf/Markt</span>' in page  # the media list
    assert "Foto, Foto" not in page and "Foto: Foto" not in page
    document = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert document["image"]["creditText"] == "Foto: Landeshauptstadt Düsseldorf/Test"
    feed = (site.output / "feeds/alle/rss.xml").read_text(encoding="utf-8")
    assert "Foto: Landeshauptstadt Düsseldorf/Test</media:credit>" in feed
    portal = site.page("medienportal/medien/fotos/doppelt/index.html")
    assert "Foto: Foto" not in portal and portal.count("Foto: Landeshauptstadt Düsseldorf/Markt") >= 2


def test_files_carry_the_credit_line_they_are_shown_with():
    from newsroom.media.embedded_rights import EmbeddedRights
    from newsroom.media.library import MediaItem

    item = MediaItem(path="fotos/markt.jpg", title=None, caption=None, alt="Ein Markt",
                     credit="Foto: Foto: Landeshauptstadt Düsseldorf/Markt", license=None, tags=(), album=None)
    assert EmbeddedRights.of(item).credit == "Foto: Landeshauptstadt Düsseldorf/Markt"
