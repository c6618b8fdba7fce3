"""A story body (our Markdown's HTML, links absolute) as plain text for the mail's text part.

Paragraphs and headings become blocks separated by a blank line, list items start
with "– " (numbered lists with their number), links keep their address in angle
brackets, images become "[Bild: Alternativtext]"; lines are wrapped at 72 characters
without breaking addresses.
"""

from __future__ import annotations

import textwrap
from html.parser import HTMLParser

WIDTH = 72
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "blockquote", "tr", "pre", "div", "hr"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str, int | None]] = []  # (prefix, text, list or table it belongs to)
        self.group = 0
        self.current: list[str] = []
        self.lists: list[list] = []  # per open list: [ordered, counter]
        self.links: list[tuple[str | None, bool]] = []  # open links: (href, is a footnote mark)
        self.quote = 0
        self.cells: list[str] | None = None
        self.pre = 0
        self.in_item = False  # the next block is a list item's first: it gets the marker
        self.link_start = 0
        self.row = False
        self.skip = 0  # inside a footnote's back link

    def flush(self) -> None:
        text = "".join(self.current)
        self.current = []
        if not self.pre:
            text = " ".join(text.split())
        if text.strip():
            prefix = "> " * self.quote
            tight = self.group if (self.lists or self.row) else None
            if self.lists and self.in_item:
                ordered, number = self.lists[-1]
                marker = f"{number}. " if ordered else "– "
                prefix += "  " * (len(self.lists) - 1) + marker
                self.in_item = False
            self.blocks.append((prefix, text, tight))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("ul", "ol", "table"):
            self.flush()
            self.group += not self.lists
            if tag != "table":
                self.lists.append([tag == "ol", 0])
        elif tag == "li":
            self.flush()
            if self.lists:
                self.lists[-1][1] += 1
            self.in_item = True
        elif tag == "blockquote":
            self.flush()
            self.quote += 1
        elif tag == "pre":
            self.flush()
            self.pre += 1
        elif tag == "tr":
            self.flush()
            self.cells = []
        elif tag in ("td", "th") and self.cells is not None:
            self.current = []
        elif tag in _BLOCKS:
            self.flush()
        elif tag == "br":
            self.current.append("\n" if self.pre else " ")
        elif tag == "a":
            kind = attrs.get("class") or ""
            if "footnote-backref" in kind:
                self.skip += 1
            elif "footnote-ref" in kind:
                self.current.append("[")
            self.links.append((attrs.get("href"), "footnote-ref" in kind))
            self.link_start = len("".join(self.current))
        elif tag == "img":
            alt = (attrs.get("alt") or "").strip()
            self.current.append(f"[Bild: {alt}]" if alt else "[Bild]")

    def handle_endtag(self, tag):
        if tag in ("ul", "ol"):
            self.flush()
            if self.lists:
                self.lists.pop()
        elif tag == "blockquote":
            self.flush()
            self.quote = max(0, self.quote - 1)
        elif tag == "pre":
            self.flush()
            self.pre = max(0, self.pre - 1)
        elif tag in ("td", "th") and self.cells is not None:
            self.cells.append(" ".join("".join(self.current).split()))
            self.current = []
        elif tag == "tr" and self.cells is not None:
            self.current = [" | ".join(self.cells)]
            self.cells = None
            self.row = True
            self.flush()
            self.row = False
        elif tag == "a" and self.links:
            href, footnote = self.links.pop()
            if self.skip:
                self.skip -= 1
                return
            if footnote:
                self.current.append("]")
            label = "".join(self.current)[self.link_start:].strip()
            if href and not href.startswith("#") and href != label and f"mailto:{label}" != href:
                shown = href[len("mailto:"):] if href.startswith("mailto:") else href
                self.current.append(f" <{shown}>")
        elif tag in _BLOCKS:
            self.flush()

    def handle_data(self, data):
        if not self.skip:
            self.current.append(data)


def html_to_text(html: str, width: int = WIDTH) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    parser.flush()
    out, previous = [], None
    for prefix, text, group in parser.blocks:
        if "\n" in text:
            block = "\n".join(prefix + line for line in text.splitlines())
        else:
            indent = " " * len(prefix) if prefix.endswith(("– ", ". ")) else prefix
            block = textwrap.fill(text, width, initial_indent=prefix, subsequent_indent=indent,
                                  break_long_words=False, break_on_hyphens=False)
        if out:
            out.append("\n" if group is not None and group == previous else "\n\n")
        out.append(block)
        previous = group
    return "".join(out)
