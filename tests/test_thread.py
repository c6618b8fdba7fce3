"""Splitting an own text into a thread (newsroom/publishing/thread.py): paragraph, then sentence,
then word; numbers and the link counted in every part's limit; the link in the first."""

from __future__ import annotations

from newsroom.publishing.text import weighted_length
from newsroom.publishing.thread import part_key, thread_parts

URL = "https://www.duesseldorf.de/aktuelles/2026/11/neue-radwege-am-rheinufer/"


def mastodon(text: str) -> int:
    return weighted_length(text, 23)


def test_a_text_that_fits_with_its_link_is_no_thread():
    assert thread_parts("Kurz und gut.", URL, count=mastodon, limit=500) == ()
    assert thread_parts("x" * 475, URL, count=mastodon, limit=500) == ()  # 475 + 2 + 23


def test_parts_end_at_paragraphs_where_one_fits():
    first, second, third = "A" * 120 + ".", "B" * 120 + ".", "C" * 120 + "."
    parts = thread_parts(f"{first}\n\n{second}\n\n{third}", URL, count=len, limit=300)
    # The first paragraph and the link fit; two paragraphs and the link do not.
    assert parts == (f"{first} (1/2)\n\n{URL}", f"{second}\n\n{third} (2/2)")


def test_a_paragraph_too_long_ends_at_a_sentence_then_a_word():
    sentence = "Der Radweg wird breiter. "  # 25 characters
    parts = thread_parts(sentence * 12, None, count=len, limit=100)
    # Four sentences and their number would be 105 characters: three, then the next part.
    assert parts[0] == f"{sentence * 2}{sentence.strip()} (1/4)" and parts[1].startswith("Der Radweg")
    assert all(len(part) <= 100 for part in parts) and len(parts) == 4
    words = thread_parts("Radweg " * 30, None, count=len, limit=50)
    assert words[0] == "Radweg Radweg Radweg Radweg Radweg Radweg (1/5)" and all(len(p) <= 50 for p in words)


def test_numbers_and_the_link_count_as_the_channel_counts():
    parts = thread_parts("Wort " * 200, URL, count=mastodon, limit=500)
    assert [mastodon(part) for part in parts] == [500, 500, 40]  # the link as 23: 71 characters would not fit
    assert parts[0].endswith(f"(1/3)\n\n{URL}") and all(URL not in part for part in parts[1:])
    assert [part.split("(")[-1][:3] for part in parts[1:]] == ["2/3", "3/3"]


def test_a_link_the_editor_wrote_stays_where_it_is_and_the_first_part_holds_it_too():
    text = "Vorab. " * 100 + f"Mehr unter {URL} heute."
    parts = thread_parts(text, URL, count=len, limit=300)
    assert parts[0].endswith(f"\n\n{URL}") and URL in parts[-1]
    short = f"Alles unter {URL} " + "Wort " * 70
    assert thread_parts(short, URL, count=len, limit=300)[0].count(URL) == 1


def test_a_word_longer_than_a_post_is_cut_but_never_inside_a_character():
    family = "👨\u200d👩\u200d👧"  # one grapheme of five code points
    parts = thread_parts(family * 30, None, count=len, limit=56)
    assert "".join(part.rsplit(" (", 1)[0] for part in parts) == family * 30
    assert all(part.rsplit(" (", 1)[0].startswith("👨") and part.rsplit(" (", 1)[0].endswith("👧") for part in parts)


def test_each_part_has_its_own_key_the_first_the_sends_own():
    assert [part_key("a1b2c3d4e5f6-mastodon-1", n) for n in (1, 2, 3)] == [
        "a1b2c3d4e5f6-mastodon-1", "a1b2c3d4e5f6-mastodon-1#2", "a1b2c3d4e5f6-mastodon-1#3"]
