"""Videos played in the page (theme/templates/media/_media.html video()): a story's video plays in
the story page with poster, captions and a download naming format, size and playing time; a YouTube
clip waits behind the consent box. A new video or poster under the same name redraws the pages
showing it, as a cold build would draw them."""

from __future__ import annotations

import pytest

from plugins.media_portal.media_portal import play_time
from tests.support import PHOTO
from tests.test_incremental import assert_same_as_cold_build
from tests.video_support import mp4

STORY = "aktuelles/2026/11/neue-radwege-am-rheinufer/index.html"
CREDIT = '"Video: Landeshauptstadt Düsseldorf"'


def story_with_video(site, data: bytes) -> None:
    site.write("media/videos/radweg.mp4", data)
    site.write("media/videos/radweg.mp4.yml", f"title: Der neue Radweg\ncaption: Eine Fahrt über den Radweg.\n"
                                              f"credit: {CREDIT}\nposter: videos/radweg-poster.jpg\n"
                                              "captions: videos/radweg.vtt\n")
    site.write("media/videos/radweg.vtt", "WEBVTT\n\n00:00.000 --> 00:06.000\nEine Fahrt.\n")
    site.write("media/videos/radweg-poster.jpg", PHOTO)
    site.story(body="Die Arbeiten beginnen.\n\n[Video ansehen](media:videos/radweg.mp4)\n")


@pytest.mark.parametrize("seconds, shown", [(0, "0:00 Min."), (6.0, "0:06 Min."), (125.4, "2:05 Min."),
                                            (3725, "1:02:05 Std.")])
def test_playing_time_in_german(seconds, shown):
    assert play_time(seconds) == shown


def test_a_story_video_plays_in_the_page_with_poster_captions_and_download(site):
    story_with_video(site, mp4(data=12_400_000))
    site.build()
    html = site.page(STORY)
    start = html.index('<section class="story-videos"')
    section = html[start:html.index("</section>", start)]
    assert '<h2 id="videos-heading">Video</h2>' in section
    assert '<video class="media-video" controls preload="none" poster="/medienportal/bilder/' in section
    assert '<source src="/medien/videos/radweg.mp4" type="video/mp4">' in section
    assert '<track kind="captions" src="/medien/videos/radweg.vtt" srclang="de" label="Deutsch" default>' in section
    assert ('<a href="/medien/videos/radweg.mp4" download>Video herunterladen<span class="visually-hidden">: '
            'Der neue Radweg</span></a>\n  <span class="video-facts">(MP4, 12,4 MB, 0:06 Min.)</span>') in section
    caption = '<figcaption>Eine Fahrt über den Radweg. <span class="credit">Video: Landeshauptstadt Düsseldorf'
    assert caption in section
    assert "yt-consent" not in html and "<iframe" not in html  # nothing from another host
    # The media list below still links the portal's page.
    assert '<a href="/medienportal/medien/videos/radweg/">Der neue Radweg</a>' in html


def test_a_youtube_clip_in_a_story_waits_behind_the_consent_box(site):
    site.write("media/videos/rueckblick.youtube.yml", f"title: Rückblick\ncredit: {CREDIT}\nyoutube: Dus2026KW47\n"
                                                      "poster: fotos/rhein.jpg\n")
    site.story(body="Text.\n\n[Video](media:videos/rueckblick.youtube)\n")
    site.build()
    html = site.page(STORY)
    assert '<div class="yt-consent" data-youtube="Dus2026KW47" data-title="Rückblick">' in html
    assert "<iframe" not in html and "<video" not in html


def test_a_new_video_or_poster_under_the_same_name_redraws_the_story_as_a_cold_build_would(site, tmp_path):
    story_with_video(site, mp4(data=2000))
    site.commit("Video", "2026-11-20 09:00")
    site.build()
    site.write("media/videos/radweg.mp4", mp4(data=2_500_000, runs=((250, 512),), seconds=10.0))
    report = site.build()
    assert STORY in report.written
    assert "(MP4, 2,5 MB, 0:10 Min.)" in site.page(STORY)
    assert_same_as_cold_build(site, tmp_path)

    from PIL import Image

    Image.new("RGB", (64, 36), (200, 30, 30)).save(site.content / "media/videos/radweg-poster.jpg")
    before = site.page(STORY)
    report = site.build()
    assert STORY in report.written and site.page(STORY) != before
    assert_same_as_cold_build(site, tmp_path)
