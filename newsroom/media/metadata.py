"""Descriptions embedded in image files: IPTC-IIM and XMP, as photo agencies deliver them.

Only the fields the sidecar knows are taken (title, caption, alt, credit, license, date,
tags); the sidecar wins field by field (see media.py). XMP is parsed with expat, which
refuses external entities and limits entity expansion, so a hostile file cannot make
the build fetch or explode anything.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "xmpRights": "http://ns.adobe.com/xap/1.0/rights/",
    "Iptc4xmpCore": "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/",
}
_RDF = "{%s}" % NS["rdf"]

# IPTC-IIM record 2 datasets → our field names
IIM_FIELDS = {5: "title", 120: "caption", 110: "credit", 80: "creator", 116: "license", 55: "date", 25: "tags"}


def embedded_metadata(image) -> dict[str, object]:
    """Fields found in an opened Pillow image (XMP first, IPTC-IIM fills gaps)."""
    found: dict[str, object] = {}
    xmp = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
    if xmp:
        found.update(parse_xmp(xmp))
    for key, value in _iim(image).items():
        found.setdefault(key, value)
    creator = found.pop("creator", None)
    if creator and "credit" not in found:
        found["credit"] = f"Foto: {creator}"
    return {k: v for k, v in found.items() if v}


def parse_xmp(data: bytes | str) -> dict[str, object]:
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    start = data.find("<x:xmpmeta")
    if start < 0:
        start = data.find("<rdf:RDF")
    end_tag = "</x:xmpmeta>" if data.startswith("<x:xmpmeta", start) else "</rdf:RDF>"
    end = data.find(end_tag, start)
    if start < 0 or end < 0:
        return {}
    try:
        root = ET.fromstring(data[start:end + len(end_tag)])
    except ET.ParseError:
        return {}
    found: dict[str, object] = {}

    def text(tag: str) -> str | None:
        prefix, name = tag.split(":")
        qualified = "{%s}%s" % (NS[prefix], name)
        for description in root.iter(_RDF + "Description"):
            if qualified in description.attrib:  # the short form: a property as attribute
                return description.attrib[qualified].strip() or None
            node = description.find(qualified)
            if node is None:
                continue
            items = [li for li in node.iter(_RDF + "li")]
            if items:  # rdf:Alt (prefer German, then x-default) or rdf:Seq/Bag
                by_lang = {li.get("{http://www.w3.org/XML/1998/namespace}lang", ""): li for li in items}
                chosen = by_lang.get("de") or by_lang.get("de-DE") or by_lang.get("x-default") or items[0]
                return (chosen.text or "").strip() or None
            return (node.text or "").strip() or None
        return None

    def bag(tag: str) -> tuple[str, ...]:
        prefix, name = tag.split(":")
        for description in root.iter(_RDF + "Description"):
            node = description.find("{%s}%s" % (NS[prefix], name))
            if node is not None:
                return tuple(t for t in ((li.text or "").strip() for li in node.iter(_RDF + "li")) if t)
        return ()

    found["title"] = text("dc:title")
    found["caption"] = text("dc:description")
    found["alt"] = text("Iptc4xmpCore:AltTextAccessibility")
    found["credit"] = text("photoshop:Credit")
    found["creator"] = text("dc:creator")
    found["license"] = text("xmpRights:UsageTerms") or text("dc:rights")
    found["date"] = (text("photoshop:DateCreated") or "")[:10] or None
    found["tags"] = bag("dc:subject")
    return {k: v for k, v in found.items() if v}


def _iim(image) -> dict[str, object]:
    from PIL import IptcImagePlugin

    try:
        raw = IptcImagePlugin.getiptcinfo(image) or {}
    except (SyntaxError, ValueError, OSError, IndexError):
        return {}
    found: dict[str, object] = {}
    for (record, dataset), value in raw.items():
        name = IIM_FIELDS.get(dataset) if record == 2 else None
        if not name:
            continue
        values = value if isinstance(value, list) else [value]
        texts = [v.decode("utf-8", "replace").strip() for v in values if isinstance(v, bytes)]
        texts = [t for t in texts if t]
        if not texts:
            continue
        if name == "tags":
            found[name] = tuple(texts)
        elif name == "date" and len(texts[0]) == 8 and texts[0].isdigit():
            found[name] = f"{texts[0][:4]}-{texts[0][4:6]}-{texts[0][6:]}"
        else:
            found[name] = texts[0]
    return found
