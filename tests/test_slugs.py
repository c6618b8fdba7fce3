import pytest

from newsroom.content.slugs import slugify


@pytest.mark.parametrize("text, slug", [
    ("Straßenbahn über die Königsallee", "strassenbahn-ueber-die-koenigsallee"),
    ("Öffnungszeiten im Bürgerbüro Süd", "oeffnungszeiten-im-buergerbuero-sued"),
    ("Umwelt & Klima", "umwelt-und-klima"),
    ("Café an der Rheinuferpromenade", "cafe-an-der-rheinuferpromenade"),
    ("  Japan-Tag 2026: Feuerwerk!  ", "japan-tag-2026-feuerwerk"),
    ("ÄÖÜ ẞ", "aeoeue-ss"),
])
def test_german_transliteration(text, slug):
    assert slugify(text) == slug


def test_long_titles_are_cut_at_a_word_boundary():
    slug = slugify("Verkehrsversuch " * 12)
    assert len(slug) <= 80
    assert slug.endswith("verkehrsversuch")
