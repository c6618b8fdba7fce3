"""One demo page of every page type, as site paths (the demo content of content/)."""

PAGE_TYPES = {
    "home": "",
    "story": "aktuelles/2026/02/rosenmontag-2026-das-muessen-jecken-wissen/",
    "list-thema": "themen/verkehr/",
    "list-stadtbezirk": "stadtbezirke/1/",
    "list-amt": "aemter/ordnungsamt/",
    "list-tag": "schlagworte/karneval/",
    "overview-themen": "themen/",
    "archive": "archiv/",
    "archive-month": "archiv/2025/11/",
    "feeds": "feeds/",
    "impressum": "impressum/",
    "datenschutz": "datenschutz/",
    "barrierefreiheit": "barrierefreiheit/",
    "kontakt": "kontakt/",
    "leichte-sprache": "leichte-sprache/",
    "abonnieren": "abonnieren/",
    "not-found": "404.html",
}
PAGE_TYPES["search"] = "suche/"
# The addresses readers shorten from a story's (plugins/stories/short_urls.py): index pages.
PAGE_TYPES.update({
    "short-index": "aktuelles/",
    "short-year": "aktuelles/2026/",
    "short-month": "aktuelles/2026/02/",
})
# The media portal (plugins/media_portal): home, filters, an album, a series and each kind of item.
PAGE_TYPES.update({
    "media-portal": "medienportal/",
    "media-overview": "medienportal/themen/",
    "media-album": "medienportal/alben/stadtansichten/",
    "media-series": "medienportal/reihen/video-wochenrueckblick/",
    "media-photo": "medienportal/medien/fotos/kaiserswerth-radweg/",
    "media-video": "medienportal/medien/videos/wochenrueckblick-2026-48/",
    "media-youtube": "medienportal/medien/videos/wochenrueckblick-2026-47/",
    "media-document": "medienportal/medien/dokumente/haushalt-2027-kurzfassung/",
})
# Press appointments (plugins/appointments): the list, one appointment, the next days.
PAGE_TYPES.update({
    "appointments": "presse/termine/",
    "appointment": "presse/termine/2026/haushalt-2027-pressegespraech/",
    "appointments-next-days": "presse/termine/heute/",
})
# The Presse section (plugins/press_room): the journalists' page, the releases, those of one Thema.
PAGE_TYPES.update({
    "press": "presse/",
    "press-releases": "presse/pressemitteilungen/",
    "press-releases-thema": "presse/pressemitteilungen/verkehr/",
})
# After publication (newsroom/content/amendments.py): a story with a correction and a change note,
# and a withdrawn one behind its notice.
PAGE_TYPES.update({
    "story-amended": "aktuelles/2025/10/mehr-als-150-verwaltungsleistungen-jetzt-online/",
    "story-withdrawn": "aktuelles/2023/04/termine-in-den-buergerbueros-jetzt-rund-um-die-uhr-online-buchbar/",
})
# Video in the page, Gebärdensprache and Leichte Sprache (issue 25): a story whose video plays in
# its page, the page with the video in Deutscher Gebärdensprache, the stories in Leichter Sprache.
PAGE_TYPES.update({
    "story-video": "aktuelles/2026/11/video-wochenrueckblick-haushalt-2027-und-radwege-in-kaiserswerth/",
    "gebaerdensprache": "gebaerdensprache/",
    "leichte-sprache-meldungen": "leichte-sprache/meldungen/",
})
# Pages in other languages (plugins/translations): a translated story and the English home page.
PAGE_TYPES.update({
    "story-english": "en/news/2026/05/japan-day-on-16-may-with-a-new-family-area/",
    "home-english": "en/",
    "search-english": "en/search/",
})
