"""The crisis message on every channel it lists, exactly once: first in the run, updates and the
all-clear as replies (a mail of its own for the press), approved like a story version. The real build
and Publisher, git with a bare origin, fake Mastodon and Bluesky servers and a real SMTP server on loopback."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from tests.fakes.bluesky import FakeBluesky
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.smtp import FakeSMTP
from tests.press_support import RECIPIENTS, body, press_env, write_list
from tests.publishing_support import commit_and_push, due_story, origin_receipt, publish, publish_killed
from tests.support import REPO

KEY = "krise-hochwasser-rhein"
TITLE = "Hochwasser am Rhein: Ufer gesperrt"
CRISIS = """\
id: hochwasser-rhein
level: Warnung
title: "Hochwasser am Rhein: Ufer gesperrt"
text: "Der Rhein steigt schnell. Die Uferpromenade ist gesperrt. Bitte meiden Sie das Ufer."
start: 2026-11-26 11:50
channels: [press, mastodon, bluesky, instagram]
"""
UPDATE = """updates:
  - date: 2026-11-26 12:30
    text: "Die Oberkasseler Brücke ist gesperrt."
"""
EMERGENCY = "https://www.duesseldorf.de/krise/"
APPROVERS = """approvers:
  cvd-a:
    emails: [cora.vogt@example.org]
"""
CORA = ("Cora Vogt", "cora.vogt@example.org")
DESK = {"APPROVAL_SINCE": "2026-11-01 00:00", "APPROVAL_REQUIRE_SIGNED": False}


@pytest.fixture
def servers(tmp_path, monkeypatch):
    """Mastodon, Bluesky and the press's SMTP server, their addresses and keys in the environment."""
    with FakeMastodon() as mastodon, FakeBluesky() as bluesky, FakeSMTP() as smtp:
        for name, value in {**mastodon.env, **bluesky.env}.items():
            monkeypatch.setenv(name, value)
        press_env(monkeypatch, smtp, write_list(tmp_path / "verteiler" / "presse.csv", RECIPIENTS))
        yield mastodon, bluesky, smtp


def crisis(site, *extra: str, when: str = "2026-11-26 11:55", author: str = "Test Redaktion",
           email: str = "redaktion@example.org") -> None:
    """content/krise.yml as the person on duty commits it, on top of what the runs pushed."""
    site.write("krise.yml", CRISIS + "".join(extra))
    site.commit("Krisenmeldung", when, author, email)
    if "main" in site.repo.git.ls_remote("--heads", "origin"):
        site.repo.git.pull("--rebase", "origin", "main")
    site.repo.git.push("origin", "HEAD:refs/heads/main")


def outcomes(report) -> list[tuple[str, str, str]]:
    return [(o.story_id, o.channel, o.status) for o in report.outcomes]


def mails(server, first: int = 0) -> list:
    return [message_from_bytes(m.data, policy=policy.default) for m in server.received[first:]]


def test_the_alert_goes_to_each_channel_once_before_a_due_story_and_a_rerun_sends_nothing(site, servers):
    mastodon, bluesky, smtp = servers
    due_story(site, channels="\n  mastodon: true")
    commit_and_push(site)
    crisis(site)
    report = publish(site)
    assert outcomes(report) == [(KEY, "press", "sent"), (KEY, "mastodon", "sent"), (KEY, "bluesky", "sent"),
                                ("a1b2c3d4e5f6", "mastodon", "sent")]
    # The crisis before the story on the same channel, each post once.
    first, story = mastodon.statuses
    assert first["content"].startswith(f"<p>Warnung: {TITLE}\n\nDer Rhein steigt schnell.")
    assert f"{EMERGENCY}#{KEY}" in first["content"] and "radwege" in story["content"]
    [record] = bluesky.records.values()
    assert record["value"]["text"].startswith(f"Warnung: {TITLE}")
    assert len(record["value"]["text"]) <= 300
    # The press: the whole list, whatever Themen they chose, with the crisis's own subject.
    messages = mails(smtp)
    assert sorted(m["To"].addresses[0].addr_spec for m in messages) == sorted(r[0] for r in RECIPIENTS)
    assert {m["Subject"] for m in messages} == {f"Krisenmeldung: {TITLE}"}
    assert "Der Rhein steigt schnell." in body(messages[0])
    # Instagram has no picture to show: left out, said in German, nothing recorded.
    assert any("nicht an instagram: braucht ein Bild" in notice for notice in report.plan.notices)
    receipt = origin_receipt(site, KEY)
    assert receipt["source"] == "content/krise.yml" and set(receipt["channels"]) == {"mastodon", "bluesky", "press"}
    # Again: nothing.
    assert publish(site, now="2026-11-26 12:10").outcomes == []
    assert len(mastodon.statuses) == 2 and len(bluesky.records) == 1 and len(smtp.received) == len(RECIPIENTS)


def test_an_update_is_a_reply_once_and_the_all_clear_once(site, servers):
    mastodon, bluesky, smtp = servers
    crisis(site)
    publish(site)
    [first] = mastodon.statuses
    [root] = bluesky.records.values()
    press_count = len(smtp.received)
    # An update dated later: nothing before its time, then a reply on each channel, once.
    crisis(site, UPDATE, when="2026-11-26 12:05")
    assert publish(site, now="2026-11-26 12:10").outcomes == []
    update = f"{KEY}.update-202611261230"
    report = publish(site, now="2026-11-26 12:31")
    assert outcomes(report) == [(update, "press", "sent"), (update, "mastodon", "sent"), (update, "bluesky", "sent")]
    [reply] = mastodon.replies_to(first["id"])
    assert reply["content"].startswith("<p>Aktualisierung vom 26.11.2026, 12:30 Uhr – Warnung: ")
    assert "Die Oberkasseler Brücke ist gesperrt." in reply["content"]
    [answer] = bluesky.replies_to(root["uri"])
    assert answer["value"]["reply"]["parent"]["uri"] == root["uri"]
    updated = mails(smtp, press_count)
    assert {m["Subject"] for m in updated} == {f"Aktualisierung der Krisenmeldung: {TITLE}"}
    assert publish(site, now="2026-11-26 12:40").outcomes == []
    # The end: an all-clear on each channel, once; the update is not sent again.
    crisis(site, UPDATE, "end: 2026-11-26 14:00\nall_clear: \"Der Pegel sinkt. Das Ufer ist wieder offen.\"\n",
           when="2026-11-26 12:45")
    assert publish(site, now="2026-11-26 13:00").outcomes == []
    clear = f"{KEY}.entwarnung"
    report = publish(site, now="2026-11-26 14:01")
    assert outcomes(report) == [(clear, "press", "sent"), (clear, "mastodon", "sent"), (clear, "bluesky", "sent")]
    assert len(mastodon.replies_to(first["id"])) == 2 and len(bluesky.replies_to(root["uri"])) == 2
    assert mastodon.replies_to(first["id"])[-1]["content"].startswith("<p>Entwarnung vom 26.11.2026, 14:00 Uhr")
    assert {m["Subject"] for m in mails(smtp, press_count + len(RECIPIENTS))} == {f"Entwarnung: {TITLE}"}
    assert publish(site, now="2026-11-26 15:00").outcomes == []
    assert len(mastodon.statuses) == 3


def approve(site, name: str, urgent: str | None = None):
    from newsroom.build.runner import check
    from newsroom.desk.actions import approve as approve_crisis
    from newsroom.publishing.pipeline import ledger_from_settings

    with site.repo.config_writer() as config:
        config.set_value("user", "name", CORA[0])
        config.set_value("user", "email", CORA[1])
    return check(REPO / "publishconf.py", site.overrides(**DESK),
                 after=lambda built, s: approve_crisis(built, s, ledger_from_settings(s), name, urgent=urgent))


def test_unapproved_it_waits_and_the_author_alone_approves_it_urgently_and_the_desk_says_why(site, servers):
    mastodon, _bluesky, smtp = servers
    site.write("desk/approvers.yml", APPROVERS)
    commit_and_push(site, "Freigebende", "2026-11-26 08:00")
    crisis(site, author=CORA[0], email=CORA[1])
    report = publish(site, settings=DESK)
    assert {status for _key, _channel, status in outcomes(report)} == {"held"}
    assert mastodon.statuses == [] and smtp.received == []
    assert f"„invoke approve {KEY}“" in report.outcomes[0].message
    desk = (site.root / "preview" / "desk" / "index.html").read_text(encoding="utf-8")
    assert "Krisenmeldung" in desk and "wartet auf Freigabe" in desk
    # The author alone, at night: refused without a reason, accepted with one.
    from newsroom.errors import AccessRefused

    with pytest.raises(AccessRefused):
        approve(site, KEY)
    approval, made = approve(site, KEY, urgent="CvD nicht erreichbar, Pegel steigt")
    assert made and approval.story == KEY and approval.urgent == "CvD nicht erreichbar, Pegel steigt"
    report = publish(site, now="2026-11-26 12:05", settings=DESK)
    assert {status for _key, _channel, status in outcomes(report)} == {"sent"}
    assert len(mastodon.statuses) == 1
    desk = (site.root / "preview" / "desk" / "index.html").read_text(encoding="utf-8")
    top = desk.index('id="krise"')
    assert top < desk.index("Diese Woche")
    assert "EILIG" in desk and "CvD nicht erreichbar, Pegel steigt" in desk


@pytest.mark.parametrize("k", [1, 2])
def test_kill_9_mid_run_then_a_fresh_clone_sends_the_alert_exactly_once_and_first(tmp_path, k):
    import git

    from tests.publishing_support import fresh_clone, start_publish
    from tests.support import seeded_origin, story_text
    from tests.test_publish_runs import STORIES, posts_per_story

    origin = seeded_origin(tmp_path, {f"2026/{story_id}.md": story_text(
        id=story_id, title=f"Meldung {story_id}", date=date, channels="\n  mastodon: true")
        for story_id, date in STORIES.items()})
    editor = fresh_clone(origin, "editor")
    (editor / "content/krise.yml").write_text(CRISIS.replace("[press, mastodon, bluesky, instagram]", "[mastodon]"),
                                              encoding="utf-8")
    repo = git.Repo(editor)
    repo.git.add("-A")
    repo.git.commit("-m", "Krisenmeldung")
    repo.git.push("origin", "HEAD:refs/heads/main")
    with FakeMastodon() as server:
        # The k-th post is created, then the run dies before it hears the answer.
        publish_killed(fresh_clone(origin, "runner-1"), server.env, server=server, hook="on_write", at=k)
        assert len(server.statuses) == k
        again = start_publish(fresh_clone(origin, "runner-2"), server.env)
        out, err = again.communicate(timeout=300)
        assert again.returncode == 0, out + err
        alerts = [s for s in server.statuses if f"#{KEY}" in s["content"]]
        assert len(alerts) == 1 and server.statuses[0] is alerts[0]  # once, and before every story
        assert posts_per_story(server) == {story_id: 1 for story_id in STORIES}
        receipt = git.Repo(origin).git.show(f"main:content/receipts/{KEY}.yml")
        assert "status: sent" in receipt


def test_an_update_already_due_with_the_first_alert_follows_it_as_a_reply_in_the_same_run(site, servers):
    mastodon, bluesky, _smtp = servers
    crisis(site, UPDATE.replace("12:30", "11:55"))
    report = publish(site)
    update = f"{KEY}.update-202611261155"
    assert outcomes(report) == [(KEY, "press", "sent"), (KEY, "mastodon", "sent"), (KEY, "bluesky", "sent"),
                                (update, "press", "sent"), (update, "mastodon", "sent"), (update, "bluesky", "sent")]
    first, reply = mastodon.statuses
    assert reply["in_reply_to_id"] == first["id"] and len(bluesky.records) == 2
    assert publish(site, now="2026-11-26 12:10").outcomes == []


def test_a_crisis_over_before_it_was_sent_sends_nothing_and_says_so(site, servers):
    mastodon, _bluesky, smtp = servers
    crisis(site, "end: 2026-11-26 11:58\n")
    report = publish(site)
    assert report.outcomes == [] and mastodon.statuses == [] and smtp.received == []
    assert any("endete, bevor sie gesendet wurde" in notice for notice in report.plan.notices)


def test_with_a_picture_instagram_posts_it_and_facebook_answers_an_update_with_a_comment(site, servers, monkeypatch):
    from tests.fakes.meta import FakeGraph

    crisis_channels = CRISIS.replace("[press, mastodon, bluesky, instagram]", "[facebook, instagram, youtube]")
    with FakeGraph() as graph:
        for name, value in {**graph.facebook_env, **graph.instagram_env}.items():
            monkeypatch.setenv(name, value)
        site.write("krise.yml", crisis_channels + "image: fotos/rhein.jpg\n")
        commit_and_push(site, "Krisenmeldung", "2026-11-26 11:55")
        report = publish(site)
        assert outcomes(report) == [(KEY, "facebook", "sent"), (KEY, "instagram", "sent")]
        assert any("nicht an youtube: braucht ein Video" in notice for notice in report.plan.notices)
        [post] = graph.page_posts
        [media] = graph.media
        assert post["message"].startswith(f"Warnung: {TITLE}") and media["caption"].startswith(f"Warnung: {TITLE}")
        site.write("krise.yml", crisis_channels + "image: fotos/rhein.jpg\n" + UPDATE)
        commit_and_push(site, "Aktualisierung", "2026-11-26 12:05")
        update = f"{KEY}.update-202611261230"
        report = publish(site, now="2026-11-26 12:31")
        assert outcomes(report) == [(update, "facebook", "sent"), (update, "instagram", "sent")]
        [comment] = graph.comments_on(post["id"])
        assert comment["message"].startswith("Aktualisierung vom 26.11.2026, 12:30 Uhr")
        assert len(graph.page_posts) == 1 and len(graph.media) == 2  # Instagram: a post of its own
        assert graph.media[-1]["caption"].startswith("Aktualisierung der Krisenmeldung – Warnung: ")
        assert publish(site, now="2026-11-26 12:40").outcomes == []


def test_invoke_approve_urgent_lets_the_author_alone_approve_the_crisis_at_night(tmp_path):
    import git
    import yaml

    from tests.publishing_support import fresh_clone
    from tests.support import invoke, seeded_origin

    origin = seeded_origin(tmp_path, {}, 'APPROVAL_SINCE = "2026-11-01 00:00"\nAPPROVAL_REQUIRE_SIGNED = False')
    duty = fresh_clone(origin, "duty")
    repo = git.Repo(duty)
    with repo.config_writer() as config:
        config.set_value("user", "name", CORA[0])
        config.set_value("user", "email", CORA[1])
    (duty / "content/desk").mkdir(parents=True)
    (duty / "content/desk/approvers.yml").write_text(APPROVERS, encoding="utf-8")
    (duty / "content/krise.yml").write_text(CRISIS, encoding="utf-8")
    repo.git.add("-A")
    repo.git.commit("-m", "Krisenmeldung")
    repo.git.push("origin", "HEAD:refs/heads/main")
    refused = invoke(duty, "approve", KEY)
    assert refused.returncode != 0 and "eine zweite Person gibt frei" in refused.stdout + refused.stderr
    done = invoke(duty, "approve", KEY, "--urgent", "CvD nicht erreichbar, Pegel steigt")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "EILIG freigegeben von cvd-a allein (CvD nicht erreichbar, Pegel steigt)" in done.stdout
    bare = git.Repo(origin)
    [name] = bare.git.ls_tree("--name-only", f"main:content/approvals/{KEY}").split()
    approval = yaml.safe_load(bare.git.show(f"main:content/approvals/{KEY}/{name}"))
    assert approval["urgent"] == "CvD nicht erreichbar, Pegel steigt" and approval["source"] == "content/krise.yml"



def test_a_photo_whose_rights_ended_is_not_sent_its_replacement_is(site, servers, monkeypatch):
    from tests.fakes.meta import FakeGraph

    site.add_media("fotos/agentur.jpg", alt="Ufer der Agentur", credit='"Foto: Agentur/Test"',
                   rechte_bis="2026-11-25", ersatz="fotos/rhein.jpg")
    with FakeGraph() as graph:
        for name, value in graph.instagram_env.items():
            monkeypatch.setenv(name, value)
        site.write("krise.yml", CRISIS.replace("[press, mastodon, bluesky, instagram]", "[instagram]")
                   + "image: fotos/agentur.jpg\n")
        commit_and_push(site, "Krisenmeldung", "2026-11-26 11:55")
        assert outcomes(publish(site)) == [(KEY, "instagram", "sent")]  # 2026-11-26: the rights ended the day before
        [media] = graph.media
        assert "rhein" in media["image_url"] and "agentur" not in media["image_url"]
