"""Mastodon's limit: the setting in `invoke check`, the instance's own when sending."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from tests.fakes.api import Answer, Drop, Stall
from tests.fakes.mastodon import FakeMastodon
from tests.social.support import URL, adapter, due, publish, receipt, release, statuses

STATUSES = "/api/v1/statuses"
LONG = "Die neuen Radwege am Rhein sind breit, hell und sicher. " * 8  # 448 characters


def own(text: str) -> str:
    return f'\n  mastodon:\n    text: "{text.strip()}"'


def test_an_instance_with_a_lower_limit_refuses_the_text_before_anything_is_posted(site):
    with FakeMastodon(max_characters=400) as instance:
        due(site, own(LONG))  # 447 + 2 + 23 = 472 characters: within the setting's 500
        report = publish(site, instance.env)
        assert statuses(report) == ["failed"] and instance.statuses == []
        assert report.outcomes[0].message == (
            "Mastodon: Der Text hat 472 Zeichen (Links zählen 23), die Instanz 127.0.0.1 erlaubt 400. Bitte unter "
            "channels.mastodon.text kürzen oder MASTODON_MAX_CHARACTERS anpassen.")
        assert instance.calls("POST", STATUSES) == []


def test_an_instance_with_a_higher_limit_takes_what_the_setting_allows(site):
    with FakeMastodon(max_characters=5000) as instance:
        due(site, own(LONG))
        assert statuses(publish(site, instance.env)) == ["sent"] and len(instance.posts_for(URL)) == 1


def test_without_an_answer_from_the_instance_the_setting_stands(site):
    with FakeMastodon(max_characters=None) as instance:
        due(site, own(LONG))
        assert statuses(publish(site, instance.env)) == ["sent"]  # 472 against the setting's 500
        assert len(instance.calls("GET", "/api/v2/instance")) == 1 and len(instance.posts_for(URL)) == 1


def test_the_instance_is_asked_once_per_run(site):
    with FakeMastodon() as instance:
        due(site, "\n  mastodon: true")
        due(site, "\n  mastodon: true", story_id="b2b2b2b2b2b2", name="2026/zwei.md", title="Zweite Meldung")
        assert statuses(publish(site, instance.env)) == ["sent", "sent"]
        assert len(instance.calls("GET", "/api/v2/instance")) == 1


def test_check_and_build_never_ask_the_instance(site, monkeypatch):
    with FakeMastodon() as instance:
        for name, value in instance.env.items():
            monkeypatch.setenv(name, value)
        site.story(channels=own(LONG))
        site.check()
        site.build()
        assert instance.log == []


def test_a_429_is_waited_out_until_the_iso_reset_time(site):
    with FakeMastodon() as instance:
        due(site, "\n  mastodon: true")
        reset = (datetime.now(timezone.utc) + timedelta(seconds=2)).isoformat(timespec="milliseconds")
        instance.fail("POST", STATUSES, Answer(429, {"error": "Too many requests"},
                                               {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
                                                "X-RateLimit-Reset": reset.replace("+00:00", "Z")}))
        assert statuses(publish(site, instance.env)) == ["sent"]
        assert instance.too_early == [] and len(instance.statuses) == 1


@pytest.mark.parametrize("fault", [Drop(), Answer(503, {"error": "Service Unavailable"}), Stall(2.5)],
                         ids=["lost", "503", "timeout"])
def test_a_repeat_carries_the_same_idempotency_key_and_makes_one_status(site, fault):
    with FakeMastodon() as instance:
        due(site, "\n  mastodon: true")
        instance.fail("POST", STATUSES, fault)
        assert statuses(publish(site, instance.env)) == ["sent"]
        posts = instance.calls("POST", STATUSES)
        assert len(posts) == 2 and len({p.header("idempotency-key") for p in posts}) == 1
        assert len(instance.statuses) == 1
        assert receipt(site)["channels"]["mastodon"]["remote_id"] == instance.statuses[0]["id"]


def test_a_themas_content_warning_goes_on_every_part_and_counts_in_the_limit():
    channel = adapter("mastodon", MASTODON_CONTENT_WARNINGS={"Verkehr": "Schwerer Unfall mit Verletzten"})
    text = LONG.strip()  # 447 characters: with the link 472, with the warning 502
    post = channel.render(release(own={"mastodon": text}))
    assert len(post.parts) == 2 and post.text == post.parts[0] and post.parts[0].endswith(f"(1/2)\n\n{URL}")
    assert post.payload["spoiler_text"] == "Schwerer Unfall mit Verletzten" and post.payload["sensitive"] == "true"
    assert [r["spoiler_text"] for r in post.payload["replies"]] == ["Schwerer Unfall mit Verletzten"]
    assert channel.validate(post) == []
    plain = adapter("mastodon").render(release(own={"mastodon": text}))
    assert plain.parts == () and "spoiler_text" not in plain.payload and plain.text == f"{text}\n\n{URL}"


def test_the_picture_goes_with_its_alt_text_and_without_one_is_refused(tmp_path):
    channel = adapter("mastodon")
    photo = tmp_path / "rhein.jpg"
    photo.write_bytes(b"\xff\xd8")
    post = channel.render(release(image="fotos/rhein.jpg", image_file=photo))
    assert post.payload["media"] == [{"file": str(photo), "description": "Blick über den Rhein",
                                      "source": "fotos/rhein.jpg"}]
    assert (post.image, post.alt) == (photo, "Blick über den Rhein") and channel.validate(post) == []
    post = channel.render(replace(release(image="fotos/rhein.jpg", image_file=photo), image_alt=None))
    assert channel.validate(post) == [
        "Mastodon: Das Aufmacherbild „fotos/rhein.jpg“ hat keinen Alternativtext; ohne ihn wird es nicht gesendet. Bitte "
        "in der Beschreibung des Bildes (alt) ergänzen."]
