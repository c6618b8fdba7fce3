"""The citizen-alert API the publish run calls: batches claimed once per subscriber and item, on
SQLite and PostgreSQL, through a real uvicorn on loopback."""

from __future__ import annotations

import threading

import pytest
import requests

from newsroom.subscriptions.service import create_app
from tests.databases import serve_asgi
from tests.subscribers_support import TOKEN, add_subscribers, deliveries, service_config

AUTH = {"Authorization": f"Bearer {TOKEN}"}
STORY = {"key": "a1b2c3d4e5f6", "thema": "Verkehr", "amt": "Amt für Verkehrsmanagement", "bezirke": [3]}
ITEM = "story:a1b2c3d4e5f6"


def call(base: str, name: str, **data) -> dict:
    response = requests.post(f"{base}/abo/api/zustellung/{name}", json=data, headers=AUTH, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def claim(base: str, run: str, limit: int = 10, stories=(STORY,), frequency="sofort", item=ITEM, **extra) -> list:
    return call(base, "beanspruchen", item=item, run=run, frequency=frequency, stories=list(stories), limit=limit,
                **extra)["recipients"]


PEOPLE = [
    ("thema@example.org", "sofort", [("thema", "Verkehr")]),
    ("amt@example.org", "sofort", [("amt", "Amt für Verkehrsmanagement")]),
    ("bezirk@example.org", "sofort", [("bezirk", "3")]),
    ("alle@example.org", "sofort", [("thema", "alle")]),
    ("anders@example.org", "sofort", [("thema", "Kultur"), ("bezirk", "7")]),
    ("taeglich@example.org", "taeglich", [("thema", "Verkehr")]),
]


def test_a_batch_goes_to_exactly_the_matching_immediate_subscribers_once(database_url):
    ids = add_subscribers(database_url, PEOPLE)
    add_subscribers(database_url, [("offen@example.org", "sofort", [("thema", "alle")])], confirmed=False,
                    status="pending")
    add_subscribers(database_url, [("pause@example.org", "sofort", [("thema", "alle")])], status="paused")
    add_subscribers(database_url, [("presse@example.org", "sofort", [("thema", "alle")])], kind="presse")
    with serve_asgi(create_app(service_config(database_url))) as base:
        assert requests.post(f"{base}/abo/api/zustellung/beanspruchen", json={}, timeout=10).status_code == 401
        wrong = {"Authorization": "Bearer falsch"}
        assert requests.post(f"{base}/abo/api/zustellung/beginnen", json={"item": ITEM, "run": "r"}, headers=wrong,
                             timeout=10).status_code == 401
        bad = requests.post(f"{base}/abo/api/zustellung/beginnen", json={"item": "x; drop", "run": "r"},
                            headers=AUTH, timeout=10)
        assert bad.status_code == 400
        assert call(base, "beginnen", item=ITEM, run="run-1")["counts"]["sent"] == 0
        first = claim(base, "run-1", limit=2)
        # A lost answer: the same batch again.
        assert [r["id"] for r in claim(base, "run-1", limit=2)] == [r["id"] for r in first]
        call(base, "ergebnis", item=ITEM, run="run-1", results={"sent": [r["id"] for r in first]})
        second = claim(base, "run-1", limit=2)
        call(base, "ergebnis", item=ITEM, run="run-1", results={"sent": [r["id"] for r in second]})
        assert claim(base, "run-1", limit=2) == []
        got = {r["address"] for r in first + second}
        assert got == {"thema@example.org", "amt@example.org", "bezirk@example.org", "alle@example.org"}
        recipient = first[0]
        assert recipient["manage_url"].startswith("https://abo.example/abo/verwalten/")
        assert recipient["unsubscribe_url"].startswith("https://abo.example/abo/abmelden/")
        assert recipient["stories"] == [0]
        # Another run later: nobody is left.
        assert call(base, "beginnen", item=ITEM, run="run-2")["counts"]["sent"] == 4
        assert claim(base, "run-2") == []
    assert set(deliveries(database_url, ITEM).values()) == {"sent"}
    assert ids["anders@example.org"] not in {key[0] for key in deliveries(database_url)}


def test_a_run_that_died_leaves_its_batch_uncertain_which_only_a_send_on_purpose_mails_again(database_url):
    add_subscribers(database_url, PEOPLE)
    with serve_asgi(create_app(service_config(database_url))) as base:
        call(base, "beginnen", item=ITEM, run="run-1")
        cut = claim(base, "run-1", limit=3)  # the run dies before it reports
        counts = call(base, "beginnen", item=ITEM, run="run-2")["counts"]
        assert counts["uncertain"] == 3 and counts["sending"] == 0
        rest = claim(base, "run-2", limit=10)
        assert {r["id"] for r in rest}.isdisjoint({r["id"] for r in cut}) and len(rest) == 1
        call(base, "ergebnis", item=ITEM, run="run-2", results={"sent": [r["id"] for r in rest]})
        assert claim(base, "run-2") == []
        # --send-unclear: exactly the three, once; --unclear-checked would mark them checked.
        again = claim(base, "run-3", unclear=True)
        assert sorted(r["id"] for r in again) == sorted(r["id"] for r in cut)
        call(base, "ergebnis", item=ITEM, run="run-3", results={"sent": [again[0]["id"]],
                                                                  "uncertain": [r["id"] for r in again[1:]]})
        counts = call(base, "geprueft", item=ITEM, run="run-4")["counts"]
        assert counts == {**counts, "sent": 2, "checked": 2, "uncertain": 0}


def test_deferred_recipients_are_tried_again_by_a_later_run_only(database_url):
    add_subscribers(database_url, PEOPLE[:2])
    with serve_asgi(create_app(service_config(database_url))) as base:
        batch = claim(base, "run-1")
        call(base, "ergebnis", item=ITEM, run="run-1", results={"deferred": [batch[0]["id"]],
                                                                  "sent": [batch[1]["id"]]})
        assert claim(base, "run-1") == []  # not again in the run that was told to wait
        again = claim(base, "run-2")
        assert [r["id"] for r in again] == [batch[0]["id"]]


def test_a_digest_claims_subscribers_of_its_frequency_with_the_stories_each_one_matches(database_url):
    add_subscribers(database_url, [
        ("verkehr@example.org", "taeglich", [("thema", "Verkehr")]),
        ("kultur@example.org", "taeglich", [("thema", "Kultur"), ("bezirk", "3")]),
        ("nichts@example.org", "taeglich", [("thema", "Bildung")]),
        ("woche@example.org", "woechentlich", [("thema", "alle")]),
    ])
    stories = [STORY, {"key": "b1", "thema": "Kultur", "amt": "Kulturamt", "bezirke": []},
               {"key": "c1", "thema": "Soziales", "amt": "Amt für Soziales und Arbeit", "bezirke": []}]
    item = "digest:taeglich:2026-12-06"
    with serve_asgi(create_app(service_config(database_url))) as base:
        got = claim(base, "run-1", stories=stories, frequency="taeglich", item=item)
    assert {r["address"]: r["stories"] for r in got} == {"verkehr@example.org": [0], "kultur@example.org": [0, 1]}


def test_a_crisis_item_claims_every_consenting_citizen_whatever_they_chose_once(database_url):
    ids = add_subscribers(database_url, [*PEOPLE, ("woche@example.org", "woechentlich", [("bezirk", "9")])])
    add_subscribers(database_url, [("offen@example.org", "sofort", [("thema", "alle")])], confirmed=False,
                    status="pending")
    for status in ("paused", "suspended", "unsubscribed"):
        add_subscribers(database_url, [(f"{status}@example.org", "sofort", [("thema", "alle")])], status=status)
    add_subscribers(database_url, [("presse@example.org", "sofort", [("thema", "alle")])], kind="presse")
    item = "alle:krise-hochwasser-rhein"
    crisis = {"key": "krise-hochwasser-rhein", "thema": "", "amt": "", "bezirke": []}
    with serve_asgi(create_app(service_config(database_url))) as base:
        for wrong in ("alle:hochwasser", "alle:krise-x.update-2026", "alle:krise-x.entwarnung.update-202612070530"):
            answer = requests.post(f"{base}/abo/api/zustellung/beginnen", json={"item": wrong, "run": "r"},
                                   headers=AUTH, timeout=10)
            assert answer.status_code == 400, wrong
        call(base, "beginnen", item=item, run="run-1")
        got = claim(base, "run-1", stories=[crisis], item=item)
        # Every frequency, every selection, matching or not: a crisis is for everyone, at once.
        assert {r["address"]: r["stories"] for r in got} == {address: [0] for address in ids}
        call(base, "ergebnis", item=item, run="run-1", results={"sent": [r["id"] for r in got]})
        assert claim(base, "run-1", stories=[crisis], item=item) == []
        assert claim(base, "run-2", stories=[crisis], item=item) == []
        # An update is an item of its own: everyone once more.
        update = "alle:krise-hochwasser-rhein.update-202612070530"
        again = claim(base, "run-2", stories=[crisis], item=update, frequency="taeglich")
        assert sorted(r["id"] for r in again) == sorted(ids.values())
    assert set(deliveries(database_url, item).values()) == {"sent"}
    assert len(deliveries(database_url, item)) == len(ids)


def test_concurrent_runs_never_claim_the_same_subscriber(database_url):
    add_subscribers(database_url, [(f"p{n:02d}@example.org", "sofort", [("thema", "Verkehr")]) for n in range(40)])
    claimed: dict[str, list[int]] = {}
    with serve_asgi(create_app(service_config(database_url))) as base:
        # Every run holds its first claim before any reports: four claims open at once.
        all_holding = threading.Barrier(4, timeout=60)

        def run(name: str) -> None:
            mine = claimed.setdefault(name, [])
            batch = claim(base, name, limit=3)
            all_holding.wait()
            while batch:
                mine.extend(r["id"] for r in batch)
                call(base, "ergebnis", item=ITEM, run=name, results={"sent": [r["id"] for r in batch]})
                batch = claim(base, name, limit=3)

        threads = [threading.Thread(target=run, args=(f"run-{n}",)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    every = [i for ids in claimed.values() for i in ids]
    assert len(every) == len(set(every)) == 40
    assert all(claimed[f"run-{n}"] for n in range(4))


@pytest.mark.parametrize("selections,story,expected", [
    ([("bezirk", "3")], {"thema": "Kultur", "amt": "Kulturamt", "bezirke": []}, False),
    ([("bezirk", "alle")], {"thema": "Kultur", "amt": "Kulturamt", "bezirke": []}, True),
    ([("amt", "Kulturamt")], {"thema": "Kultur", "amt": "Kulturamt", "bezirke": [1]}, True),
])
def test_matching_rule(selections, story, expected):
    from newsroom.subscriptions.deliveries import matches

    assert matches(selections, story) is expected
