"""Citizen-alert runs as CI runs them: `invoke publish` in fresh clones of a bare origin, against the
subscription service on loopback and a real SMTP server; killed with SIGKILL mid-batch, and two at once."""

from __future__ import annotations

from pathlib import Path

import git
import pytest
import yaml

from tests.alerts_support import alerts_env, copies, running_service
from tests.publishing_support import fresh_clone, publish_killed, start_publish
from tests.support import seeded_origin, story_text

STORY = "e100000000001"
TITLE = "Meldung für alle"
ADDRESSES = [f"buerger{n:02d}@example.org" for n in range(1, 11)]
PEOPLE = [(address, "sofort", [("thema", "Verkehr")]) for address in ADDRESSES]


@pytest.fixture
def origin(tmp_path) -> Path:
    """A bare origin holding the project (alerts in batches of three) and one story for the alerts."""
    return seeded_origin(tmp_path, {f"2026/{STORY}.md": story_text(id=STORY, title=TITLE, date="2026-11-26 11:00",
                                                                    channels="\n  buerger: true")},
                         settings="SUBSCRIPTIONS_BATCH = 3")


def record(origin: Path) -> dict:
    return yaml.safe_load(git.Repo(origin).git.show(f"main:content/receipts/{STORY}.yml"))["channels"]["buerger"]


def test_killed_mid_batch_then_rerun_nobody_gets_an_alert_twice_and_the_cut_batch_is_unclear(origin, database_url):
    with running_service(database_url, PEOPLE) as (base, smtp):
        environ = alerts_env(base, smtp)
        # The fourth message (the first of the second batch of three) is taken; the run dies before the answer.
        publish_killed(fresh_clone(origin, "runner-1"), environ, server=smtp, hook="on_data", at=4)
        assert sorted(smtp.delivered_to()) == ADDRESSES[:4]
        second = start_publish(fresh_clone(origin, "runner-2"), environ)
        out, err = second.communicate(timeout=300)
        # The cut batch may have been mailed: none of the three is mailed again; the run says so and fails.
        assert second.returncode == 1, out + err
        assert copies(smtp) == {a: 1 for a in ADDRESSES if a not in ADDRESSES[4:6]}
        assert f"{STORY}/buerger: unklar (3 Empfänger)" in err, err
        assert f"invoke publish --story {STORY} --channel buerger --send-unclear" in err
        found = record(origin)
        assert found["status"] == "unclear" and found["unclear"] == 3
        assert found["detail"] == {**found["detail"], "recipients": 7, "uncertain": 3}
        assert "@" not in git.Repo(origin).git.show(f"main:content/receipts/{STORY}.yml")
        # A plain run mails nobody and still fails.
        third = start_publish(fresh_clone(origin, "runner-3"), environ)
        out, err = third.communicate(timeout=300)
        assert third.returncode == 1 and "unklar (3 Empfänger)" in err, out + err
        assert sum(copies(smtp).values()) == 8
        # On purpose: exactly the three unclear recipients, once more (the fourth address had it).
        fourth = start_publish(fresh_clone(origin, "runner-4"), environ, "--story", STORY, "--channel", "buerger",
                               "--send-unclear")
        out, err = fourth.communicate(timeout=300)
        assert fourth.returncode == 0, out + err
        assert copies(smtp) == {a: (2 if a == ADDRESSES[3] else 1) for a in ADDRESSES}
        found = record(origin)
        assert found["status"] == "sent" and "unclear" not in found and found["detail"]["recipients"] == 10


def test_two_runs_at_the_same_time_mail_nobody_twice(origin, database_url):
    with running_service(database_url, PEOPLE) as (base, smtp):
        environ = alerts_env(base, smtp)
        runs = [start_publish(fresh_clone(origin, f"runner-{n}"), environ) for n in (1, 2)]
        results = [run.communicate(timeout=300) for run in runs]
        assert [run.returncode for run in runs] == [0, 0], results
        assert copies(smtp) == dict.fromkeys(ADDRESSES, 1)
        assert record(origin)["status"] == "sent"
