"""Each channel's version of a story as the preview shows it, in Chromium: the demo story about the
Königsallee goes to every channel, so its preview shows every house template, crop and count."""

from __future__ import annotations

import pytest

from tests.browser.conftest import format_violations

PREVIEW = "meldungen/40aef069036e.html"
# width : height of the picture each channel receives (CHANNEL_CROPS, SOCIAL_CROPS); None: no picture
RATIOS = {"facebook": 1.91, "instagram": 0.8, "instagram_story": 0.5625, "x": 16 / 9, "mastodon": 16 / 9,
          "bluesky": 16 / 9, "threads": 0.8, "linkedin": 1.91, "telegram": 16 / 9, "whatsapp": 1.91}
LIMITED = ("facebook", "instagram", "x", "mastodon", "bluesky", "threads", "linkedin", "telegram")

SECTIONS = """() => [...document.querySelectorAll('section.kanal')].map(section => ({
    name: section.querySelector('h2').id.replace('kanal-', ''),
    images: [...section.querySelectorAll('figure img')].map(image => ({
        loaded: image.complete && image.naturalWidth > 0,
        ratio: image.naturalWidth / image.naturalHeight,
        shown: image.getBoundingClientRect().width,
        caption: image.closest('figure').querySelector('figcaption').innerText})),
    texts: [...section.querySelectorAll('pre')].map(pre => pre.innerText),
    count: section.querySelector('.zaehlung') ? section.querySelector('.zaehlung').innerText : null,
}))"""


@pytest.mark.parametrize("width", [1280, 375])
def test_every_channel_shows_its_text_count_and_picture_as_it_will_appear(page, demo_output, axe, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto((demo_output.parent / "preview" / PREVIEW).as_uri())
    sections = {section["name"]: section for section in page.evaluate(SECTIONS)}
    assert set(RATIOS) <= set(sections)
    for name, ratio in RATIOS.items():
        section = sections[name]
        [image] = section["images"]
        assert image["loaded"], name
        assert abs(image["ratio"] - ratio) < 0.01, (name, image["ratio"])  # the channel's crop
        assert 0 < image["shown"] <= width, name  # scaled into the page, never wider than the screen
        assert "Alternativtext" in image["caption"] or "übermittelt keinen" in image["caption"], name
        assert section["texts"] and all(text.strip() for text in section["texts"]), name
    for name in LIMITED:  # counted against the channel's limit, the way the channel counts
        assert sections[name]["count"] and " von " in sections[name]["count"] and "passt" in sections[name]["count"]
    assert "http" not in sections["instagram"]["texts"][0] and "Profil" in sections["instagram"]["texts"][0]
    assert "#Düsseldorf" in sections["facebook"]["texts"][0]
    texts = [sections[name]["texts"][0] for name in ("facebook", "instagram", "x", "threads", "linkedin", "telegram")]
    assert len(set(texts)) == len(texts)  # each channel its own version
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    violations = axe(page)
    assert not violations, f"{PREVIEW} at {width} px:\n{format_violations(violations)}"
