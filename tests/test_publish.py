"""The publishing pipeline end to end: real git (bare origin), real Mastodon-shaped server."""

from __future__ import annotations

import git

from tests.fakes.api import Answer, Drop
from tests.fakes.mastodon import LIMITS, STATUSES
from tests.publishing_support import STORY_ID, commit_and_push, due_story, origin_receipt, publish

URL = "https://www.duesseldorf.de/aktuelles/2026/11/neue-radwege-am-rheinufer/"


def test_a_due_story_is_sent_once_and_the_receipt_is_pushed(site, mastodon):
    due_story(site)
    commit_and_push(site)
    report = publish(site)
    assert report.ok and [o.status for o in report.outcomes] == ["sent"]
    assert len(mastodon.posts_for(URL)) == 1
    receipt = origin_receipt(site)
    record = receipt["channels"]["mastodon"]
    assert record["status"] == "sent" and record["remote_id"] == mastodon.statuses[0]["id"]
    assert record["url"] == mastodon.statuses[0]["url"]
    # The next run finds the receipt and sends nothing.
    again = publish(site)
    assert again.outcomes == [] and len(mastodon.statuses) == 1
    assert [e.state for e in again.plan.entries] == ["sent"]


def test_claim_and_receipt_are_separate_commits_marked_skip_ci(site, mastodon):
    due_story(site)
    commit_and_push(site)
    publish(site)
    origin = git.Repo(site.root.parent / f"{site.root.name}-origin.git")
    messages = [c.message.strip() for c in origin.iter_commits("main", max_count=2)]
    assert messages == [f"publish: mastodon sent for {STORY_ID} [skip ci]",
                        f"publish: claim {STORY_ID}/mastodon [skip ci]"]


def test_scheduled_and_draft_stories_are_not_sent_until_due(site, mastodon):
    due_story(site, date="2026-11-26 14:00")
    due_story(site, "2026/entwurf.md", story_id="d1d2d3d4d5d6", title="Ein Entwurf", status="draft")
    commit_and_push(site)
    report = publish(site)
    assert report.outcomes == [] and mastodon.statuses == []
    assert {e.story_id: e.state for e in report.plan.entries} == {STORY_ID: "scheduled", "d1d2d3d4d5d6": "draft"}
    later = publish(site, now="2026-11-26 14:00")
    assert [o.status for o in later.outcomes] == ["sent"] and len(mastodon.statuses) == 1


def test_older_unsent_stories_are_listed_never_bulk_sent(site, mastodon):
    due_story(site, date="2026-11-20 10:00")  # six days old: outside the 48-hour window
    commit_and_push(site)
    report = publish(site)
    assert report.outcomes == [] and mastodon.statuses == []
    assert [(e.story_id, e.state) for e in report.plan.entries] == [(STORY_ID, "outside")]
    assert publish(site, now="2026-12-20 10:00").plan.older_unsent[0][0] == STORY_ID  # beyond the overview
    # On purpose, one story:
    chosen = publish(site, story=STORY_ID, channel="mastodon")
    assert [o.status for o in chosen.outcomes] == ["sent"] and len(mastodon.statuses) == 1


def test_an_edit_after_sending_never_sends_again(site, mastodon):
    due_story(site)
    commit_and_push(site)
    publish(site)
    site.repo.git.pull("origin", "main")  # the editor's checkout gets the receipts
    due_story(site, title="Neue Radwege am Rheinufer (korrigiert)", slug="neue-radwege-am-rheinufer")
    commit_and_push(site, "Tippfehler", "2026-11-26 11:00")
    report = publish(site)
    assert report.outcomes == [] and len(mastodon.statuses) == 1


def test_deleting_the_records_sends_nothing(site, mastodon):
    due_story(site)
    due_story(site, "2026/alt.md", story_id="0ld5t0ry0001", title="Alte Meldung", date="2026-11-01 10:00")
    commit_and_push(site)
    publish(site)
    publish(site, story="0ld5t0ry0001")
    assert len(mastodon.statuses) == 2
    site.repo.git.pull("origin", "main")
    site.repo.git.rm("-r", "content/receipts")
    commit_and_push(site, "Protokoll gelöscht", "2026-11-26 11:30")
    report = publish(site)
    assert len(mastodon.statuses) == 2  # the channel is asked first; the old story is outside the window
    assert [(o.story_id, o.status) for o in report.outcomes] == [(STORY_ID, "sent")]
    assert "früher gesendet" in report.outcomes[0].message


def test_429_with_retry_after_is_waited_out(site, mastodon):
    due_story(site)
    commit_and_push(site)
    mastodon.fail("POST", STATUSES, Answer(429, {"error": "Too many requests"},
                                           {**LIMITS, "X-RateLimit-Remaining": "0", "Retry-After": "1"}))
    report = publish(site)
    assert report.ok and len(mastodon.statuses) == 1
    posts = [r.at for r in mastodon.calls("POST", STATUSES)]
    assert len(posts) == 2 and posts[1] - posts[0] >= 1.0  # Retry-After: 1
    assert mastodon.too_early == []


def test_a_4xx_is_recorded_as_failure_and_not_retried(site, mastodon):
    due_story(site)
    commit_and_push(site)
    mastodon.fail("POST", STATUSES, mastodon.echoing_refusal())
    report = publish(site)
    assert not report.ok and [o.status for o in report.outcomes] == ["failed"]
    assert len(mastodon.calls("POST", STATUSES)) == 1
    record = origin_receipt(site)["channels"]["mastodon"]
    assert record["status"] == "failed" and "HTTP 422" in record["error"]
    assert mastodon.token not in record["error"]  # the server echoed the token; the record must not
    # Not retried by the next automatic run either; on purpose it is.
    assert publish(site).outcomes == []
    assert [o.status for o in publish(site, story=STORY_ID).outcomes] == ["sent"]
    assert len(mastodon.statuses) == 1


def test_5xx_is_retried(site, mastodon):
    due_story(site)
    commit_and_push(site)
    mastodon.fail("POST", STATUSES, Answer(500, {"error": "Internal server error"}), Answer(500))
    report = publish(site)
    assert report.ok and len(mastodon.statuses) == 1
    assert len(mastodon.calls("POST", STATUSES)) == 3


def test_a_lost_answer_after_the_server_acted_posts_once(site, mastodon):
    due_story(site)
    commit_and_push(site)
    mastodon.fail("POST", STATUSES, Drop())
    report = publish(site)
    assert report.ok and len(mastodon.statuses) == 1
    assert len(mastodon.calls("POST", STATUSES)) == 2  # same Idempotency-Key
    assert origin_receipt(site)["channels"]["mastodon"]["remote_id"] == mastodon.statuses[0]["id"]


def test_missing_credentials_block_the_channel_and_claim_nothing(site, mastodon, monkeypatch):
    monkeypatch.delenv("NEWSROOM_MASTODON_TOKEN")
    due_story(site)
    commit_and_push(site)
    report = publish(site)
    assert not report.ok and report.outcomes[0].status == "blocked"
    assert "NEWSROOM_MASTODON_TOKEN" in report.outcomes[0].message
    assert origin_receipt(site) is None and mastodon.statuses == []


def test_dry_run_renders_but_sends_and_records_nothing(site, mastodon):
    due_story(site)
    commit_and_push(site)
    report = publish(site, dry_run=True)
    assert [o.status for o in report.outcomes] == ["ready"]
    assert URL in report.outcomes[0].post.text and "#Radverkehr" in report.outcomes[0].post.text
    assert mastodon.log == [] and origin_receipt(site) is None


def test_without_a_remote_receipts_are_committed_locally(site, mastodon):
    site.repo.delete_remote("origin")
    due_story(site)
    site.commit("Meldung", "2026-11-26 08:00")
    site.write("notiz.txt", "vorgemerkt")
    site.repo.git.add("content/notiz.txt")  # an editor's staged work stays staged
    report = publish(site)
    assert report.ok and len(mastodon.statuses) == 1
    assert site.repo.head.commit.message.startswith(f"publish: mastodon sent for {STORY_ID}")
    tracked = [line for line in site.repo.git.status("--porcelain").splitlines() if not line.startswith("??")]
    assert tracked == ["A  content/notiz.txt"]
    assert "status: sent" in (site.content / f"receipts/{STORY_ID}.yml").read_text()
