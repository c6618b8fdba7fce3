"""LIESMICH.txt of an album ZIP: who made each file and on which terms it may be used."""

from __future__ import annotations

from pathlib import Path


def album_readme(album, urls, settings: dict) -> bytes:
    lines = [f"{settings['SITE_SHORTNAME']} – Medienportal", f"Album: {album.name}",
             f"Adresse: {urls.absolute(album.url)}", "",
             "Bitte bei jeder Veröffentlichung die Quelle (credit) angeben und die Nutzungsbedingungen beachten.", ""]
    for entry in album.entries:
        item = entry.item
        if item.kind not in ("photo", "document"):
            continue
        name = Path(item.path).name if item.original else f"{Path(item.path).stem}.jpg"
        lines += [name, f"  Titel: {item.label}", f"  Quelle: {item.credit}"]
        if item.caption:
            lines.append(f"  Bildunterschrift: {item.caption}")
        if item.license:
            lines.append(f"  Nutzung: {item.license}")
        if item.date:
            lines.append(f"  Datum: {item.date}")
        lines += [f"  Seite: {urls.absolute(entry.url)}", ""]
    # CRLF: the file is read on every kind of computer the press uses.
    return "\r\n".join(lines).encode("utf-8")
