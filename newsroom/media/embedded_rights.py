"""Credit, terms of use and caption written into every picture the site hands out, as photo
agencies and newsroom systems read them: IPTC-IIM in JPEG and XMP in JPEG and WebP.

IPTC-IIM (IIM 4.2, the IPTC's "Information Interchange Model") travels in a JPEG's APP13
segment as a Photoshop image resource block ("Photoshop 3.0", resource 8BIM 0x0404). The
datasets written: 1:90 CodedCharacterSet `ESC % G` (the texts are UTF-8), 2:00 record version,
2:80 By-line and 2:110 Credit (the credit), 2:116 Copyright Notice (the terms of use),
2:120 Caption-Abstract. Texts are not cut to the IIM's suggested lengths
(32 bytes for a by-line): the readers agencies use take longer ones, and a cut credit is wrong.

XMP (ISO 16684-1) carries the same with the IPTC Photo Metadata mapping: dc:creator,
dc:description, dc:rights, photoshop:Credit, xmpRights:UsageTerms, xmpRights:Marked and
xmpRights:WebStatement (the medium's page in the portal, with every detail of the medium).
Title and alt text stay out: each edit of them would draw every file of the photo again, and
an agency's import takes them from the page, where they are kept up to date.
WebP has no IPTC block; Pillow puts the packet in the RIFF `XMP ` chunk and sets the VP8X flag.
Originals in PNG, WebP and TIFF get the same packet (and the IIM datasets in TIFF) from the
container modules beside newsroom/media/originals.py.

What the files say is read back by newsroom/media/metadata.py the same way (a downloaded
rendition put into the library again describes itself). The XML is written by hand, every text
escaped (`<`, `>`, `&`, quotes), and characters XML 1.0 forbids or that turn text around
(bidirectional controls) are dropped, so no sidecar text can end the packet or add elements.
Same rights, same bytes: nothing depends on the clock or the machine.
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from newsroom.media.credits import credit_line

# C0 controls but tab and line feed, DEL and C1, bidirectional embeddings, overrides and isolates,
# the characters XML 1.0 forbids (U+FFFE, U+FFFF; lone surrogates cannot reach a str from UTF-8).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff]")
UTF8 = b"\x1b%G"  # ISO 2022 escape sequence for UTF-8 (IIM 1:90)
PHOTOSHOP = b"Photoshop 3.0\x00"
XMP_NAMESPACE = b"http://ns.adobe.com/xap/1.0/\x00"
IPTC_RESOURCE = 0x0404
XMP_BEGIN = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
XMP_END = '<?xpacket end="r"?>'
NAMESPACES = (
    ("x", "adobe:ns:meta/"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("dc", "http://purl.org/dc/elements/1.1/"),
    ("photoshop", "http://ns.adobe.com/photoshop/1.0/"),
    ("xmpRights", "http://ns.adobe.com/xap/1.0/rights/"),
)


@dataclass(frozen=True)
class EmbeddedRights:
    """What a picture handed out says about itself."""

    credit: str
    license: str | None = None
    caption: str | None = None
    page: str | None = None  # absolute address of the medium's page in the portal

    @classmethod
    def of(cls, item, page: str | None = None) -> EmbeddedRights:
        """From a MediaItem (newsroom/media/library.py)."""
        return cls(credit_line(item.credit, item.kind), item.license, item.caption, page)

    def signature(self) -> str:
        """Part of a rendition's cache key: other rights, other files."""
        return hashlib.sha256(repr(tuple(self.__dict__.items())).encode()).hexdigest()[:12]

    def texts(self) -> dict[str, str]:
        return {name: clean(value) for name, value in self.__dict__.items() if value and clean(value)}


def clean(text: str) -> str:
    return _UNSAFE.sub("", text).strip()


# -- IPTC-IIM ------------------------------------------------------------------------------------

def _dataset(record: int, number: int, data: bytes) -> bytes:
    if len(data) > 0x7FFF:  # longer values need the IIM's extended form; none of ours come close
        data = data[:0x7FFF]
    return struct.pack(">BBBH", 0x1C, record, number, len(data)) + data


def iim(rights: EmbeddedRights) -> bytes:
    """The IIM datasets: record 1 names the character set, record 2 holds the texts."""
    texts = rights.texts()
    datasets = [_dataset(1, 90, UTF8), _dataset(2, 0, b"\x00\x04")]
    for number, name in ((80, "credit"), (110, "credit"), (116, "license"), (120, "caption")):
        if name in texts:
            datasets.append(_dataset(2, number, texts[name].encode("utf-8")))
    return b"".join(datasets)


def app13(rights: EmbeddedRights) -> bytes:
    """The JPEG APP13 segment (marker included) with the IIM as Photoshop resource 0x0404."""
    data = iim(rights)
    resource = b"8BIM" + struct.pack(">H", IPTC_RESOURCE) + b"\x00\x00" + struct.pack(">I", len(data)) + data
    if len(data) % 2:
        resource += b"\x00"  # resources are padded to an even length
    body = PHOTOSHOP + resource
    return b"\xff\xed" + struct.pack(">H", len(body) + 2) + body


# -- XMP -------------------------------------------------------------------------------------------

def _alt(text: str) -> str:
    return f'<rdf:Alt><rdf:li xml:lang="x-default">{escape(text)}</rdf:li></rdf:Alt>'


def xmp(rights: EmbeddedRights) -> bytes:
    """The XMP packet (UTF-8, no padding: the files are written once, never edited in place)."""
    texts = rights.texts()
    properties = []
    if "credit" in texts:
        properties.append(f"<dc:creator><rdf:Seq><rdf:li>{escape(texts['credit'])}</rdf:li></rdf:Seq></dc:creator>")
    if "caption" in texts:
        properties.append(f"<dc:description>{_alt(texts['caption'])}</dc:description>")
    if "license" in texts:
        properties.append(f"<dc:rights>{_alt(texts['license'])}</dc:rights>")
    if "credit" in texts:
        properties.append(f"<photoshop:Credit>{escape(texts['credit'])}</photoshop:Credit>")
    if "license" in texts:
        properties.append(f"<xmpRights:UsageTerms>{_alt(texts['license'])}</xmpRights:UsageTerms>")
        properties.append("<xmpRights:Marked>True</xmpRights:Marked>")
    if "page" in texts:
        properties.append(f"<xmpRights:WebStatement>{escape(texts['page'])}</xmpRights:WebStatement>")
    declared = " ".join(f"xmlns:{prefix}={quoteattr(uri)}" for prefix, uri in NAMESPACES[2:])
    packet = (f'{XMP_BEGIN}<x:xmpmeta xmlns:x="{NAMESPACES[0][1]}"><rdf:RDF xmlns:rdf="{NAMESPACES[1][1]}">'
              f'<rdf:Description rdf:about="" {declared}>{"".join(properties)}</rdf:Description>'
              f"</rdf:RDF></x:xmpmeta>{XMP_END}")
    return packet.encode("utf-8")


def app1_xmp(rights: EmbeddedRights) -> bytes:
    """The JPEG APP1 segment (marker included) holding the XMP packet."""
    # The sidecar's length limits (newsroom/media/library.py) keep the packet far below a segment's 64 KB.
    body = XMP_NAMESPACE + xmp(rights)
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def save_options(rights: EmbeddedRights | None, fmt: str) -> dict:
    """Pillow's save options that embed `rights` ("jpg": XMP and the APP13 segment; "webp": XMP)."""
    if rights is None:
        return {}
    if fmt == "jpg":  # XMP's APP1 first, then APP13, the order the files of cameras and agencies have
        return {"extra": app1_xmp(rights) + app13(rights)}
    return {"xmp": xmp(rights)}

