"""Merging Pagefind indexes of parts of the site into the one index Pagefind would write.

Pagefind keeps everything it learns about every page in memory until it writes the index
(about 100 KB per story page, so 2.5 GB for 25,000 stories). `newsroom.search.index` therefore lets
it index the marked pages in parts of a few thousand pages, one process after the other, and
this module joins the parts' indexes into one, as Pagefind itself lays it out:

- `fragment/*.pf_fragment`: one record per page (URL, text, title, meta), named by the SHA-1 of
  its content. Linked over; a page whose short name another part's page already has gets a longer one,
  as Pagefind does within one run.
- `index/*.pf_index`: the words, sorted, in chunks; per word the pages it occurs on (page
  numbers as differences to the previous one), per page the word's positions and its positions
  in meta fields (which name the field by its number in the meta's list of fields), then the
  word's forms with diacritics ("ältere" under "alt"), each with such a page list, in the order
  they first occur. The pages of part n are numbered after those of parts 0 … n-1, so only the
  first page of each part's list is rebased; positions are copied unchanged, field numbers
  renumbered where a part knew fewer fields. Chunks are cut as Pagefind cuts them (at 20,000
  entries of the words' own pages) and named by the SHA-1 of their bytes.
- `pagefind.<lang>_<hash>.pf_meta`: the pages (fragment name, word count) in that order, the
  chunks' first and last words, the meta fields used; `pagefind-entry.json` points to it.

All of these are CBOR (only unsigned and negative integers, text and arrays occur), gzipped
behind Pagefind's "pagefind_dcd" signature. The format is Pagefind's own and not a documented
interface, so the merge checks the version it was written for and anything it does not know
(filters, sort keys, a second language, another version) raises `MergeUnsupported`; the caller
then indexes the site in one run as before. The tests compare a merged index with a single run's.
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import json
import os
import shutil
from pathlib import Path

from newsroom.errors import MergeUnsupported

VERSIONS = ("1.5.2",)  # the index layouts this module was written and tested for
SIGNATURE = b"pagefind_dcd"
CHUNK_POSITIONS = 20000  # Pagefind cuts a chunk once its words' own pages hold this many entries
COMPRESSION = 6


# -- CBOR, the subset Pagefind writes ---------------------------------------------------------


def _decode(data: bytes, at: int = 0):
    initial = data[at]
    major, info = initial >> 5, initial & 31
    at += 1
    if info < 24:
        value = info
    elif info < 28:
        size = 1 << (info - 24)
        value = int.from_bytes(data[at:at + size], "big")
        at += size
    else:
        raise MergeUnsupported(f"CBOR: Kopf {initial:#x} wird nicht unterstützt")
    if major == 0:
        return value, at
    if major == 1:
        return -1 - value, at
    if major == 3:
        return data[at:at + value].decode("utf-8"), at + value
    if major == 4:
        items = []
        for _ in range(value):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    raise MergeUnsupported(f"CBOR: Typ {major} wird nicht unterstützt")


def _head(major: int, value: int, out: bytearray) -> None:
    if value < 24:
        out.append(major << 5 | value)
    elif value < 0x100:
        out.extend((major << 5 | 24, value))
    elif value < 0x10000:
        out.append(major << 5 | 25)
        out.extend(value.to_bytes(2, "big"))
    elif value < 0x100000000:
        out.append(major << 5 | 26)
        out.extend(value.to_bytes(4, "big"))
    else:
        out.append(major << 5 | 27)
        out.extend(value.to_bytes(8, "big"))


def _encode(value, out: bytearray) -> bytearray:
    """Shortest heads and definite lengths, as Pagefind's encoder (minicbor) writes them."""
    if isinstance(value, list):
        _head(4, len(value), out)
        for item in value:
            _encode(item, out)
    elif isinstance(value, str):
        raw = value.encode("utf-8")
        _head(3, len(raw), out)
        out.extend(raw)
    elif value >= 0:
        _head(0, value, out)
    else:
        _head(1, -1 - value, out)
    return out


def _read(path: Path):
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise MergeUnsupported(f"{path.name}: keine Pagefind-Datei")
    value, end = _decode(data, len(SIGNATURE))
    if end != len(data):
        raise MergeUnsupported(f"{path.name}: unerwartete Daten am Ende")
    return value


def _hash(body: bytes) -> str:
    # Pagefind writes each byte of the SHA-1 in hex without a leading zero.
    return "".join(format(byte, "x") for byte in hashlib.sha1(body).digest())


def _write(path: Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(SIGNATURE + body, compresslevel=COMPRESSION, mtime=0))


def _short(full: str, length: int, taken: dict[str, str]) -> str:
    """The shortest name of at least `length` characters no other content has taken yet."""
    while full[:length] in taken and taken[full[:length]] != full:
        length += 1
    taken[full[:length]] = full
    return full[:length]


# -- word entries, read as byte ranges ---------------------------------------------------------
#
# A chunk holds millions of positions at 25,000 pages; decoding each into a Python int and
# encoding it again cost ten seconds per 5,000 pages. Only the first page number of each
# part's posting list changes, so a list is kept as its first posting's page and remaining
# bytes plus the bytes of all further postings, and copied as they are.

# Bytes an integer item takes, by its first byte (positions are small unsigned or negative ints);
# 0 for anything else, which then fails the structure checks that follow.
_ITEM = tuple(0 if b >> 5 > 1 else 1 if b & 31 < 24 else 1 + (1 << ((b & 31) - 24)) if b & 31 < 28 else 0
              for b in range(256))


def _uint(data: bytes, at: int) -> tuple[int, int]:
    info = data[at] & 31
    if info < 24:
        return info, at + 1
    size = 1 << (info - 24)
    return int.from_bytes(data[at + 1:at + 1 + size], "big"), at + 1 + size


def _text(data: bytes, at: int) -> tuple[str, int]:
    if data[at] >> 5 != 3:
        raise MergeUnsupported("Wort erwartet")
    size, at = _uint(data, at)
    return data[at:at + size].decode("utf-8"), at + size


def _array(data: bytes, at: int) -> tuple[int, int]:
    if data[at] >> 5 != 4:
        raise MergeUnsupported("Liste erwartet")
    return _uint(data, at)


class _Postings:
    """One posting list of one part: [[page difference, [positions], [meta positions]], …]."""

    __slots__ = ("count", "first", "first_rest", "tail", "last", "size")

    @classmethod
    def read(cls, data: bytes, at: int) -> tuple[_Postings, int]:
        # The hot loop of the merge (a million postings per 5,000 pages), hence written out.
        postings = cls()
        postings.count, at = _array(data, at)
        item, size, page, tail_start = _ITEM, 0, 0, at
        for n in range(postings.count):
            if data[at] != 0x83:
                raise MergeUnsupported("Seiteneintrag erwartet")
            if data[at + 1] < 24:
                delta, at = data[at + 1], at + 2
            else:
                delta, at = _uint(data, at + 1)
            rest = at
            for _ in range(2):  # the positions, then the meta positions: arrays of integers
                head = data[at]
                if head >> 5 != 4:
                    raise MergeUnsupported("Positionen erwartet")
                if head & 31 < 24:
                    length, at = head & 31, at + 1
                else:
                    length, at = _uint(data, at)
                size += length
                for _ in range(length):
                    at += item[data[at]]
            size += 1
            page += delta
            if n == 0:
                postings.first, postings.first_rest, tail_start = delta, data[rest:at], at
        postings.tail, postings.last, postings.size = data[tail_start:at], page, size
        return postings, at


def _renumber_fields(data: bytes, at: int, fields: tuple[int, ...]) -> tuple[bytes, int]:
    """A posting list whose meta positions name their meta field by its number in the part's
    list of fields (-1 for the first); rewritten for the merged list. Returns (bytes, end)."""
    postings, end = _decode(data, at)
    for posting in postings:
        posting[2] = [-1 - fields[-1 - value] if value < 0 else value for value in posting[2]]
    return bytes(_encode(postings, bytearray())), end


def _postings(data: bytes, at: int, fields: tuple[int, ...] | None) -> tuple[_Postings, int]:
    if fields is None:
        return _Postings.read(data, at)
    rewritten, end = _renumber_fields(data, at, fields)
    return _Postings.read(rewritten, 0)[0], end


def _chunk_words(data: bytes, fields: tuple[int, ...] | None = None):
    """(word, own postings, [(form, postings)]) for each word of a chunk's bytes; `fields` maps
    the part's meta field numbers to the merged ones (None: the same)."""
    if data[0] != 0x81:
        raise MergeUnsupported("Indexteil erwartet")
    count, at = _array(data, 1)
    for _ in range(count):
        if data[at] != 0x83:
            raise MergeUnsupported("Worteintrag erwartet")
        word, at = _text(data, at + 1)
        own, at = _postings(data, at, fields)
        forms, at = _array(data, at)
        variants = []
        for _ in range(forms):
            if data[at] != 0x82:
                raise MergeUnsupported("Wortform erwartet")
            form, at = _text(data, at + 1)
            postings, at = _postings(data, at, fields)
            variants.append((form, postings))
        yield word, own, variants
    if at != len(data):
        raise MergeUnsupported("unerwartete Daten am Ende eines Indexteils")


class _Joined:
    """A posting list joined from several parts, written straight into bytes."""

    __slots__ = ("count", "body", "last")

    def __init__(self):
        self.count, self.body, self.last = 0, bytearray(), -1

    def add(self, postings: _Postings, offset: int) -> None:
        if not postings.count:
            return
        page = postings.first + offset
        self.body.append(0x83)
        _head(0, page - self.last if self.last >= 0 else page, self.body)
        self.body += postings.first_rest
        self.body += postings.tail
        self.count += postings.count
        self.last = postings.last + offset

    def write(self, out: bytearray) -> None:
        _head(4, self.count, out)
        out += self.body


def _encode_word(word: str, own: _Joined, variants: dict[str, _Joined], out: bytearray) -> None:
    out.append(0x83)
    _encode(word, out)
    own.write(out)
    _head(4, len(variants), out)
    for form, postings in variants.items():  # in the order they first occur, as Pagefind lists them
        out.append(0x82)
        _encode(form, out)
        postings.write(out)


# -- the merge ----------------------------------------------------------------------------------


class _Part:
    def __init__(self, folder: Path):
        self.folder = folder
        self.entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
        if self.entry.get("version") not in VERSIONS:
            raise MergeUnsupported(f"Pagefind {self.entry.get('version')} wird nicht unterstützt")
        languages = self.entry["languages"]
        if len(languages) != 1:
            raise MergeUnsupported("mehr als eine Sprache")
        (self.language, about), = languages.items()
        meta = _read(folder / f"pagefind.{about['hash']}.pf_meta")
        if len(meta) != 6 or meta[3] or meta[4]:  # filters and sort keys are not merged
            raise MergeUnsupported("Filter oder Sortierschlüssel")
        self.version, self.pages, self.chunks, self.fields = meta[0], meta[1], meta[2], meta[5]

    def words(self, number: int, offset: int, fields: list[str]):
        """(word, part number, offset, own postings, variants) for every word of this part, sorted."""
        renumber = None if self.fields == fields else tuple(fields.index(field) for field in self.fields)
        for _first, _last, name in self.chunks:
            data = gzip.decompress((self.folder / "index" / f"{name}.pf_index").read_bytes())
            if not data.startswith(SIGNATURE):
                raise MergeUnsupported(f"{name}: keine Pagefind-Datei")
            for word, own, variants in _chunk_words(data[len(SIGNATURE):], renumber):
                yield word, number, offset, own, variants


def _prefixes(before: str, after: str) -> tuple[str, str]:
    common = 0
    for a, b in zip(after, before):
        if a != b:
            break
        common += 1
    return before[:common + 1], after[:common + 1]


class _Fragments:
    """Links the parts' page records into the target; a short name that two different pages
    share is made longer for the later one, as Pagefind does within one run."""

    def __init__(self, target: Path, language: str):
        self.folder, self.language = target / "fragment", language
        self.folder.mkdir(parents=True)
        self.taken: dict[str, Path] = {}

    def add(self, name: str, source: Path) -> str:
        short = name[len(self.language) + 1:]
        if short in self.taken:
            full, length = self._full(source), len(short)
            while full[:length] in self.taken and self._full(self.taken[full[:length]]) != full:
                length += 1
            short = full[:length]
        destination = self.folder / f"{self.language}_{short}.pf_fragment"
        try:
            os.link(source, destination)  # the parts stay as they are: the next run may use them again
        except OSError:
            shutil.copyfile(source, destination)
        self.taken[short] = destination
        return f"{self.language}_{short}"

    @staticmethod
    def _full(path: Path) -> str:
        return _hash(gzip.decompress(path.read_bytes())[len(SIGNATURE):])


def merge(parts: list[Path], target: Path) -> int:
    """Join the indexes in `parts` (in this order; they are left as they are) into `target`,
    which must not exist yet; returns the number of pages."""
    loaded = [_Part(folder) for folder in parts]
    if not loaded:
        raise MergeUnsupported("keine Teile")
    first = loaded[0]
    if any((p.language, p.version) != (first.language, first.version) for p in loaded):
        raise MergeUnsupported("Teile verschiedener Sprache oder Version")
    language = first.language
    target.mkdir(parents=True)
    for path in first.folder.iterdir():  # the bundle's scripts, styles and WebAssembly
        if path.is_file() and not path.name.endswith(".pf_meta") and path.name != "pagefind-entry.json":
            shutil.copy2(path, target / path.name)

    pages, offsets, fragments = [], [], _Fragments(target, language)
    for part in loaded:
        offsets.append(len(pages))
        for name, word_count in part.pages:
            pages.append([fragments.add(name, part.folder / "fragment" / f"{name}.pf_fragment"), word_count])

    chunks: list[list[str]] = []
    names: dict[str, str] = {}
    chunk, words, size = bytearray(), [], 0

    def close_chunk() -> None:
        body = bytearray((0x81,))
        _head(4, len(words), body)
        body = bytes(body + chunk)
        name = _short(_hash(body), 7, names)
        _write(target / "index" / f"{language}_{name}.pf_index", body)
        chunks.append([words[0], words[-1], f"{language}_{name}"])

    fields = sorted({field for part in loaded for field in part.fields})  # the meta fields, as Pagefind lists them
    streams = [part.words(n, offset, fields) for n, (part, offset) in enumerate(zip(loaded, offsets))]
    current, own, variants, own_size = None, _Joined(), {}, 0
    for word, _n, offset, postings, forms in heapq.merge(*streams, key=lambda item: (item[0], item[1])):
        if word != current:
            if current is not None:
                _encode_word(current, own, variants, chunk)
                words.append(current)
                size += own_size
                if size >= CHUNK_POSITIONS:  # Pagefind counts the word's own pages only
                    close_chunk()
                    chunk, words, size = bytearray(), [], 0
            current, own, variants, own_size = word, _Joined(), {}, 0
        own.add(postings, offset)
        own_size += postings.size
        for form, form_postings in forms:
            variants.setdefault(form, _Joined()).add(form_postings, offset)
    if current is not None:
        _encode_word(current, own, variants, chunk)
        words.append(current)
    if words:
        close_chunk()
    for left, right in zip(chunks, chunks[1:]):
        last = left[1]
        left[1], right[0] = _prefixes(last, right[0])
        if left[1] < left[0]:  # the short form would end the chunk before it starts
            left[1] = last

    body = bytes(_encode([first.version, pages, chunks, [], [], fields], bytearray()))
    meta_hash = f"{language}_{_hash(body)[:10]}"
    _write(target / f"pagefind.{meta_hash}.pf_meta", body)
    entry = dict(first.entry)
    entry["languages"] = {language: {**first.entry["languages"][language], "hash": meta_hash,
                                     "page_count": len(pages)}}
    (target / "pagefind-entry.json").write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")),
                                                encoding="utf-8")
    return len(pages)
