"""Approval and the send stop, end to end: real git with a bare origin, the real build and
Publisher, a Mastodon-shaped server. Approvals and the stop are commits on the origin."""

from __future__ import annotations

import pytest

from newsroom.errors import AccessRefused
from tests.desk_support import APPROVERS, BEN, CORA, EDITOR, as_person
from tests.publishing_support import STORY_ID, commit_and_push, due_story
from tests.support import NOW, REPO

OTHER_ID = "b1b2b3b4b5b6"
SINCE = "2026-11-01 00:00"


@pytest.fixture
def desk(site):
    site.write("desk/approvers.yml", APPROVERS)
    return site


def desk_settings(site, signed=False, **extra) -> dict:
    """Local approvals (git identity) unless `signed`, as production has it (publishconf.py)."""
    return site.overrides(**{"APPROVAL_SINCE": SINCE, "APPROVAL_REQUIRE_SIGNED": signed, **extra})


def publish(site, now=NOW, since=SINCE, signed=False, **options):
    from newsroom.build.runner import build
    from newsroom.publishing.pipeline import Publisher

    overrides = desk_settings(site, signed, BUILD_NOW=now, PUBLISH_RETRY_SECONDS=20, APPROVAL_SINCE=since)
    return build(REPO / "publishconf.py", overrides,
                 after=lambda built, settings: Publisher(settings, built, **options).run()).after


def approve(site, person, story_id=STORY_ID, urgent=None, signed=False):
    from newsroom.build.runner import check
    from newsroom.desk.actions import approve as approve_story
    from newsroom.publishing.pipeline import ledger_from_settings

    as_person(site, person)
    return check(REPO / "publishconf.py", desk_settings(site, signed),
                 after=lambda built, s: approve_story(built, s, ledger_from_settings(s), story_id, urgent=urgent))


def ledger(site):
    from newsroom.build.runner import load_settings
    from newsroom.publishing.pipeline import ledger_from_settings

    settings = load_settings(REPO / "publishconf.py", desk_settings(site))
    return settings, ledger_from_settings(settings)


def states(report) -> dict[str, str]:
    return {e.story_id: e.state for e in report.plan.entries}


def test_an_unapproved_story_is_held_and_the_approved_one_is_sent(desk, mastodon):
    due_story(desk)
    due_story(desk, "2026/zweite.md", story_id=OTHER_ID, title="Zweite Meldung")
    commit_and_push(desk)
    approval, made = approve(desk, CORA)
    assert made and approval.by == "cvd-a" and approval.urgent is None
    report = publish(desk)
    assert report.ok
    assert {(o.story_id, o.status) for o in report.outcomes} == {(STORY_ID, "sent"), (OTHER_ID, "held")}
    held = next(o for o in report.outcomes if o.story_id == OTHER_ID)
    assert held.message.startswith("nicht freigegeben. Eine zweite Person gibt frei: „invoke approve b1b2b3b4b5b6“")
    assert len(mastodon.statuses) == 1
    # Approving again changes nothing; the approval is a file of its own on the origin.
    assert approve(desk, CORA)[1] is False
    desk.repo.git.pull("origin", "main")
    assert [p.name for p in (desk.content / "approvals" / STORY_ID).iterdir()] == [approval.file_name]


def test_stories_due_before_approval_began_are_left_alone(site, mastodon):
    due_story(site)
    commit_and_push(site)
    report = publish(site, since="2026-11-26 10:00")  # the story was due at 09:00
    assert [o.status for o in report.outcomes] == ["sent"]


def test_the_author_cannot_approve_their_own_text(desk, mastodon):
    due_story(desk)
    desk.commit("Meldung", "2026-11-26 08:00", author=CORA[0], email=CORA[1])
    desk.repo.git.push("origin", "HEAD:refs/heads/main")
    with pytest.raises(AccessRefused, match="die letzte Änderung ist von Ihnen \\(cvd-a\\); eine zweite Person"):
        approve(desk, CORA)
    # A hand-written approval of one's own version does not count either.
    from newsroom.desk.approvals import Approval

    settings, book = ledger(desk)
    book.sync()
    card_digest = __import__("hashlib").sha256((desk.content / "stories/2026/radwege.md").read_bytes()).hexdigest()
    forged = Approval(STORY_ID, "content/stories/2026/radwege.md", card_digest, "cvd-a", "2026-11-26T08:10:00+01:00")
    book.commit_content({f"approvals/{STORY_ID}/{forged.file_name}": forged.dumps()}, "approve by hand")
    report = publish(desk)
    assert states(report) == {STORY_ID: "unapproved"} and mastodon.statuses == []
    assert "eigene Freigabe zählt nicht" in report.outcomes[0].message
    # Someone not listed cannot approve.
    with pytest.raises(AccessRefused, match="steht nicht in desk/approvers.yml"):
        approve(desk, EDITOR)


def test_a_change_after_approval_needs_a_new_one_and_a_fix_after_sending_sends_nothing(desk, mastodon):
    due_story(desk)
    commit_and_push(desk)
    approve(desk, CORA)
    desk.repo.git.pull("origin", "main")
    due_story(desk, summary="Die Stadt baut drei Kilometer Radweg.")  # changed before it was sent
    commit_and_push(desk, "Korrektur", "2026-11-26 08:20")
    report = publish(desk)
    assert states(report) == {STORY_ID: "unapproved"} and mastodon.statuses == []
    assert "nach der Freigabe geändert" in report.outcomes[0].message
    with pytest.raises(AccessRefused, match="Fassung ist nicht die auf origin/main"):
        due_story(desk, summary="Noch nicht gepusht.")
        approve(desk, BEN)
    due_story(desk, summary="Die Stadt baut drei Kilometer Radweg.")
    approve(desk, BEN)
    assert [o.status for o in publish(desk).outcomes] == ["sent"]
    desk.repo.git.pull("origin", "main")
    due_story(desk, summary="Die Stadt baut drei Kilometer Radweg am Rhein.")  # a typo fix after sending
    commit_and_push(desk, "Tippfehler", "2026-11-26 09:30")
    again = publish(desk)
    assert again.outcomes == [] and states(again) == {STORY_ID: "sent"} and len(mastodon.statuses) == 1


def test_the_urgent_path_sends_on_one_approval_and_is_flagged_until_a_second(desk, mastodon):
    due_story(desk)
    desk.commit("Meldung", "2026-11-26 08:00", author=CORA[0], email=CORA[1])
    desk.repo.git.push("origin", "HEAD:refs/heads/main")
    approval, _made = approve(desk, CORA, urgent="Unwetterwarnung,   niemand sonst erreichbar")
    assert approval.urgent == "Unwetterwarnung, niemand sonst erreichbar"
    report = publish(desk, dry_run=True)
    assert [o.status for o in report.outcomes] == ["ready"]
    assert report.plan.entries[0].note == "eilig – nur von einer Person freigegeben: Unwetterwarnung, niemand " \
                                          "sonst erreichbar"
    assert [o.status for o in publish(desk).outcomes] == ["sent"]
    from newsroom.desk.gate import DeskGate

    def verdict():
        from newsroom.build.runner import check

        def look(built, settings):
            from newsroom.publishing.pipeline import ledger_from_settings

            book = ledger_from_settings(settings)
            book.sync()
            card = built.archive.by_id[STORY_ID]
            return DeskGate(book, settings).verdict(card, card.ts).status

        return check(REPO / "publishconf.py", desk_settings(desk), after=look)

    assert verdict() == "urgent"
    approve(desk, BEN)
    assert verdict() == "approved"


def test_the_send_stop_holds_every_send_until_an_approver_lifts_it(desk, mastodon):
    from newsroom.build.runner import check
    from newsroom.desk.actions import lift_send_stop, set_send_stop
    from newsroom.publishing.overview import status_lines
    from newsroom.publishing.pipeline import Publisher

    due_story(desk)
    commit_and_push(desk)
    approve(desk, CORA)
    settings, book = ledger(desk)
    as_person(desk, EDITOR)
    stop = set_send_stop(settings, book, "Lage unklar,\nbitte warten")
    assert stop.reason == "Lage unklar, bitte warten" and stop.by == "nicht in approvers.yml"
    report = publish(desk)
    assert states(report) == {STORY_ID: "stopped"} and mastodon.statuses == []
    assert report.outcomes[0].status == "held" and "SENDESTOPP" in report.outcomes[0].message
    plan = check(REPO / "publishconf.py", desk_settings(desk),
                 after=lambda built, s: Publisher(s, built).plan())
    assert any(line.startswith("  SENDESTOPP seit ") and line.endswith(": Lage unklar, bitte warten")
               for line in status_lines(plan, "origin/main"))
    with pytest.raises(AccessRefused, match="nur die dort Genannten heben den Sendestopp auf"):
        lift_send_stop(settings, book)
    as_person(desk, BEN)
    assert lift_send_stop(settings, book) is True
    assert lift_send_stop(settings, book) is False
    assert [o.status for o in publish(desk).outcomes] == ["sent"]


def test_a_damaged_stop_file_still_stops(desk, mastodon):
    due_story(desk)
    desk.write("desk/send-stop.yml", "reason: [unclosed")
    commit_and_push(desk)
    approve(desk, CORA)
    report = publish(desk)
    assert states(report) == {STORY_ID: "stopped"} and "Datei nicht lesbar" in report.outcomes[0].message


def ssh_key(tmp_path, handle) -> tuple[str, str]:
    """A fresh ed25519 key pair: (private key file, public key line)."""
    import os
    import shutil
    import subprocess

    if shutil.which("ssh-keygen") is None:
        if os.environ.get("CI"):
            pytest.fail("ssh-keygen fehlt (Debian: openssh-client; make test installiert es als root).")
        pytest.skip("ssh-keygen fehlt (Debian: openssh-client): signierte Freigaben nicht geprüft.")

    private = tmp_path / f"{handle}-key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", handle, "-f", str(private)], check=True)
    return str(private), (tmp_path / f"{handle}-key.pub").read_text().strip()


def signing_as(site, private_key: str | None):
    with site.repo.config_writer() as config:
        config.set_value("gpg", "format", "ssh")
        config.set_value("user", "signingkey", private_key or "")


def test_in_production_only_approvals_signed_with_the_approvers_own_key_count(site, mastodon, tmp_path):
    cora_private, cora_public = ssh_key(tmp_path, "cvd-a")
    ben_private, ben_public = ssh_key(tmp_path, "cvd-b")
    site.write("desk/approvers.yml", f'approvers:\n  cvd-a:\n    emails: [{CORA[1]}]\n    ssh_key: "{cora_public}"\n'
                                     f'  cvd-b:\n    emails: [{BEN[1]}]\n    ssh_key: "{ben_public}"\n')
    due_story(site)
    commit_and_push(site)
    # Ben's key signs an approval that names Cora: it counts for no one.
    settings, book = ledger(site)
    book.sync()
    digest = __import__("hashlib").sha256((site.content / "stories/2026/radwege.md").read_bytes()).hexdigest()
    from newsroom.desk.approvals import Approval

    forged = Approval(STORY_ID, "content/stories/2026/radwege.md", digest, "cvd-a", "2026-11-26T08:10:00+01:00",
                      "signiert")
    as_person(site, BEN)
    signing_as(site, ben_private)
    book.commit_content({f"approvals/{STORY_ID}/{forged.file_name}": forged.dumps()}, "approve", sign=True)
    report = publish(site, signed=True)
    assert states(report) == {STORY_ID: "unapproved"} and mastodon.statuses == []
    assert "Freigabe von cvd-a nicht anerkannt" in report.outcomes[0].message
    # The same approval made locally, unsigned, does not count in production either …
    signing_as(site, None)
    with pytest.raises(Exception, match="Signieren fehlgeschlagen"):
        approve(site, BEN, signed=True)
    approve(site, BEN)
    assert states(publish(site, signed=True)) == {STORY_ID: "unapproved"}
    # … but signed with Ben's own key it does.
    signing_as(site, ben_private)
    site.repo.git.pull("origin", "main")
    for approval in (site.content / "approvals" / STORY_ID).glob("*-cvd-b.yml"):  # the unsigned one goes
        book.sync()
        book.commit_content({f"approvals/{STORY_ID}/{approval.name}": None}, "withdraw unsigned approval")
    approval, made = approve(site, BEN, signed=True)
    assert made and approval.how == "signiert"
    assert [o.status for o in publish(site, signed=True).outcomes] == ["sent"]


def test_a_correction_and_a_withdrawal_wait_for_approval_of_the_version_that_holds_them(desk, mastodon):
    due_story(desk)
    commit_and_push(desk)
    approve(desk, CORA)
    assert [o.status for o in publish(desk).outcomes] == ["sent"]
    as_person(desk, EDITOR)
    correction = "\n  - date: 2026-11-26 12:30\n    wrong: Freitag.\n    right: Sonntag."
    due_story(desk, corrections=correction)
    commit_and_push(desk, "Berichtigung", "2026-11-26 12:31")
    held = publish(desk, now="2026-11-26 12:40")
    key = f"{STORY_ID}.berichtigung-202611261230"
    assert [(o.story_id, o.status) for o in held.outcomes] == [(key, "held")]
    assert f"„invoke approve {STORY_ID}“" in held.outcomes[0].message  # the story's version is approved
    approve(desk, BEN)
    assert [(o.story_id, o.status) for o in publish(desk, now="2026-11-26 12:45").outcomes] == [(key, "sent")]
    # A withdrawal the same way; one person in a hurry may approve it with a reason.
    as_person(desk, EDITOR)
    due_story(desk, corrections=correction, status="withdrawn",
              withdrawal="\n  date: 2026-11-26 13:00\n  reason: Verfrüht.")
    commit_and_push(desk, "Rücknahme", "2026-11-26 13:01")
    assert [o.status for o in publish(desk, now="2026-11-26 13:05").outcomes] == ["held"]
    assert len(mastodon.statuses) == 2
    approve(desk, CORA, urgent="Nachts, falsche Warnung")
    report = publish(desk, now="2026-11-26 13:10")
    assert [(o.story_id, o.status) for o in report.outcomes] == [(f"{STORY_ID}.ruecknahme", "sent")]
    assert mastodon.statuses == [] and len(mastodon.deleted) == 2  # the correction's reply went with it
