"""Corrections and withdrawals through the real publish run: real git with a bare origin, a
Mastodon-shaped server on loopback; every follow-up exactly once, pending sends cancelled."""

from __future__ import annotations

from tests.fakes.api import Answer, Drop
from tests.fakes.mastodon import STATUSES
from tests.publishing_support import STORY_ID, commit_and_push, due_story, origin_receipt, publish

URL = "https://www.duesseldorf.de/aktuelles/2026/11/neue-radwege-am-rheinufer/"
CORRECTION = ("\n  - date: {date}\n    wrong: Die Sperrung dauert bis Freitag."
              "\n    right: Die Sperrung dauert bis {day}.")
WITHDRAWAL = "\n  date: {date}\n  reason: Die Baustelle wurde verschoben."
FIRST = f"{STORY_ID}.berichtigung-202611261300"
SECOND = f"{STORY_ID}.berichtigung-202611261500"


def sent_story(site, mastodon) -> dict:
    due_story(site)
    commit_and_push(site)
    assert [o.status for o in publish(site).outcomes] == ["sent"]
    return mastodon.statuses[0]


def correct(site, *dates: str, when: str = "2026-11-26 13:05", **fields) -> None:
    days = ["Sonntag", "Montag", "Dienstag"]
    text = "".join(CORRECTION.format(date=d, day=days[n]) for n, d in enumerate(dates))
    due_story(site, corrections=text, **fields)
    commit_and_push(site, "Berichtigung", when)


def test_a_correction_is_a_reply_to_the_first_post_once(site, mastodon):
    first = sent_story(site, mastodon)
    correct(site, "2026-11-26 13:00")
    report = publish(site, now="2026-11-26 13:10")
    assert [(o.story_id, o.channel, o.status) for o in report.outcomes] == [(FIRST, "mastodon", "sent")]
    replies = mastodon.replies_to(first["id"])
    assert len(replies) == 1 and "Berichtigung vom 26.11.2026, 13:00 Uhr" in replies[0]["content"]
    assert "Richtig ist: Die Sperrung dauert bis Sonntag." in replies[0]["content"] and URL in replies[0]["content"]
    record = origin_receipt(site, FIRST)["channels"]["mastodon"]
    assert record["status"] == "sent" and record["remote_id"] == replies[0]["id"]
    assert record["detail"]["story"] == STORY_ID
    # Re-running sends nothing; a second correction is a second reply.
    assert publish(site, now="2026-11-26 13:20").outcomes == []
    correct(site, "2026-11-26 13:00", "2026-11-26 15:00", when="2026-11-26 15:01")
    again = publish(site, now="2026-11-26 15:05")
    assert [(o.story_id, o.status) for o in again.outcomes] == [(SECOND, "sent")]
    assert len(mastodon.replies_to(first["id"])) == 2 and len(mastodon.statuses) == 3
    assert publish(site, now="2026-11-26 15:10").outcomes == []


def test_a_correction_whose_answer_was_lost_is_found_not_posted_again(site, mastodon):
    first = sent_story(site, mastodon)
    correct(site, "2026-11-26 13:00")
    mastodon.fail("POST", STATUSES, Drop())  # posted, then the connection closes without an answer
    report = publish(site, now="2026-11-26 13:10")
    assert [o.status for o in report.outcomes] == ["sent"]
    assert len(mastodon.replies_to(first["id"])) == 1


def test_a_story_never_sent_gets_no_correction(site, mastodon):
    due_story(site, date="2026-11-20 10:00")  # outside the window: never sent
    commit_and_push(site)
    correct(site, "2026-11-26 11:00", date="2026-11-20 10:00")
    report = publish(site)
    assert report.outcomes == [] and mastodon.statuses == []
    assert origin_receipt(site, f"{STORY_ID}.berichtigung-202611261100") is None


def test_a_withdrawal_deletes_the_post_once_and_a_post_already_gone_counts(site, mastodon):
    first = sent_story(site, mastodon)
    due_story(site, status="withdrawn", withdrawal=WITHDRAWAL.format(date="2026-11-26 13:00"))
    commit_and_push(site, "Rücknahme", "2026-11-26 13:01")
    mastodon.fail("DELETE", f"{STATUSES}/{first['id']}", Answer(429, {"error": "Too many requests"},
                                                                 {"Retry-After": "1"}))
    report = publish(site, now="2026-11-26 13:05")
    assert [(o.story_id, o.status) for o in report.outcomes] == [(f"{STORY_ID}.ruecknahme", "sent")]
    assert mastodon.statuses == [] and mastodon.deleted == [first["id"]]
    record = origin_receipt(site, f"{STORY_ID}.ruecknahme")["channels"]["mastodon"]
    assert record["detail"]["deleted"] == {first["id"]: "gelöscht (200)"} and record["finished"]
    assert publish(site, now="2026-11-26 13:10").outcomes == []


def test_a_withdrawn_story_that_never_went_out_sends_nothing_and_its_pending_send_is_cancelled(site, mastodon):
    due_story(site, date="2026-11-26 14:00", status="withdrawn", withdrawal=WITHDRAWAL.format(date="2026-11-26 14:00"))
    commit_and_push(site)
    report = publish(site)
    assert [(o.story_id, o.status) for o in report.outcomes] == [(STORY_ID, "cancelled")] and report.ok
    assert mastodon.statuses == [] and mastodon.log == []
    assert origin_receipt(site)["channels"]["mastodon"]["status"] == "cancelled"
    assert publish(site, now="2026-11-26 15:00").outcomes == []  # cancelled stays cancelled


def test_a_retry_pending_at_withdrawal_is_cancelled(site, mastodon):
    due_story(site)
    commit_and_push(site)
    mastodon.fail("POST", STATUSES, *[Answer(503, {"error": "busy"})] * 40)
    first = publish(site)
    assert [o.status for o in first.outcomes] == ["retry"]
    mastodon._faults.clear()
    due_story(site, status="withdrawn", withdrawal=WITHDRAWAL.format(date="2026-11-26 12:30"))
    commit_and_push(site, "Rücknahme", "2026-11-26 12:31")
    report = publish(site, now="2026-11-26 12:40")
    assert [(o.story_id, o.status) for o in report.outcomes] == [(STORY_ID, "cancelled")]
    assert mastodon.statuses == []
    assert origin_receipt(site, f"{STORY_ID}.ruecknahme") is None  # nothing went out: nothing to take back


def test_the_desk_and_the_status_show_each_correction_and_withdrawal_per_channel(site, mastodon):
    from newsroom.publishing.overview import status_lines
    from tests.desk_support import APPROVERS

    sent_story(site, mastodon)
    correct(site, "2026-11-26 13:00")
    publish(site, now="2026-11-26 13:10")
    site.write("desk/approvers.yml", APPROVERS)
    due_story(site, status="withdrawn", withdrawal=WITHDRAWAL.format(date="2026-11-26 14:00"),
              corrections=CORRECTION.format(date="2026-11-26 13:00", day="Sonntag"))
    commit_and_push(site, "Rücknahme", "2026-11-26 14:01")
    held = publish(site, now="2026-11-26 14:05", settings={"APPROVAL_SINCE": "2026-11-26 13:30"})
    assert [(o.story_id, o.status) for o in held.outcomes] == [(f"{STORY_ID}.ruecknahme", "held")]
    assert len(mastodon.statuses) == 2  # nothing deleted before a second person approves
    site.repo.git.pull("origin", "main")
    site.build(BUILD_NOW="2026-11-26 14:06", APPROVAL_SINCE="2026-11-26 13:30")
    html = (site.root / "preview/desk/index.html").read_text(encoding="utf-8")
    section = html.split('id="nachtraege"', 1)[1].split("</section>", 1)[0]
    assert "Rücknahme" in section and "Berichtigung" in section and f"{STORY_ID}.ruecknahme" in section
    assert "Mastodon: gesendet" in section  # the correction
    assert 'name="story" value="' + STORY_ID + '"' in section  # the withdrawal waits for approval of this version
    lines = "\n".join(status_lines(held.plan, held.where))
    assert f"[Rücknahme, id {STORY_ID}.ruecknahme]" in lines and f"[Berichtigung, id {FIRST}]" in lines
    assert f"[zurückgezogen, id {STORY_ID}]" in lines
    # The build's overview beside the previews says the same from the checkout's record.
    overview = (site.root / "preview/status.txt").read_text(encoding="utf-8")
    assert f"[Berichtigung, id {FIRST}]" in overview and f"[Rücknahme, id {STORY_ID}.ruecknahme]" in overview
    assert f'href="meldungen/{STORY_ID}.html">Rücknahme:' in (site.root / "preview/index.html").read_text()


def test_only_recent_follow_ups_read_their_first_sends_from_the_record(site):
    """At archive scale the corrected and withdrawn stories of past years cost no record reads."""
    from newsroom.publishing.followups import StoryFollowUps
    from tests.support import story_text

    for n, day in enumerate(["2025-01-10", "2025-02-10", "2026-11-25"]):
        site.write(f"stories/2026/s{n}.md", story_text(
            id=f"story{n}old", title=f"Meldung {n}", slug=f"meldung-{n}", date=f"{day} 09:00",
            channels="\n  mastodon: true", status="withdrawn", withdrawal=WITHDRAWAL.format(date=f"{day} 10:00")))
    archive = site.check().archive
    read = []
    follow_ups = StoryFollowUps(archive, None, since=archive.by_id["story2old"].ts - 3600)
    follow_ups.cards(lambda key: read.append(key), {"story0old", "story1old", "story2old"})
    assert read == ["story2old"]
    read.clear()
    StoryFollowUps(archive, None, since=archive.by_id["story2old"].ts - 3600,
                   keep={"story0old.ruecknahme"}).cards(lambda key: read.append(key), {"story0old", "story2old"})
    assert sorted(read) == ["story0old", "story2old"]
