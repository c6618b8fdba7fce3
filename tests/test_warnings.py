"""Official warnings (NINA): fetched from a local fake of the documented endpoints, recorded with
their time, shown in the fragment every page includes; the service failing never fails anything."""

from __future__ import annotations

import json
import logging
from datetime import datetime

import pytest

from newsroom.dates import BERLIN
from newsroom.settings import with_defaults
from newsroom.warnings.fetch import refresh
from tests.fakes.nina import FakeNina, FakeWarning
from tests.support import Site, snapshot

ARS = "051110000000"
FRAGMENT = "_teile/warnungen.html"
INCLUDE = '<!--#include virtual="/_teile/warnungen.html" -->'


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


@pytest.fixture
def nina():
    with FakeNina() as server:
        yield server


@pytest.fixture
def site(tmp_path):
    site = Site(tmp_path / "site")
    site.story("2026/radwege.md")
    site.commit("Erste Meldung", "2026-11-20 09:00")
    return site


def settings_for(site: Site, nina: FakeNina, **extra) -> dict:
    return with_defaults({"NINA_ARS": ARS, "NINA_BASE_URL": nina.base_url, "NINA_TIMEOUT": 0.5,
                          "WARNINGS_STATE": str(site.root / ".cache" / "warnungen.json"), **extra})


def build(site: Site, nina: FakeNina, now: str = "2026-11-26 12:00", **extra):
    return site.build(NINA_ARS=ARS, NINA_BASE_URL=nina.base_url,
                      WARNINGS_STATE=str(site.root / ".cache" / "warnungen.json"), BUILD_NOW=now, **extra)


def fire(nina: FakeNina, **fields) -> FakeWarning:
    values = {"id": "mow.DE-NW-D-SE042-20261126-42-000", "headline": "Großbrand in Düsseldorf-Flingern: Fenster und "
              "Türen geschlossen halten", **fields}
    return nina.add(ARS, FakeWarning(**values))


def test_fetched_warnings_are_recorded_and_every_page_includes_the_fragment_that_shows_them(site, nina):
    warning = fire(nina)
    nina.add("091620000000", FakeWarning(id="mow.DE-BY-M-1", headline="Warnung für München"))
    report = refresh(settings_for(site, nina), at("2026-11-26 11:45"))
    assert report.ok and [w.id for w in report.state.warnings] == [warning.id]
    recorded = json.loads((site.root / ".cache" / "warnungen.json").read_text(encoding="utf-8"))
    assert recorded["ars"] == ARS and recorded["fetched"].startswith("2026-11-26T11:45")
    build(site, nina)
    fragment = site.page(FRAGMENT)
    assert fragment.startswith('<section class="warnungen" lang="de" role="region" aria-labelledby="warnungen-titel" '
                               'data-pagefind-ignore="all">')
    assert '<h2 id="warnungen-titel">Amtliche Warnungen für Düsseldorf</h2>' in fragment
    assert "Großbrand in Düsseldorf-Flingern" in fragment and "München" not in fragment
    assert "MoWaS · Warnstufe: Schwer · gültig bis 26. November 2026, 18:00 Uhr" in fragment
    assert 'href="https://warnung.bund.de/meldungen/mow.DE-NW-D-SE042-20261126-42-000/"' in fragment
    for page in ("index.html", "aktuelles/2026/11/neue-radwege-am-rheinufer/index.html", "impressum/index.html"):
        if (site.output / page).exists():
            assert site.page(page).count(INCLUDE) == 1, page
    assert [r.path for r in nina.log] == [f"/api31/dashboard/{ARS}.json", f"/api31/warnings/{warning.id}.json"]


def test_without_a_regional_key_nothing_is_fetched_or_included(site, nina):
    assert refresh(with_defaults({"NINA_BASE_URL": nina.base_url}), at("2026-11-26 11:45")) is None
    site.build()
    assert not (site.output / FRAGMENT).exists()
    assert "<!--#" not in site.page("index.html")
    assert not nina.log


@pytest.mark.parametrize("mode", ["down", "500", "slow", "malformed"])
def test_a_failing_service_keeps_the_last_warnings_and_says_so_in_german(site, nina, mode, caplog):
    fire(nina)
    settings = settings_for(site, nina)
    refresh(settings, at("2026-11-26 11:00"))
    nina.mode, nina.slow_seconds = mode, 1.5
    with caplog.at_level(logging.WARNING, logger="newsroom.warnings"):
        report = refresh(settings, at("2026-11-26 11:50"))
    assert not report.ok
    assert report.state.fetched == at("2026-11-26 11:00") and len(report.state.warnings) == 1
    assert report.state.attempted == at("2026-11-26 11:50") and report.state.problem
    assert "Amtliche Warnungen nicht abgerufen" in caplog.text and "NINA-Schnittstelle" in caplog.text
    build(site, nina)
    assert "Großbrand in Düsseldorf-Flingern" in site.page(FRAGMENT)


def test_after_the_maximum_age_a_notice_replaces_the_warnings(site, nina):
    fire(nina)
    settings = settings_for(site, nina, WARNINGS_MAX_AGE_MINUTES=60)
    refresh(settings, at("2026-11-26 11:00"))
    nina.mode = "down"
    refresh(settings, at("2026-11-26 12:30"))
    build(site, nina, now="2026-11-26 12:00", WARNINGS_MAX_AGE_MINUTES=60)
    assert "Großbrand" in site.page(FRAGMENT)
    build(site, nina, now="2026-11-26 12:01", WARNINGS_MAX_AGE_MINUTES=60)
    fragment = site.page(FRAGMENT)
    assert "Großbrand" not in fragment
    assert "Amtliche Warnungen können derzeit nicht abgerufen werden" in fragment
    assert 'href="https://warnung.bund.de/"' in fragment


def test_a_regional_key_never_fetched_shows_the_notice(site, nina):
    build(site, nina)
    assert "können derzeit nicht abgerufen werden" in site.page(FRAGMENT)


def test_an_expired_warning_disappears_and_the_fragment_is_empty(site, nina):
    fire(nina, expires="2026-11-26T12:30:00+01:00")
    refresh(settings_for(site, nina), at("2026-11-26 11:45"))
    build(site, nina, now="2026-11-26 12:29")
    assert "Großbrand" in site.page(FRAGMENT)
    report = build(site, nina, now="2026-11-26 12:30")
    assert (site.output / FRAGMENT).read_bytes() == b""
    assert report.written == [FRAGMENT]


def test_a_warning_announced_for_later_says_from_when_until_its_onset(site, nina):
    fire(nina, onset="2026-11-26T15:00:00+01:00", expires="2026-11-26T21:00:00+01:00", provider="DWD")
    refresh(settings_for(site, nina), at("2026-11-26 14:00"))
    build(site, nina, now="2026-11-26 14:59")
    assert "DWD · Warnstufe: Schwer · gültig ab 26. November 2026, 15:00 Uhr · gültig bis 26. November 2026, " \
           "21:00 Uhr" in site.page(FRAGMENT)
    report = build(site, nina, now="2026-11-26 15:00")
    assert report.rendered == [FRAGMENT]
    assert "DWD · Warnstufe: Schwer · gültig bis 26. November 2026, 21:00 Uhr" in site.page(FRAGMENT)


def test_a_failing_detail_keeps_the_dashboards_data(site, nina):
    fire(nina, extra={"expiresDate": "2026-11-26T17:00:00+01:00"})
    nina.detail_mode = "500"
    report = refresh(settings_for(site, nina), at("2026-11-26 11:45"))
    assert report.ok and report.details_missing == 1
    build(site, nina)
    assert "MoWaS · Warnstufe: Schwer · gültig bis 26. November 2026, 17:00 Uhr" in site.page(FRAGMENT)


def test_details_stop_being_asked_after_three_failures_and_a_cancelled_warning_is_dropped(site, nina):
    for number in range(5):
        fire(nina, id=f"kat.{number}", headline=f"Warnung {number}")
    nina.detail_mode = "slow"
    report = refresh(settings_for(site, nina), at("2026-11-26 11:45"))
    assert report.ok and report.details_missing == 5 and len(report.state.warnings) == 5
    assert len(nina.calls("GET", r"/api31/warnings/.*")) == 3
    nina.detail_mode = "ok"
    nina.regions[ARS][0].msg_type = "Cancel"  # the details say so; the dashboard still lists it
    nina.regions[ARS][0].extra = {"payload": {**nina.regions[ARS][0].dashboard_entry()["payload"],
                                              "data": {"headline": "Warnung 0", "msgType": "Update"}}}
    report = refresh(settings_for(site, nina), at("2026-11-26 11:50"))
    assert sorted(w.id for w in report.state.warnings) == ["kat.1", "kat.2", "kat.3", "kat.4"]


def test_malformed_entries_are_left_out_and_wrong_types_count_as_absent(site, nina, caplog):
    nina.mode = "malformed"
    good = FakeWarning(id="dwdmap.2.49.0.0.276.0.DWD.PVW.1", headline="Amtliche Warnung vor Sturmböen",
                       provider="DWD", severity="Moderate").dashboard_entry()
    odd = FakeWarning(id="lhp.1", headline="Hochwasser am Rhein", provider="LHP").dashboard_entry()
    odd["payload"]["data"]["severity"] = ["Severe"]
    odd["sent"] = 17
    nina.malformed_body = json.dumps([
        good, odd, {"id": "<script>", "payload": {"data": {"headline": "x"}}}, "Text", None,
        {"payload": {"id": "mow.ohne-titel", "data": {"headline": 42}}},
    ]).encode()
    nina.detail_mode = "malformed"
    with caplog.at_level(logging.WARNING, logger="newsroom.warnings"):
        report = refresh(settings_for(site, nina), at("2026-11-26 11:45"))
    assert report.ok and report.skipped == 4
    assert sorted((w.source, w.severity) for w in report.state.warnings) == [("DWD", "Mittel"),
                                                                              ("Hochwasserzentralen", "Unbekannt")]
    assert "keine gültige id" in caplog.text and "keine Überschrift" in caplog.text


def test_hostile_strings_are_cleaned_and_escaped(site, nina):
    fire(nina, headline='Evakuierung <script>alert(1)</script><!--#exec cmd="id" --> \u202eettelK\u202c\x07 '
                        '&lt;img src=x onerror=alert(1)&gt; <b>Rath</b>')
    refresh(settings_for(site, nina), at("2026-11-26 11:45"))
    build(site, nina)
    fragment = site.page(FRAGMENT)
    assert "Evakuierung" in fragment and "Rath" in fragment
    for bad in ("<script", "<!--#", "<img", "<b>", "\u202e", "\u202c", "\x07", "onerror=alert(1)>"):
        assert bad not in fragment, bad


def test_a_warnings_change_redraws_only_the_fragment_and_equals_a_cold_build(site, nina, tmp_path):
    settings = settings_for(site, nina)
    build(site, nina)
    first = fire(nina)
    refresh(settings, at("2026-11-26 11:45"))
    report = build(site, nina)
    assert report.rendered == [FRAGMENT] and report.written == [FRAGMENT]
    nina.remove(ARS, first.id)
    fire(nina, id="biw.BIWAPP-12345", headline="Bombenentschärfung in Pempelfort", provider="BIWAPP",
         severity="Extreme")
    refresh(settings, at("2026-11-26 11:50"))
    report = build(site, nina)
    assert report.rendered == [FRAGMENT] and report.written == [FRAGMENT]
    assert "BIWAPP · Warnstufe: Extrem" in site.page(FRAGMENT)
    again = build(site, nina)
    assert again.rendered == [] and again.written == []
    cold_output = tmp_path / "cold-output"
    build(site, nina, OUTPUT_PATH=str(cold_output), CACHE_PATH=str(tmp_path / "cold-cache"))
    assert snapshot_bytes(cold_output) == snapshot_bytes(site.output)


def snapshot_bytes(folder):
    return {path: data for path, (data, _inode) in snapshot(folder).items()}


def test_a_deploy_to_s3_is_told_that_it_needs_the_warnings_inline():
    from newsroom.warnings.view import include_problem

    ssi = with_defaults({"NINA_ARS": ARS})
    assert "WARNINGS_INCLUDE = \"inline\"" in include_problem(ssi, "s3://newsroom-live/site")
    assert include_problem(ssi, "/srv/www/newsroom") is None
    assert include_problem(ssi, "rsync:web1:/srv/www/newsroom") is None
    assert include_problem(with_defaults({"NINA_ARS": ARS, "WARNINGS_INCLUDE": "inline"}), "s3://live") is None
    assert include_problem(with_defaults({}), "s3://live") is None


def test_the_state_is_refused_inside_the_content_or_the_output(site, nina):
    from newsroom.errors import ConfigurationError

    for inside in (site.content / "warnungen.json", site.output / "_teile" / "warnungen.json"):
        with pytest.raises(ConfigurationError, match="WARNINGS_STATE"):
            refresh(settings_for(site, nina, WARNINGS_STATE=str(inside), PATH=str(site.content),
                                 OUTPUT_PATH=str(site.output)), at("2026-11-26 11:45"))
    assert not nina.log


def test_a_wrong_regional_key_is_a_settings_error():
    from newsroom.errors import SettingsErrors

    with pytest.raises(SettingsErrors) as caught:
        with_defaults({"NINA_ARS": "05111"})
    assert "NINA_ARS" in str(caught.value) and "12 Ziffern" in str(caught.value)
    with pytest.raises(SettingsErrors):
        with_defaults({"NINA_ARS": 51110000000})


def test_invoke_warnings_records_and_never_fails_for_the_service(tmp_path, nina):
    from tests.support import REPO, invoke, project_copy

    project = project_copy(tmp_path / "project")
    (project / "content").mkdir()
    with (project / "publishconf.py").open("a", encoding="utf-8") as conf:
        conf.write(f'\nNINA_ARS = "{ARS}"\nNINA_BASE_URL = "{nina.base_url}"\nNINA_TIMEOUT = 1\n')
    fire(nina)
    result = invoke(project, "warnings", "--now", "2026-11-26 11:45")
    assert result.returncode == 0, result.stderr
    assert "Amtliche Warnungen abgerufen: 1 für 051110000000" in result.stdout
    recorded = json.loads((project / ".cache" / "warnungen.json").read_text(encoding="utf-8"))
    assert [w["source"] for w in recorded["warnings"]] == ["MoWaS"]
    nina.mode = "down"
    result = invoke(project, "warnings", "--now", "2026-11-26 11:50")
    assert result.returncode == 0, result.stderr
    assert "WARNUNG: Amtliche Warnungen nicht abgerufen" in result.stderr
    assert "zuletzt: 26.11.2026 11:45" in result.stdout
    units = {name: (REPO / "deploy" / name).read_text(encoding="utf-8")
             for name in ("warnungen.service", "warnungen.timer")}
    commands = [line.split("=", 1)[1] for line in units["warnungen.service"].splitlines()
                if line.startswith("ExecStart=")]
    assert [c.split()[1:3] for c in commands] == [["warnings", "--settings"], ["deploy", "--settings"]]
    assert "OnCalendar=*:0/5" in units["warnungen.timer"]


def test_inline_the_warnings_fill_every_pages_crisis_region_without_drawing_a_page(site, nina, tmp_path):
    settings = settings_for(site, nina)
    build(site, nina, WARNINGS_INCLUDE="inline")
    first = fire(nina)
    refresh(settings, at("2026-11-26 11:45"))
    report = build(site, nina, WARNINGS_INCLUDE="inline")
    assert report.rendered == [] and not (site.output / FRAGMENT).exists()
    pages = sorted(p.relative_to(site.output).as_posix() for p in site.output.rglob("*.html")
                   if b"<!--newsroom:krise-->" in p.read_bytes())  # every page of the site; not the admin
    assert set(report.written) == set(pages) and set(report.refilled) <= set(pages)
    for page in pages:
        html = site.page(page)
        region = html[html.index("<!--newsroom:krise-->"):html.index("<!--/newsroom:krise-->")]
        assert "Großbrand in Düsseldorf-Flingern" in region and 'id="warnungen-titel"' in region, page
        assert "<!--#" not in html
    nina.remove(ARS, first.id)
    refresh(settings, at("2026-11-26 11:50"))
    report = build(site, nina, WARNINGS_INCLUDE="inline")
    assert report.rendered == [] and "Großbrand" not in site.page("index.html")
    assert "<!--newsroom:krise--><!--/newsroom:krise-->" in site.page("index.html")
    fire(nina, id="dwd.2.49.0.0.276.0.DWD.PVW.42", headline="Amtliche Unwetterwarnung vor Orkanböen",
         provider="DWD", severity="Extreme")
    refresh(settings, at("2026-11-26 11:55"))
    build(site, nina, WARNINGS_INCLUDE="inline")
    cold_output = tmp_path / "cold-output"
    build(site, nina, WARNINGS_INCLUDE="inline", OUTPUT_PATH=str(cold_output), CACHE_PATH=str(tmp_path / "cold"))
    assert snapshot_bytes(cold_output) == snapshot_bytes(site.output)
    assert "DWD · Warnstufe: Extrem" in site.page("index.html")
