"""What plugins offer each other (newsroom/build/plugins.py, newsroom/build/context.py): the
order follows from their declarations, and a missing provider, a cycle or a late offer is an
error at start, never a silently wrong page."""

from __future__ import annotations

import subprocess
import sys

import pytest

from newsroom.build.context import BuildContext, Sitemap
from newsroom.build.plugins import PluginSpec, plugin_order
from newsroom.errors import ConfigurationError
from tests.support import REPO, snapshot


def test_providers_come_before_their_readers_whatever_the_listed_order():
    specs = {
        "plugins.sitemap": PluginSpec(requires={"sitemap"}),
        "plugins.feeds": PluginSpec(provides={"sitemap"}, reads={"feeds"}),
        "plugins.stories": PluginSpec(provides={"sitemap"}),
        "plugins.media_portal": PluginSpec(provides={"sitemap", "feeds", "media-pages"}),
        "plugins.channel_preview": PluginSpec(reads={"media-pages"}),
        "plugins.x": PluginSpec(),
    }
    order = plugin_order(specs)
    assert order.index("plugins.media_portal") < order.index("plugins.feeds") < order.index("plugins.sitemap")
    assert order.index("plugins.stories") < order.index("plugins.sitemap")
    assert order.index("plugins.media_portal") < order.index("plugins.channel_preview")
    assert order[0] == "plugins.stories" and order[-1] == "plugins.x"  # ties keep the listed order
    assert sorted(order) == sorted(specs)


def test_a_plugin_reading_what_no_one_provides_runs_anyway():
    assert plugin_order({"plugins.feeds": PluginSpec(reads={"feeds"})}) == ["plugins.feeds"]


def test_a_required_offer_without_provider_is_an_error():
    with pytest.raises(ConfigurationError) as caught:
        plugin_order({"plugins.sitemap": PluginSpec(requires={"sitemap"}), "plugins.x": PluginSpec()})
    assert str(caught.value) == ("Plugin „plugins.sitemap“ braucht „sitemap“, aber kein geladenes Plugin liefert "
                                 "es (PLUGINS prüfen).")


def test_plugins_waiting_for_each_other_are_an_error():
    with pytest.raises(ConfigurationError) as caught:
        plugin_order({"a": PluginSpec(provides={"x"}, reads={"y"}), "b": PluginSpec(provides={"y"}, reads={"x"}),
                      "c": PluginSpec()})
    assert str(caught.value) == "Plugins warten im Kreis aufeinander: a liest y, b liest x."


def _context() -> BuildContext:
    return BuildContext(settings={}, cache=None, fingerprint="f", now=None, full=False)


def test_a_feed_offered_after_the_feeds_were_written_is_an_error():
    build = _context()
    build.offer_feed(type("Source", (), {"key": "medien"})())
    assert [s.key for s in build.feed_sources("plugins.feeds")] == ["medien"]
    with pytest.raises(ConfigurationError, match="nachdem „plugins.feeds“ die Feeds geschrieben hat"):
        build.offer_feed(type("Source", (), {"key": "spaet"})())


def test_a_sitemap_entry_after_the_sitemap_was_written_is_an_error():
    sitemap = Sitemap()
    sitemap.add("kontakt/")
    sitemap.add_grouped("2026", [("aktuelles/2026/x/", None)])
    sitemap.close("plugins.sitemap")
    with pytest.raises(ConfigurationError, match="nachdem „plugins.sitemap“ sie geschrieben hat"):
        sitemap.add("spaet/")
    assert sitemap.entries == [("kontakt/", None)] and list(sitemap.parts) == ["2026"]


def test_after_commit_work_runs_only_when_committed_and_failures_are_collected():
    build, ran = _context(), []
    build.after_commit(lambda: ran.append("commit"))
    build.after_failure(lambda errors: ran.append(f"failure {errors}"))
    build.after_failure(lambda errors: 1 / 0)
    problems = build.failed(ValueError("x"))
    assert ran == ["failure x"] and [type(p) for p in problems] == [ZeroDivisionError]
    build.committed()
    assert ran == ["failure x", "commit"]


def _build_in_process(overrides: dict) -> subprocess.CompletedProcess:
    # In a process of its own: a plugin once loaded stays connected to Pelican's signals.
    code = f"from newsroom.build.runner import build; build({str(REPO / 'pelicanconf.py')!r}, {overrides!r})"
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)


@pytest.fixture
def portal_site(site):
    site.story(image="fotos/rhein.jpg", channels="\n  press: true\n  instagram: true")
    site.commit("Radwege", "2026-11-19 15:00")
    return site


def test_the_listed_order_of_plugins_does_not_change_a_byte(portal_site, tmp_path):
    from newsroom.build.runner import load_settings

    plugins = load_settings(REPO / "pelicanconf.py")["PLUGINS"]
    outputs = []
    for name, order in (("listed", plugins), ("reversed", plugins[::-1])):
        overrides = portal_site.overrides(PLUGINS=order, OUTPUT_PATH=str(tmp_path / name),
                                          CACHE_PATH=str(tmp_path / f"{name}-cache"))
        result = _build_in_process(overrides)
        assert result.returncode == 0, result.stderr
        outputs.append({path: data for path, (data, _inode) in snapshot(tmp_path / name).items()})
    assert "sitemap.xml" in outputs[0] and "feeds/medien/rss.xml" in outputs[0]
    assert outputs[0] == outputs[1]


def test_a_sitemap_without_pages_stops_the_build_at_start(portal_site):
    result = _build_in_process(portal_site.overrides(PLUGINS=["plugins.template_filters", "plugins.sitemap"]))
    assert result.returncode != 0
    assert "Plugin „plugins.sitemap“ braucht „sitemap“, aber kein geladenes Plugin liefert es" in result.stderr
    assert not portal_site.output.exists()
