"""Videos in Deutscher Gebärdensprache (newsroom/media/sign_language.py): a page names one in
`dgs_video`; the build reads size and frame rate from its MP4 boxes (newsroom/media/mp4_header.py)
and stops with a German error naming page, line and field when BITV 2.0 Anlage 2 is not met."""

from __future__ import annotations

import pytest

from newsroom.errors import ContentErrors
from newsroom.media.mp4_header import read_video
from tests.support import REPO
from tests.video_support import mp4

FILE = "content/pages/gebaerdensprache.md"
VIDEO = "videos/gebaerdensprache.mp4"
WHAT = f"{FILE}:4: Feld „dgs_video“: Das Video in Deutscher Gebärdensprache „{VIDEO}“"
SIDECAR = ('title: Diese Seite in Gebärdensprache\ncredit: "Video: Landeshauptstadt Düsseldorf"\n'
           "poster: fotos/rhein.jpg\n")


def dgs_page(site, data: bytes | None = None, captions: bool = True, sidecar: str = SIDECAR,
             reference: str = VIDEO) -> None:
    if data is not None:
        site.write(f"media/{VIDEO}", data)
        site.write(f"media/{VIDEO}.yml", sidecar + ("captions: videos/gebaerdensprache.vtt\n" if captions else ""))
        if captions:
            site.write("media/videos/gebaerdensprache.vtt", "WEBVTT\n\n00:00.000 --> 00:06.000\nWillkommen.\n")
    site.write("pages/gebaerdensprache.md", "---\ntitle: Gebärdensprache\nsummary: Diese Seite in DGS.\n"
                                            f"dgs_video: {reference}\n---\nText.\n")


def errors_of(site) -> list[str]:
    with pytest.raises(ContentErrors) as caught:
        site.check()
    return [str(e) for e in caught.value.errors]


@pytest.mark.parametrize("kwargs, rate", [
    ({}, 25.0),  # 12800 ticks a second, 512 a frame
    ({"runs": ((149, 512), (1, 700))}, 25.0),  # the last frame lasts longer: the frames' usual duration counts
    ({"timescale": 30000, "runs": ((180, 1001),)}, 29.97),
    ({"timescale": 24, "runs": ((144, 1),)}, 24.0),
    ({"timescale": 50, "runs": ((300, 2),), "mdhd_version": 1}, 25.0),  # 64-bit times before the clock
])
def test_the_frame_rate_is_read_from_the_clock_and_the_sample_durations(tmp_path, kwargs, rate):
    path = tmp_path / "clip.mp4"
    path.write_bytes(mp4(**kwargs))
    facts = read_video(path)
    assert (facts.frame_rate, facts.width, facts.height, facts.duration) == (rate, 640, 360, 6.0)


def test_a_track_without_sample_durations_has_no_frame_rate(tmp_path):
    path = tmp_path / "clip.mp4"
    path.write_bytes(mp4(runs=()))
    assert read_video(path).frame_rate is None


def test_the_demo_videos_made_by_ffmpeg_are_read_as_they_are():
    placeholder = read_video(REPO / "content/media/videos/gebaerdensprache-startseite.mp4")
    shown = (placeholder.width, placeholder.height, placeholder.frame_rate, placeholder.duration)
    assert shown == (640, 360, 25.0, 6.0)
    assert read_video(REPO / "content/media/videos/wochenrueckblick-2026-48.mp4").frame_rate == 12.0


def test_a_page_shows_its_dgs_video_with_symbol_captions_download_size_and_playing_time(site):
    dgs_page(site, mp4(data=12_400))
    site.build()
    html = site.page("gebaerdensprache/index.html")
    assert '<div class="video-player video-dgs">' in html
    symbol = "Symbol für Deutsche Gebärdensprache"
    assert f'role="img" aria-label="{symbol}"><title>{symbol}</title>' in html
    assert '<video class="media-video" controls preload="none" poster="/medienportal/bilder/' in html
    assert 'width="640" height="360">' in html
    assert ('<track kind="captions" src="/medien/videos/gebaerdensprache.vtt" srclang="de" label="Deutsch" default>'
            in html)
    size = (site.output / "medien" / VIDEO).stat().st_size  # as handed out, with its rights inside
    assert size > len(mp4(data=12_400))
    assert (f'<a href="/medien/{VIDEO}" download>Gebärdensprach-Video herunterladen<span class="visually-hidden">: '
            f'Diese Seite in Gebärdensprache</span></a>\n  <span class="video-facts">(MP4, {round(size / 1000)} kB, '
            '0:06 Min.)</span>') in html
    assert '<link rel="stylesheet" href="/theme/css/medien.css">' in html


@pytest.mark.parametrize("kwargs, expected", [
    ({"width": 300, "height": 200}, f"{WHAT} ist 300 × 200 Pixel groß; verlangt sind mindestens 320 × 240 Pixel "
                                     "(BITV 2.0 Anlage 2)."),
    ({"width": 320, "height": 180}, f"{WHAT} ist 320 × 180 Pixel groß; verlangt sind mindestens 320 × 240 Pixel "
                                     "(BITV 2.0 Anlage 2)."),
    ({"timescale": 24, "runs": ((144, 1),)}, f"{WHAT} hat 24 Bilder je Sekunde; verlangt sind mindestens 25 "
                                             "(BITV 2.0 Anlage 2)."),
    ({"timescale": 24000, "runs": ((144, 1001),)}, f"{WHAT} hat 23,98 Bilder je Sekunde; verlangt sind mindestens 25 "
                                                   "(BITV 2.0 Anlage 2)."),
    ({"runs": ()}, f"{WHAT}: Die Bildfolge lässt sich nicht lesen (beschädigte Datei?)."),
])
def test_a_dgs_video_too_small_or_too_slow_stops_the_build_naming_page_line_and_field(site, kwargs, expected):
    dgs_page(site, mp4(**kwargs))
    assert errors_of(site) == [expected]


def test_the_same_video_is_fine_outside_a_dgs_page(site):
    dgs_page(site, mp4(width=300, height=200))
    site.write("pages/gebaerdensprache.md", "---\ntitle: Gebärdensprache\n---\nText.\n")
    site.check()


def test_a_missing_dgs_video_or_one_that_is_no_video_is_named(site):
    dgs_page(site, reference="videos/fehlt.mp4")
    assert errors_of(site) == [
        f"{FILE}:4: Feld „dgs_video“: Die Mediendatei „videos/fehlt.mp4“ gibt es nicht in content/media/."]
    dgs_page(site, reference="fotos/rhein.jpg")
    site.write("media/fotos/rhein.jpg.yml", 'alt: Blick über den Rhein\ncredit: "Foto: Test"\n')
    assert errors_of(site) == [
        f"{FILE}:4: Feld „dgs_video“: „fotos/rhein.jpg“ ist kein Video (MP4) aus content/media/; ein Video in "
        "Deutscher Gebärdensprache muss auf dieser Website liegen, ohne fremde Dienste."]


def test_a_dgs_video_without_captions_or_download_is_refused(site):
    dgs_page(site, mp4(), captions=False)
    assert errors_of(site) == [
        "content/media/videos/gebaerdensprache.mp4.yml: Feld „captions“: Pflichtfeld fehlt: Untertitel als "
        "WebVTT-Datei (Barrierefreiheit)."]
    dgs_page(site, mp4(), sidecar=SIDECAR + "original: false\n")
    assert errors_of(site) == [
        f"{WHAT} muss zum Herunterladen bereitstehen (BITV 2.0 Anlage 2): bitte „original: false“ aus "
        f"{VIDEO}.yml entfernen."]


def test_the_demo_pages_name_the_placeholder():
    page = (REPO / FILE).read_text(encoding="utf-8")
    assert "dgs_video: videos/gebaerdensprache-startseite.mp4" in page
    assert "**Hinweis: Das Video oben ist ein Platzhalter.**" in page
    sidecar = (REPO / "content/media/videos/gebaerdensprache-startseite.mp4.yml").read_text(encoding="utf-8")
    assert "caption: \"Platzhalter:" in sidecar


def test_a_new_dgs_video_changes_the_page_as_a_cold_build_would_and_nothing_else_is_rewritten(site, tmp_path):
    from tests.test_incremental import assert_same_as_cold_build

    dgs_page(site, mp4(data=2000))
    site.commit("DGS", "2026-11-20 09:00")
    site.build()
    again = site.build()
    assert again.written == []
    site.write(f"media/{VIDEO}", mp4(data=1_300_000, runs=((3000, 512),), seconds=120.0))
    site.commit("Video der Dolmetscherinnen", "2026-11-21 09:00")
    report = site.build()
    assert "gebaerdensprache/index.html" in report.written
    assert "(MP4, 1,3 MB, 2:00 Min.)" in site.page("gebaerdensprache/index.html")
    assert_same_as_cold_build(site, tmp_path)


def test_a_video_described_as_dgs_carries_the_symbol_wherever_it_plays(site):
    dgs_page(site, mp4(), sidecar=SIDECAR + "dgs: true\n")
    site.story(body="Text.\n\n[Video in Gebärdensprache](media:videos/gebaerdensprache.mp4)\n")
    site.build()
    story = site.page("aktuelles/2026/11/neue-radwege-am-rheinufer/index.html")
    assert '<div class="video-player video-dgs">' in story
    assert 'aria-label="Symbol für Deutsche Gebärdensprache"' in story
    assert "Gebärdensprach-Video herunterladen" in story
    portal = site.page("medienportal/medien/videos/gebaerdensprache/index.html")
    assert '<div class="video-player video-dgs">' in portal


@pytest.mark.parametrize("data, extra, expected", [
    (mp4(width=300, height=200), "", "content/media/videos/gebaerdensprache.mp4.yml:4: Feld „dgs“: Das Video in "
     "Deutscher Gebärdensprache „videos/gebaerdensprache.mp4“ ist 300 × 200 Pixel groß; verlangt sind mindestens "
     "320 × 240 Pixel (BITV 2.0 Anlage 2)."),
    (mp4(), "original: false\n", "content/media/videos/gebaerdensprache.mp4.yml:4: Feld „dgs“: Das Video in "
     "Deutscher Gebärdensprache „videos/gebaerdensprache.mp4“ muss zum Herunterladen bereitstehen (BITV 2.0 "
     "Anlage 2): bitte „original: false“ aus videos/gebaerdensprache.mp4.yml entfernen."),
])
def test_a_video_described_as_dgs_is_checked_at_its_description(site, data, extra, expected):
    dgs_page(site, data, sidecar=SIDECAR + "dgs: true\n" + extra)
    site.write("pages/gebaerdensprache.md", "---\ntitle: Gebärdensprache\n---\nText.\n")
    assert expected in errors_of(site)  # beside it: the captions of a video the build refused have no owner


def test_only_a_video_can_be_described_as_dgs(site):
    site.write("media/fotos/rhein.jpg.yml", 'alt: Blick über den Rhein\ncredit: "Foto: Test"\ndgs: true\n')
    assert errors_of(site) == ["content/media/fotos/rhein.jpg.yml:3: Feld „dgs“: Nur ein Video (MP4) dieser "
                               "Website kann eines in Deutscher Gebärdensprache sein."]


def home_page_video(site, data: bytes | None, extra: str = "startseite: true\n", name: str = "gebaerdensprache") -> None:
    if data is not None:
        dgs_page(site, data)
    site.write(f"pages/{name}.md", "---\ntitle: Gebärdensprache\nsummary: Diese Seite in DGS.\n"
                                   f"dgs_video: {VIDEO}\n{extra}---\nText.\n")


def test_the_home_page_explains_the_site_in_dgs_and_leichte_sprache_when_a_page_offers_its_video(site):
    site.story()
    site.build()
    assert "home-access" not in site.page("index.html")
    home_page_video(site, mp4(data=2000))
    site.build()
    home = site.page("index.html")
    section = home[home.index('<section class="home-access"'):]
    section = section[:section.index("</section>")]
    assert f'<source src="/medienportal/originale/{VIDEO}"' in section or VIDEO in section
    assert 'kind="captions"' in section and "Video in Deutscher Gebärdensprache" in section
    assert 'href="/leichte-sprache/"' in section and 'href="/gebaerdensprache/"' in section


def test_a_new_take_of_the_home_page_video_redraws_the_home_page_as_a_cold_build_would(site, tmp_path):
    from tests.test_incremental import assert_same_as_cold_build

    site.story()
    home_page_video(site, mp4(data=2000))
    site.commit("DGS", "2026-11-20 09:00")
    site.build()
    assert site.build().written == []
    site.write(f"media/{VIDEO}", mp4(data=1_300_000, runs=((3000, 512),), seconds=120.0))
    site.commit("Video der Dolmetscherinnen", "2026-11-21 09:00")
    report = site.build()
    assert "index.html" in report.written and "(MP4, 1,3 MB, 2:00 Min.)" in site.page("index.html")
    assert_same_as_cold_build(site, tmp_path)


def test_startseite_needs_a_dgs_video_and_only_one_page_may_have_it(site):
    site.write("pages/ohne.md", "---\ntitle: Ohne Video\nstartseite: true\n---\nText.\n")
    assert any("content/pages/ohne.md:3: Feld „startseite“" in e and "dazu fehlt „dgs_video“" in e
               for e in errors_of(site))
    (site.content / "pages/ohne.md").unlink()
    home_page_video(site, mp4(data=2000))
    home_page_video(site, None, name="zweite")
    found = errors_of(site)
    assert any("Nur eine Seite kann ihr Video auf der Startseite zeigen" in e for e in found), found
