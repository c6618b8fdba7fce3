"""Themenplanung: a planned story needs a title, an owner, a target date and its intended
channels only; it is never built into the site nor sent, and its problems are warnings."""

from __future__ import annotations

import pytest

from newsroom.errors import ContentErrors
from tests.publishing_support import due_story
from tests.support import NOW, REPO

PLAN = "content/stories/2026/plan.md"


def plan_text(**fields) -> str:
    values = {"id": "p1p2p3p4p5p6", "title": '"Weihnachtsmarkt: Bilanz"', "status": "planned",
              "owner": "Amt für Kommunikation", "target": "2026-12-23", "channels": "\n  press: true\n  mastodon: true",
              **fields}
    return "\n".join(["---", *(f"{k}: {v}" for k, v in values.items() if v is not None), "---", ""])


def test_a_plan_with_title_owner_target_and_channels_passes_and_is_never_built(site):
    due_story(site)
    site.write("stories/2026/plan.md", plan_text())
    build = site.check()
    card = build.archive.by_id["p1p2p3p4p5p6"]
    assert (card.status, card.owner, card.channels) == ("planned", "Amt für Kommunikation", ("press", "mastodon"))
    assert build.stats["planned"] == 1 and build.draft_problems == []
    assert [c.id for c in build.stories] == ["a1b2c3d4e5f6"]
    report = site.build(BUILD_NOW="2026-12-24 12:00")  # even after its target date
    assert not [p for p in report.written if "weihnachtsmarkt" in p]
    assert "Weihnachtsmarkt" not in "".join(p.read_text(encoding="utf-8", errors="replace")
                                            for p in site.output.rglob("*") if p.suffix in (".html", ".xml", ".json"))
    assert "in Planung" in (site.root / "preview" / "status.txt").read_text(encoding="utf-8")


def test_nothing_planned_is_sent(site):
    from newsroom.build.runner import check
    from newsroom.publishing.pipeline import Publisher

    site.write("stories/2026/plan.md", plan_text(target="2026-11-26 09:00"))
    site.commit("Plan", "2026-11-26 08:00")
    plan = check(REPO / "publishconf.py", site.overrides(BUILD_NOW=NOW), after=lambda b, s: Publisher(s, b).plan())
    assert {(e.channel, e.state) for e in plan.entries} == {("press", "planned"), ("mastodon", "planned")}
    assert plan.due == []


def test_a_plan_without_owner_or_target_is_a_warning_and_the_site_still_builds(site):
    due_story(site)
    site.write("stories/2026/plan.md", plan_text(owner=None, target="morgen"))
    report = site.build()
    assert [str(p) for p in report.draft_problems] == [
        f"{PLAN}: Feld „owner“: Pflichtfeld fehlt oder ist leer.",
        f"{PLAN}:5: Feld „target“: „morgen“ ist kein Zeitpunkt. Erwartet wird JJJJ-MM-TT HH:MM, zum Beispiel "
        "2026-11-30 10:00."]
    assert (site.output / "aktuelles/2026/11/neue-radwege-am-rheinufer/index.html").is_file()


def test_what_a_plan_already_has_is_checked_too(site):
    site.write("stories/2026/plan.md", plan_text(category="Verkehrswesen"))
    build = site.check()
    assert [str(p) for p in build.draft_problems] == [
        f"{PLAN}:10: Feld „category“: „Verkehrswesen“ ist nicht erlaubt. Meinten Sie „Verkehr“? Erlaubt: "
        + ", ".join(build.settings["THEMEN"]) + "."]


def test_a_target_on_a_written_story_is_an_error(site):
    due_story(site, target="2026-12-01")
    with pytest.raises(ContentErrors) as caught:
        site.check()
    assert [str(e) for e in caught.value.errors] == [
        "content/stories/2026/radwege.md:17: Feld „target“: „target“ (Zieltermin) gilt nur für „status: planned“; "
        "sonst zählt „date“."]


def test_a_plan_sharing_a_published_storys_id_gives_way(site):
    due_story(site)
    site.write("stories/2026/plan.md", plan_text(id="a1b2c3d4e5f6"))
    build = site.check()
    assert [c.source for c in build.all_stories] == ["content/stories/2026/radwege.md"]
    assert any("Die id „a1b2c3d4e5f6“ hat schon" in str(p) for p in build.draft_problems)
