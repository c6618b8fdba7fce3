"""A static page (Impressum, Datenschutz, Barrierefreiheit …): its fields and its reader.
Same front-matter rules and Markdown as stories; the static_pages plugin renders them and the
admin offers the same fields."""

from __future__ import annotations

from dataclasses import dataclass

from newsroom.content import frontmatter
from newsroom.content.schema import Fields
from newsroom.content.slugs import slugify
from newsroom.errors import ContentError, ContentErrors

PAGE_FIELDS = {"title", "summary", "slug", "form", "leichte_sprache", "dgs_video", "startseite"}
# Forms a page may show below its text (theme/templates/forms/<name>.html): the feedback form needs
# no server, the sign-up forms post to the subscription service (SUBSCRIPTIONS_URL).
PAGE_FORMS = ("barriere-melden", "abonnieren")


@dataclass
class StaticPage:
    source: str
    title: str
    summary: str | None
    slug: str
    body_html: str
    story_refs: list[str]
    form: str | None = None
    leichte_sprache: bool = False
    dgs_video: str | None = None  # a video in Deutscher Gebärdensprache below content/media, shown above the text
    dgs_video_line: int | None = None
    on_home_page: bool = False  # `startseite: true`: the home page shows the DGS video too (BITV 2.0 § 4)

    @property
    def url(self) -> str:
        return f"{self.slug}/"


def read_page(raw: bytes, source: str, stem: str, renderer) -> StaticPage:
    parts = frontmatter.split(raw, source)
    errors: list[ContentError] = []
    fields = Fields(parts.front, source, PAGE_FIELDS, errors, lines=parts.front_lines)
    title = fields.text("title", max_length=200)
    summary = fields.text("summary", required=False, max_length=300, single_line=False)
    slug = fields.text("slug", required=False) or slugify(stem)
    form = fields.choice("form", list(PAGE_FORMS), required=False)
    # A page in Leichte Sprache keeps every line break: one sentence a line.
    easy = fields.boolean("leichte_sprache")
    dgs_video = fields.text("dgs_video", required=False, max_length=300)
    on_home_page = fields.boolean("startseite")
    if on_home_page and not dgs_video:
        errors.append(ContentError(source, "„startseite: true“ zeigt das Video in Gebärdensprache dieser Seite auf "
                                   "der Startseite; dazu fehlt „dgs_video“.", line=fields.line_of("startseite"),
                                   field="startseite"))
    body = renderer.render(parts.body, line_breaks=easy)
    for message, needle in body.problems:
        index = parts.body.find(needle)
        errors.append(ContentError(source, message, line=parts.body_line + parts.body.count("\n", 0, max(index, 0))))
    if errors:
        raise ContentErrors(errors)
    return StaticPage(source, title, summary, slug, body.html, body.story_refs, form, easy, dgs_video,
                      fields.line_of("dgs_video") if dgs_video else None, on_home_page)
