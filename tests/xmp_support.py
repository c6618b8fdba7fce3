"""Reading XMP packets back in the tests: a plain XML parser and namespace names of its own, so a
mistake in newsroom's XMP writer or its namespace table cannot hide itself (newsroom is not imported)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "xmpRights": "http://ns.adobe.com/xap/1.0/rights/",
}
# The packet wrapper of XMP part 1, 7.3: a UTF-8 byte order mark in the header, read-only trailer
BEGIN = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
END = '<?xpacket end="r"?>'


def xmp_root(packet: bytes) -> ET.Element:
    """The x:xmpmeta element of a whole packet: UTF-8, one header and one trailer, and nothing but the
    one XML element between them (ET refuses text or a second element after it)."""
    text = packet.decode("utf-8")
    assert text.startswith(BEGIN) and text.endswith(END), text[:80]
    assert text.count("<?xpacket") == 2
    root = ET.fromstring(text[len(BEGIN):-len(END)])
    assert root.tag == f"{{{NS['x']}}}xmpmeta", root.tag
    return root


def description(packet: bytes) -> ET.Element:
    """The packet's one rdf:Description."""
    [node] = xmp_root(packet).findall(".//rdf:Description", NS)
    return node


def value(node: ET.Element, path: str) -> str:
    """The text of the one element at `path` below `node`; a value is a leaf, never a container."""
    [found] = node.findall(path, NS)
    assert len(found) == 0, path
    return found.text or ""
