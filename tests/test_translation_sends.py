"""A translation's own channel texts: its posts in its language, recorded apart from the German ones
(`content/receipts/<key>.en.yml`), each exactly once across re-runs and a killed run; the press
release stays German; the German story's withdrawal takes the English posts back too."""

from __future__ import annotations

from pathlib import Path

import git
import pytest
import yaml

from newsroom.errors import ContentErrors
from newsroom.publishing.overview import status_lines
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.telegram import FakeTelegram
from tests.publishing_support import (
    STORY_ID,
    commit_and_push,
    due_story,
    fresh_clone,
    origin_receipt,
    publish,
    publish_killed,
    start_publish,
)
from tests.support import seeded_origin, story_text

GERMAN = "https://www.duesseldorf.de/aktuelles/2026/11/neue-radwege-am-rheinufer/"
ENGLISH = "https://www.duesseldorf.de/en/news/2026/11/new-cycle-lanes-on-the-rhine/"
WITHDRAWAL = "\n  date: {date}\n  reason: Die Baustelle wurde verschoben."


def translation(channels: str | None = "\n  mastodon: true", **fields) -> str:
    values = {"translation_of": STORY_ID, "title": "New cycle lanes on the Rhine",
              "summary": "Two new cycle lanes open along the river in spring.", "channels": channels, **fields}
    front = "\n".join(f"{key}: {value}" for key, value in values.items() if value is not None)
    return f"---\n{front}\n---\nWork starts in spring.\n"


def translated(site, channels: str | None = "\n  mastodon: true", **fields) -> None:
    due_story(site)
    site.write("stories/2026/radwege.en.md", translation(channels, **fields))
    commit_and_push(site)


def test_the_german_and_the_english_post_go_out_once_each_under_records_of_their_own(site, mastodon):
    translated(site)
    report = publish(site)
    assert report.ok
    assert [(o.story_id, o.channel, o.status) for o in report.outcomes] == [
        (STORY_ID, "mastodon", "sent"), (f"{STORY_ID}.en", "mastodon", "sent")]
    [german], [english] = mastodon.posts_for(GERMAN), mastodon.posts_for(ENGLISH)
    assert german["language"] == "de" and english["language"] == "en"
    # From channels/en/default.txt: the city's hashtag alone, not the Thema's and the tags (German words).
    assert german["content"].endswith("#Düsseldorf #Mobilität #Radverkehr #Rheinufer</p>")
    assert english["content"] == ("<p>New cycle lanes on the Rhine\n\nTwo new cycle lanes open along the river in "
                                  f"spring.\n\n{ENGLISH}\n\n#Düsseldorf</p>")
    # The German record keeps its name and keys; the English one lies beside it with keys of its own.
    assert origin_receipt(site)["channels"]["mastodon"]["key"] == f"{STORY_ID}-mastodon-1"
    record = origin_receipt(site, f"{STORY_ID}.en")
    assert record["story"] == f"{STORY_ID}.en" and record["source"] == "content/stories/2026/radwege.en.md"
    assert record["channels"]["mastodon"]["key"] == f"{STORY_ID}.en-mastodon-1"
    assert record["channels"]["mastodon"]["status"] == "sent"
    assert record["channels"]["mastodon"]["detail"] == {"story": STORY_ID, "language": "en"}
    # A second run finds both records and sends nothing.
    again = publish(site)
    assert again.outcomes == [] and len(mastodon.statuses) == 2
    lines = status_lines(again.plan, again.where)
    shown = f"  26. November 2026, 09:00 Uhr  New cycle lanes on the Rhine  [online, Englisch, id {STORY_ID}.en]"
    assert shown in lines


def test_an_own_english_text_goes_out_as_written_with_the_english_address(site, mastodon):
    translated(site, channels="\n  mastodon:\n    text: Cycling along the Rhine gets easier.")
    publish(site)
    [english] = mastodon.posts_for(ENGLISH)
    assert english["content"] == f"<p>Cycling along the Rhine gets easier.\n\n{ENGLISH}</p>"


def test_a_translation_without_channels_sends_nothing_in_english(site, mastodon):
    translated(site, channels=None)
    report = publish(site)
    assert [(o.story_id, o.status) for o in report.outcomes] == [(STORY_ID, "sent")]
    assert mastodon.posts_for(ENGLISH) == [] and origin_receipt(site, f"{STORY_ID}.en") is None


def test_a_draft_translation_waits(site, mastodon):
    translated(site, status="draft")
    report = publish(site)
    assert [(o.story_id, o.status) for o in report.outcomes] == [(STORY_ID, "sent")]
    assert [(e.story_id, e.state) for e in report.plan.entries if e.story_id.endswith(".en")] == [
        (f"{STORY_ID}.en", "draft")]


@pytest.mark.parametrize("channels, line, name, what", [
    ("\n  mastodon: true\n  press: true", 7, "press", "Die Pressemitteilung geht nur auf Deutsch hinaus"),
    ("\n  buerger: true", 6, "buerger", "Die E-Mail an die Abonnenten geht nur auf Deutsch hinaus"),
    ("\n  youtube: true", 6, "youtube", "Das Video lädt die deutsche Meldung hoch, ein zweites Mal nicht"),
])
def test_the_press_release_and_the_citizens_mail_stay_german(site, channels, line, name, what):
    due_story(site, channels="\n  press: true\n  mastodon: true")
    site.write("stories/2026/radwege.en.md", translation(channels))
    with pytest.raises(ContentErrors) as caught:
        site.check()
    assert [str(e) for e in caught.value.errors] == [
        f"content/stories/2026/radwege.en.md:{line}: Feld „channels.{name}“: {what}; eine Übersetzung wählt den "
        f"Kanal „{name}“ nicht. Er gehört in die deutsche Meldung."]


def test_an_unknown_channel_and_a_text_too_long_are_named_like_a_german_storys(site):
    due_story(site)
    site.write("stories/2026/radwege.en.md", translation("\n  mastodn: true"))
    with pytest.raises(ContentErrors) as caught:
        site.check()
    assert any(e.path == "content/stories/2026/radwege.en.md" and e.line == 6 and e.field == "channels.mastodn"
               for e in caught.value.errors)
    site.write("stories/2026/radwege.en.md", translation("\n  mastodon:\n    text: " + "word " * 700))
    with pytest.raises(ContentErrors) as caught:
        site.check(BUILD_NOW="2026-11-26 12:00")
    [error] = caught.value.errors
    assert (error.path, error.field) == ("content/stories/2026/radwege.en.md", "channels.mastodon")
    assert error.message.startswith("Mastodon: ")


def test_the_withdrawal_of_the_original_takes_the_english_post_back_too(site, mastodon):
    translated(site)
    publish(site)
    [english] = mastodon.posts_for(ENGLISH)
    due_story(site, status="withdrawn", withdrawal=WITHDRAWAL.format(date="2026-11-26 13:00"))
    commit_and_push(site, "Rücknahme", "2026-11-26 13:01")
    report = publish(site, now="2026-11-26 13:05")
    assert sorted((o.story_id, o.status) for o in report.outcomes) == [
        (f"{STORY_ID}.en.ruecknahme", "sent"), (f"{STORY_ID}.ruecknahme", "sent")]
    assert mastodon.statuses == [] and english["id"] in mastodon.deleted
    lines = status_lines(report.plan, report.where)
    assert any(f"[Rücknahme, Englisch, id {STORY_ID}.en.ruecknahme]" in line for line in lines)
    site.repo.git.pull("origin", "main")
    site.build(BUILD_NOW="2026-11-26 13:06")
    desk = (site.root / "preview/desk/index.html").read_text(encoding="utf-8")
    assert "<strong>Rücknahme (Englisch)</strong>" in desk and f"<code>{STORY_ID}.en.ruecknahme</code>" in desk
    assert publish(site, now="2026-11-26 13:10").outcomes == []


def test_a_pending_english_send_of_a_withdrawn_story_is_cancelled(site, mastodon):
    due_story(site, date="2026-11-26 14:00", status="withdrawn", withdrawal=WITHDRAWAL.format(date="2026-11-26 14:00"))
    site.write("stories/2026/radwege.en.md", translation())
    commit_and_push(site)
    report = publish(site, now="2026-11-26 14:05")
    assert sorted((o.story_id, o.status) for o in report.outcomes) == [
        (STORY_ID, "cancelled"), (f"{STORY_ID}.en", "cancelled")]
    assert mastodon.statuses == []


@pytest.fixture
def origin(tmp_path) -> Path:
    """A bare origin holding the project, a story due for Mastodon and its English translation with Mastodon."""
    return seeded_origin(tmp_path, {
        "2026/radwege.md": story_text(id=STORY_ID, date="2026-11-26 09:00", channels="\n  mastodon: true"),
        "2026/radwege.en.md": translation()})


def test_a_run_killed_after_the_english_post_then_a_rerun_posts_nothing_twice(origin):
    with FakeMastodon() as server:
        # The English post (the run's second) is created, then the run dies before it hears the answer.
        publish_killed(fresh_clone(origin, "runner-1"), server.env, server=server, hook="on_write", at=2)
        repo = git.Repo(origin)
        left = yaml.safe_load(repo.git.show(f"main:content/receipts/{STORY_ID}.en.yml"))["channels"]["mastodon"]
        assert left["status"] == "claimed" and left["key"] == f"{STORY_ID}.en-mastodon-1"
        second = start_publish(fresh_clone(origin, "runner-2"), server.env)
        out, err = second.communicate(timeout=300)
        assert second.returncode == 0, out + err
        assert len(server.posts_for(GERMAN)) == 1 and len(server.posts_for(ENGLISH)) == 1
        record = yaml.safe_load(repo.git.show(f"main:content/receipts/{STORY_ID}.en.yml"))["channels"]["mastodon"]
        assert record["status"] == "sent" and record["key"] == f"{STORY_ID}.en-mastodon-1"
        assert record["remote_id"] == server.posts_for(ENGLISH)[0]["id"]


def test_the_desk_and_the_overviews_show_the_english_sends_labelled_with_their_language(site, mastodon):
    from tests.desk_support import APPROVERS

    site.write("desk/approvers.yml", APPROVERS)
    translated(site)
    held = publish(site, settings={"APPROVAL_SINCE": "2026-11-01 00:00"})
    assert [(o.story_id, o.status) for o in held.outcomes] == [(STORY_ID, "held"), (f"{STORY_ID}.en", "held")]
    site.build(BUILD_NOW="2026-11-26 12:00", APPROVAL_SINCE="2026-11-01 00:00")
    desk = (site.root / "preview/desk/index.html").read_text(encoding="utf-8")
    assert '<strong>Englisch:</strong> <span lang="en">New cycle lanes on the Rhine</span>' in desk
    # The English version is approved on its own: the translation's file.
    assert f'name="story" value="{STORY_ID}.en"' in desk and "Diese Fassung freigeben (Englisch)" in desk
    assert "Mastodon (Englisch): fällig" in desk
    overview = (site.root / "preview/status.txt").read_text(encoding="utf-8")
    assert f"New cycle lanes on the Rhine  [online, Englisch, id {STORY_ID}.en]" in overview
    page = (site.root / "preview/index.html").read_text(encoding="utf-8")
    assert (f'<strong>Englisch</strong><br><a href="meldungen/{STORY_ID}.en.html" lang="en">New cycle lanes on the '
            "Rhine</a>") in page
    # Its own preview: what each channel would receive in English.
    preview = (site.root / f"preview/meldungen/{STORY_ID}.en.html").read_text(encoding="utf-8")
    assert '<h1 lang="en">New cycle lanes on the Rhine</h1>' in preview
    assert '<pre lang="en">New cycle lanes on the Rhine\n\nTwo new cycle lanes' in preview
    assert "/en/news/2026/11/new-cycle-lanes-on-the-rhine/" in preview


def test_the_english_version_is_approved_on_its_own(site, mastodon):
    from tests.desk_support import APPROVERS, CORA
    from tests.test_desk_approval import approve
    from tests.test_desk_approval import publish as publish_approved

    site.write("desk/approvers.yml", APPROVERS)
    translated(site)
    approval, made = approve(site, CORA, f"{STORY_ID}.en")
    assert made and approval.source == "content/stories/2026/radwege.en.md"
    report = publish_approved(site)
    assert {(o.story_id, o.status) for o in report.outcomes} == {(STORY_ID, "held"), (f"{STORY_ID}.en", "sent")}
    assert len(mastodon.posts_for(ENGLISH)) == 1 and mastodon.posts_for(GERMAN) == []
    site.repo.git.pull("origin", "main")
    assert [p.name for p in (site.content / "approvals" / f"{STORY_ID}.en").iterdir()] == [approval.file_name]


def test_english_posts_take_the_english_house_templates_never_the_german_ones(tmp_path):
    from newsroom.errors import ConfigurationError
    from newsroom.publishing.templates import house_template, render
    from tests.support import REPO

    template = house_template({"THEME": str(REPO / "theme")}, "instagram", "en")
    assert template.name == "channels/en/default.txt"
    values = {"title": "Japan Day", "summary": "On 16 May.", "url": "https://x.example/en/", "link_in_text": False,
              "hashtags": ["#Düsseldorf"]}
    assert render(template, values) == "Japan Day\n\nOn 16 May.\n\nMore via the link in our profile.\n\n#Düsseldorf"
    # A theme without templates for the language stops, naming what it looked for.
    (tmp_path / "templates/channels").mkdir(parents=True)
    (tmp_path / "templates/channels/default.txt").write_text("{{ title }} {{ url }}")
    with pytest.raises(ConfigurationError) as caught:
        house_template({"THEME": str(tmp_path)}, "mastodon", "en")
    assert str(caught.value) == (f"Hausvorlage fehlt: weder {tmp_path}/templates/channels/en/mastodon.txt noch "
                                 f"{tmp_path}/templates/channels/en/default.txt gibt es.")


def test_a_run_killed_mid_english_send_on_a_channel_that_cannot_look_up_leaves_it_to_the_desk(tmp_path):
    """Telegram can neither repeat safely nor look up: the English message that may be out is never sent again."""
    origin = seeded_origin(tmp_path, {
        "2026/radwege.md": story_text(id=STORY_ID, date="2026-11-26 09:00", channels="\n  telegram: true"),
        "2026/radwege.en.md": translation("\n  telegram: true")})
    key = f"{STORY_ID}.en"

    def state(name: str) -> str:
        return yaml.safe_load(git.Repo(origin).git.show(f"main:content/receipts/{name}.yml"))["channels"][
            "telegram"]["status"]

    def messages(url: str) -> int:
        return sum(url in (m.get("text") or "") for m in server.messages.values())

    with FakeTelegram() as server:
        publish_killed(fresh_clone(origin, "runner-1"), server.env, server=server, hook="on_write", at=2)
        assert (state(STORY_ID), state(key)) == ("sent", "claimed")
        again = start_publish(fresh_clone(origin, "runner-2"), server.env)
        out, err = again.communicate(timeout=300)
        assert again.returncode == 1, out + err  # one send is unclear: the desk decides
        assert state(key) == "unknown" and f"--story {key} --channel telegram --done" in out
        assert (messages(GERMAN), messages(ENGLISH)) == (1, 1)
        done = start_publish(fresh_clone(origin, "desk"), server.env, "--story", key, "--channel", "telegram",
                             "--done")
        out, err = done.communicate(timeout=300)
        assert done.returncode == 0, out + err
        assert state(key) == "sent" and (messages(GERMAN), messages(ENGLISH)) == (1, 1)
