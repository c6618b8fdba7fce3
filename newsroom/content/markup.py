"""A story body in Markdown → HTML, the same way for every channel.

Raw HTML is shown as text, never passed through; headings start at h2 under the page's
h1; `story:<id>` and `media:<path>` references are kept as placeholders in the HTML
and collected, so a rendered body can be cached and its links resolved at write time.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import markdown
from markdown.extensions import Extension
from markdown.extensions.abbr import AbbrExtension
from markdown.extensions.def_list import DefListExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import TocExtension
from markdown.inlinepatterns import SubstituteTagInlineProcessor
from markdown.treeprocessors import Treeprocessor

from newsroom.content.slugs import slugify

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}


@dataclass
class RenderedBody:
    html: str
    story_refs: list[str] = field(default_factory=list)
    media_refs: list[str] = field(default_factory=list)
    # (German message, text to find the line by)
    problems: list[tuple[str, str]] = field(default_factory=list)


class _BodyChecks(Treeprocessor):
    """Shifts headings, checks every link and image, collects story and media references."""

    def __init__(self, md, result_holder):
        super().__init__(md)
        self.holder = result_holder

    def run(self, root: etree.Element) -> None:
        result = self.holder.current
        levels = [int(el.tag[1]) for el in root.iter() if el.tag in _HEADINGS]
        shift = max(0, self.holder.top_level - min(levels)) if levels else 0
        for el in root.iter():
            if shift and el.tag in _HEADINGS:
                el.tag = f"h{min(6, int(el.tag[1]) + shift)}"
            elif el.tag == "a":
                self._check_reference(el.get("href", ""), result, kind="Link")
            elif el.tag == "img":
                src = el.get("src", "")
                self._check_reference(src, result, kind="Bild")
                if not (el.get("alt") or "").strip():
                    result.problems.append(
                        (f"Das Bild „{src}“ hat keinen Alternativtext: ![Beschreibung]({src})", src)
                    )
                el.set("loading", "lazy")

    @staticmethod
    def _check_reference(target: str, result: RenderedBody, *, kind: str) -> None:
        if not target or target.startswith("#"):
            return
        scheme = urlsplit(target).scheme.lower()
        if scheme == "story":
            result.story_refs.append(target[len("story:"):])
        elif scheme == "media":
            result.media_refs.append(target[len("media:"):])
        elif scheme in _ALLOWED_SCHEMES or target.startswith("/"):
            return
        elif scheme:
            result.problems.append((f"{kind} mit „{scheme}:“ ist nicht erlaubt: {target}", target))
        elif target.startswith("../") or "/../" in target:
            result.problems.append(
                (f"{kind} „{target}“ verweist auf eine Datei außerhalb von content/. "
                 "Für Medien bitte media:<pfad> verwenden, für Meldungen story:<id>.", target)
            )
        else:
            result.problems.append(
                (f"{kind} „{target}“ ist ein relativer Pfad. Bitte media:<pfad>, story:<id> "
                 "oder eine vollständige Adresse (https://…) verwenden.", target)
            )


class _Holder:
    current: RenderedBody
    top_level: int = 2  # the highest heading a text may have on its page


class BodyExtension(Extension):
    def __init__(self, holder: _Holder):
        super().__init__()
        self.holder = holder

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API name)
        # Editors' raw HTML is escaped: no script, iframe or style can reach a page.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_BodyChecks(md, self.holder), "newsroom_checks", 1)


class BodyRenderer:
    """Reusable Markdown converter (one per process: building one is costly)."""

    def __init__(self) -> None:
        self._holder = _Holder()
        # Instances, not names: a name is looked up among every installed package's entry
        # points first, which costs a build that parses one story some 30 ms.
        self._md = markdown.Markdown(
            extensions=[
                TableExtension(), FootnoteExtension(), DefListExtension(), AbbrExtension(),
                SaneListExtension(), TocExtension(slugify=lambda value, separator: slugify(value)),
                BodyExtension(self._holder),
            ],
            output_format="html",
        )

    def render(self, body: str, top_level: int = 2, line_breaks: bool = False) -> RenderedBody:
        """`top_level`: headings start there (2 below the page's h1; 3 inside a section).
        `line_breaks`: every line break is kept (Leichte Sprache: each sentence on a line of its own)."""
        result = RenderedBody(html="")
        self._holder.current = result
        self._holder.top_level = top_level
        if line_breaks:
            self._md.inlinePatterns.register(SubstituteTagInlineProcessor(r"\n", "br"), "line_breaks", 5)
        elif "line_breaks" in self._md.inlinePatterns:
            self._md.inlinePatterns.deregister("line_breaks")
        self._md.reset()
        result.html = self._md.convert(body)
        return result

