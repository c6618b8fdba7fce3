"""Share links (newsroom/share_links.py): each platform's address with the story's address and
title percent-encoded, the order and choice of SHARE_LINKS, and none on a withdrawn story."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from newsroom.errors import SettingsErrors
from newsroom.settings import with_defaults
from newsroom.share_links import BLUESKY_LIMIT, CHANNELS, share_links
from tests.test_amendments_site import WITHDRAWN_KEPT

URL = "https://www.duesseldorf.de/aktuelles/2026/11/rhein-&-ruhr/?a=1#b"
TITLE = "Grün & schön: 50 % mehr Bäume – „Allee“ #Düsseldorf"
NOTE = "Eine Meldung der Landeshauptstadt Düsseldorf."


def query(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query, keep_blank_values=True, strict_parsing=True)


def test_each_platform_gets_its_documented_address_with_everything_encoded():
    links = {link.channel: link for link in share_links(CHANNELS, URL, TITLE, NOTE)}
    assert list(links) == list(CHANNELS)
    expected = {
        "facebook": ("https", "www.facebook.com", "/sharer/sharer.php", {"u": [URL]}),
        "x": ("https", "twitter.com", "/intent/tweet", {"text": [TITLE], "url": [URL]}),
        "linkedin": ("https", "www.linkedin.com", "/sharing/share-offsite/", {"url": [URL]}),
        "whatsapp": ("https", "wa.me", "/", {"text": [f"{TITLE} {URL}"]}),
        "bluesky": ("https", "bsky.app", "/intent/compose", {"text": [f"{TITLE} {URL}"]}),
        "email": ("mailto", "", "", {"subject": [TITLE],
                                    "body": [f"{TITLE}\r\n{URL}\r\n\r\n{NOTE}"]}),
    }
    for channel, (scheme, host, path, fields) in expected.items():
        href = links[channel].href
        parts = urlsplit(href)
        assert (parts.scheme, parts.netloc, parts.path, parts.fragment) == (scheme, host, path, ""), href
        assert query(href) == fields, href
        # Percent-encoding only: no space, no plus (a plus is a plus in mailto:), no raw &, # or quote.
        assert not re.search(r"[ +#\"<>„“–äöüÄÖÜß]", href), href


def test_a_long_title_is_shortened_for_bluesky_and_the_address_stays_whole():
    title = "Sehr lange Überschrift " * 30
    [link] = share_links(["bluesky"], URL, title, NOTE)
    text = query(link.href)["text"][0]
    assert len(text) == BLUESKY_LIMIT and text.endswith(f"… {URL}")


def test_the_setting_chooses_and_orders_the_links_and_refuses_unknown_ones():
    assert [link.channel for link in share_links(["email", "x"], URL, TITLE, NOTE)] == ["email", "x"]
    assert with_defaults({})["SHARE_LINKS"] == list(CHANNELS)
    with pytest.raises(SettingsErrors) as caught:
        with_defaults({"SHARE_LINKS": ["facebook", "mastodon"]})
    assert "SHARE_LINKS" in str(caught.value) and "unbekannter Kanal mastodon" in str(caught.value)


def shared(page: str) -> list[tuple[str, str]]:
    """(href, accessible text) of each share link of a page."""
    section = re.search(r'<section class="share".*?</section>', page, re.S)
    if not section:
        return []
    return [(unescape(href), re.sub(r"<[^>]+>", "", text))
            for href, text in re.findall(r'<a class="share-link[^"]*" href="([^"]*)"[^>]*>(.*?)</a>', section.group(0),
                                         re.S)]


def test_story_pages_share_their_address_and_a_withdrawn_one_does_not(site):
    site.story()
    site.story("2026/sperrung.md", **WITHDRAWN_KEPT)
    site.commit("Meldungen", "2026-11-25 09:00")
    site.build()
    page = site.page("aktuelles/2026/11/neue-radwege-am-rheinufer/index.html")
    links = shared(page)
    assert [text for _, text in links] == ["Auf Facebook teilen", "Auf X teilen", "Auf LinkedIn teilen",
                                           "Per WhatsApp teilen", "Auf Bluesky teilen", "Per E-Mail senden"]
    address = "http://localhost:8000/aktuelles/2026/11/neue-radwege-am-rheinufer/"
    encoded = address.replace(":", "%3A").replace("/", "%2F")
    assert links[0][0] == f"https://www.facebook.com/sharer/sharer.php?u={encoded}"
    assert query(links[1][0]) == {"text": ["Neue Radwege am Rheinufer"], "url": [address]}
    # Plain links: no script, nothing opening by itself; noopener for those leaving the site.
    assert "<script" not in page.split('<section class="share"')[1].split("</section>")[0]
    assert page.count('rel="noopener"') == 5 and 'target="_blank"' not in page
    assert shared(site.page("aktuelles/2026/11/ruecknahme-der-sperrung/index.html")) == []


def test_no_share_links_when_the_setting_is_empty(site):
    site.story()
    site.commit("Meldung", "2026-11-20 09:00")
    site.build(SHARE_LINKS=[])
    page = site.page("aktuelles/2026/11/neue-radwege-am-rheinufer/index.html")
    assert 'class="share"' not in page and "share-heading" not in page
